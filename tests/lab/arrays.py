# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Block storage helpers of the lab tests: the model's storage section, the lab's 3PAR array (HPE's WSAPI mock)
read as its administrator would, the names Cinder's 3PAR driver gives volumes, and a volume's status."""

from __future__ import annotations

import base64
import json
import os
import uuid

import yaml

from tests.lab.cloud import request
from tests.lab.lab import CLOUD, ROOT, wait_until

MODEL = os.path.join(ROOT, "inventories", CLOUD)


def storage_model():
    with open(os.path.join(MODEL, "storage.yml")) as handle:
        return yaml.safe_load(handle)["storage"]


def backend_host():
    """The role's cinder_backend_host: <cloud name>-volumes."""
    with open(os.path.join(MODEL, "cloud.yml")) as handle:
        return yaml.safe_load(handle)["cloud"]["name"] + "-volumes"


def name_on_3par(prefix, volume_id):
    """The name Cinder's 3PAR driver gives a volume ("osv-") or its volume set ("vvs-"): the UUID's bytes in
    base64, with the characters the array refuses replaced."""
    encoded = base64.b64encode(uuid.UUID(volume_id).bytes).decode()
    return prefix + encoded.replace("+", ".").replace("/", "-").replace("=", "")


class Array:
    """The WSAPI of the lab's 3PAR array, read as the array's administrator would: at the model's wsapi_url, with
    the credentials scripts/lab.sh gave the array (written once the deploy has made the array's password, after
    the session's model was read)."""

    def __init__(self, name):
        self.base = next(a["wsapi_url"] for a in storage_model()["hpe3par"] if a["name"] == name).rstrip("/")
        with open(os.path.join(ROOT, ".cache", "lab", "%s-array-%s.json" % (CLOUD, name))) as handle:
            creds = json.load(handle)
        _resp, data = request("POST", self.base + "/credentials", json.dumps(
            {"user": creds["username"], "password": creds["password"]}), {"Content-Type": "application/json"},
            expect=(201,))
        self.key = json.loads(data)["key"]

    def get(self, path, expect=(200,)):
        resp, data = request("GET", self.base + path, headers={"X-HP3PAR-WSAPI-SessionKey": self.key}, expect=expect)
        return resp.status, (json.loads(data) if data else {})


def wait_volume(cloud, volume_id, status, timeout=180):
    url = cloud.url("block-storage") + "/volumes/" + volume_id

    def check():
        vol = cloud.json("GET", url)["volume"]
        assert vol["status"] != "error", "volume %s went to error" % volume_id
        return vol if vol["status"] == status else None
    return wait_until("volume %s %s" % (volume_id, status), check, timeout)
