"""Runs HPE's 3PAR WSAPI mock server (python-3parclient 4.2.0 sdist) with compatibility fixes.

HPE's mock is not committed here: `fetch_mock()` downloads the sdist with pip into a cache
directory and extracts test/HPE3ParMockServer_flask.py. `patch_source()` applies the textual fixes
for Flask 3, and `_helion_compat()` (run inside the mock's namespace just before app.run)
fixes the drift between the 2016 mock and python-3parclient 4.4 / the real WSAPI:

- POST /cpgs accepts the MiB growth keys the client sends (the mock only knew growth*MB) and
  stores the CPG in the shape the WSAPI returns (SDGrowth with incrementMiB/limitMiB/warningMiB and
  the LDLayout; usage blocks), instead of echoing the request body;
- PUT /cpgs/<name> (modify CPG growth settings) exists, as on a real array;
- POST /volumes takes the WSAPI 1.3+ keys Cinder's 3PAR driver sends (tdvv, compression), refuses an unknown
  CPG, and stores the volume in the WSAPI's shape (userCPG, snapCPG, provisioningType);
- POST /hosts takes the host persona, as WSAPI 1.2+ does, keeps the iSCSI and FC paths as GET /hosts shows
  them, and answers with the new host's Location (python-3parclient 4.4 reads the host back from it);
- POST /vluns takes autoLun (the first free LUN of the host) and answers with the VLUN's Location, which
  Cinder's driver parses for the LUN; GET /vluns answers a "hostname EQ" query with that host's VLUNs;
- iSCSI ports carry IPAddr, iSCSIName and iSCSIPortInfo like the real WSAPI's port objects;
- the server listens on 127.0.0.1 (or the address of --host: the lab's array on a lab network) without
  the debugger.

Usage: python tests/peers/hpe3par_mock.py --cache DIR --port N (--user U --password P | --credentials FILE)
[--host ADDRESS]. FILE is JSON {"username": ..., "password": ...}: a password kept off the command line.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile

SDIST_VERSION = "4.2.0"
MOCK_MEMBER = "python-3parclient-%s/test/HPE3ParMockServer_flask.py" % SDIST_VERSION


def fetch_mock(cache_dir):
    """Path of HPE's mock server file, downloading the sdist into cache_dir if needed."""
    os.makedirs(cache_dir, exist_ok=True)
    target = os.path.join(cache_dir, "HPE3ParMockServer_flask.py")
    if os.path.exists(target):
        return target
    tarballs = glob.glob(os.path.join(cache_dir, "python-3parclient-%s.tar.gz" % SDIST_VERSION))
    if not tarballs:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "python-3parclient==%s" % SDIST_VERSION, "-d", cache_dir],
                       check=True, capture_output=True, timeout=300)
        tarballs = glob.glob(os.path.join(cache_dir, "python-3parclient-%s.tar.gz" % SDIST_VERSION))
    with tarfile.open(tarballs[0]) as tar:
        member = tar.extractfile(MOCK_MEMBER)
        data = member.read()
    tmp = target + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)
    return target


FIXES = [
    # Flask >= 2.3 removed error_handler_spec[None][code] assignment and flask.escape.
    ("        app.error_handler_spec[None][code] = make_json_error",
     "        app.register_error_handler(code, make_json_error)"),
    ("flask.escape(", "str("),
    # Bind to loopback without the reloader/debugger, after our compatibility hook.
    ("    app.run(port=args.port, debug=debugRequests)",
     "    _helion_compat(globals())\n    app.run(host=_helion_host, port=args.port, debug=False, use_reloader=False)"),
]


def patch_source(text):
    for old, new in FIXES:
        if old not in text:
            raise RuntimeError("3PAR mock compatibility fix no longer applies: %r" % old)
        text = text.replace(old, new)
    return text


def _helion_compat(ns):
    flask = ns["flask"]
    app = ns["app"]
    cpgs = ns["cpgs"]
    throw_error = ns["throw_error"]

    layout_keys = ("RAIDType", "setSize", "HA", "chunkletPosPref", "diskPatterns")
    growth_keys = {"growthIncrementMiB": "incrementMiB", "growthLimitMiB": "limitMiB",
                   "usedLDWarningAlertMiB": "warningMiB"}

    def find(name):
        for cpg in cpgs["members"]:
            if cpg["name"] == name:
                return cpg
        return None

    def create_cpgs():
        data = json.loads(flask.request.data.decode("utf-8"))
        for key in data:
            if key not in ("name", "domain", "LDLayout") and key not in growth_keys:
                throw_error(400, ns["INV_INPUT"], "Invalid Parameter '%s'" % key)
        for key in data.get("LDLayout", {}):
            if key not in layout_keys:
                throw_error(400, ns["INV_INPUT"], "Invalid Parameter '%s'" % key)
        if find(data["name"]) is not None:
            throw_error(409, ns["EXISTENT_CPG"], "CPG '%s' already exist." % data["name"])
        growth = {"incrementMiB": data.get("growthIncrementMiB", 32768),
                  "LDLayout": dict(data.get("LDLayout", {}))}
        for key in ("growthLimitMiB", "usedLDWarningAlertMiB"):
            if data.get(key):
                growth[growth_keys[key]] = data[key]
        zero = {"rawTotalMiB": 0, "rawUsedMiB": 0, "totalMiB": 0, "usedMiB": 0}
        cpg = {"name": data["name"], "id": 100 + len(cpgs["members"]), "domain": data.get("domain"),
               "SDGrowth": growth, "SAGrowth": {"incrementMiB": 8192, "LDLayout": {}},
               "UsrUsage": dict(zero), "SDUsage": dict(zero), "SAUsage": dict(zero),
               "numTPVVs": 0, "numFPVVs": 0, "state": 1, "additionalStates": [],
               "degradedStates": [], "failedStates": []}
        cpgs["members"].append(cpg)
        cpgs["total"] = len(cpgs["members"])
        resp = flask.make_response("", 201)
        resp.headers["Location"] = "/api/v1/cpgs/%s" % data["name"]
        return resp

    def modify_cpg(cpg_name):
        data = json.loads(flask.request.data.decode("utf-8"))
        cpg = find(cpg_name)
        if cpg is None:
            throw_error(404, ns["NON_EXISTENT_CPG"], "CPG '%s' doesn't exist" % cpg_name)
        allowed = set(growth_keys) | {"newName", "disableAutoGrow", "rmGrowthLimit", "rmWarningAlarm",
                                      "LDLayout"}
        for key in data:
            if key not in allowed:
                throw_error(400, ns["INV_INPUT"], "Invalid Parameter '%s'" % key)
        growth = cpg.setdefault("SDGrowth", {})
        for key, target in growth_keys.items():
            if key in data:
                growth[target] = data[key]
        if data.get("rmGrowthLimit"):
            growth.pop("limitMiB", None)
        if data.get("rmWarningAlarm"):
            growth.pop("warningMiB", None)
        return flask.make_response("", 200)

    volumes = ns["volumes"]
    # The keys WSAPI 1.3+ takes on POST /volumes that the 2016 mock refuses: Cinder's 3PAR driver sends
    # tdvv (deduplication) and compression with every volume.
    volume_keys = {"name", "cpg", "sizeMiB", "id", "comment", "policies", "snapCPG", "ssSpcAllocWarningPct",
                   "ssSpcAllocLimitPct", "tpvv", "usrSpcAllocWarningPct", "usrSpcAllocLimitPct", "isCopy",
                   "copyOfName", "copyRO", "expirationHours", "retentionHours", "tdvv", "compression"}

    def create_volumes():
        data = json.loads(flask.request.data.decode("utf-8"))
        for key in data:
            if key not in volume_keys:
                throw_error(400, ns["INV_INPUT"], "Invalid Parameter '%s'" % key)
        name = data.get("name")
        if not name:
            throw_error(400, ns["INV_INPUT"], "No volume name provided.")
        if len(name) > 31:
            throw_error(400, ns["INV_INPUT_EXCEEDS_LENGTH"], "Invalid Input: String length exceeds limit : Name")
        if any(vol["name"] == name for vol in volumes["members"]):
            throw_error(409, ns["EXISTENT_VOL"], "The volume already exists.")
        size = data.get("sizeMiB", 0)
        if size < 256:
            throw_error(400, ns["INV_INPUT_EXCEEDS_RANGE"], "Minimum volume size is 256 MiB")
        if size > 16777216:
            throw_error(400, ns["TOO_LARGE"], "Volume size is above architectural limit : 16TiB")
        if data.get("cpg") and find(data["cpg"]) is None:
            throw_error(404, ns["NON_EXISTENT_CPG"], "CPG '%s' doesn't exist" % data["cpg"])
        # Stored in the shape GET /volumes/<name> has on an array: the CPGs as userCPG and snapCPG, the
        # provisioning type (1 full, 2 thin, 6 thin deduplicated).
        vol = dict(data)
        vol.update({"id": data.get("id", 1000 + len(volumes["members"])), "userCPG": data.get("cpg"),
                    "snapCPG": data.get("snapCPG", data.get("cpg")), "state": 1, "copyType": 1,
                    "provisioningType": 6 if data.get("tdvv") else (2 if data.get("tpvv") else 1),
                    "wwn": "60002AC%025X" % (1000 + len(volumes["members"]))})
        volumes["members"].append(vol)
        volumes["total"] = len(volumes["members"])
        resp = flask.make_response("", 201)
        resp.headers["Location"] = "/api/v1/volumes/%s" % name
        return resp

    hosts = ns["hosts"]
    host_keys = {"FCWWNs", "descriptors", "domain", "iSCSINames", "id", "name", "persona"}

    # POST /hosts with the host persona (WSAPI 1.2+; Cinder's driver sends "2", Generic-ALUA); an iSCSI name or
    # WWN already claimed by another host is refused, as the array does.
    def create_hosts():
        data = json.loads(flask.request.data.decode("utf-8"))
        for key in data:
            if key not in host_keys:
                throw_error(400, ns["INV_INPUT"], "Invalid Parameter '%s'" % key)
        name = data.get("name")
        if not name:
            throw_error(400, ns["INV_INPUT_MISSING_REQUIRED"], "Name not specified.")
        if len(name) > 31:
            throw_error(400, ns["INV_INPUT_EXCEEDS_LENGTH"], "Host name is too long.")

        def paths(entry, key):
            # the mock's own hosts keep their iSCSI names as {"name": ...} objects
            return {p.get("name") if isinstance(p, dict) else p for p in entry.get(key) or []}

        for host in hosts["members"]:
            if host["name"] == name:
                throw_error(409, ns["EXISTENT_HOST"], "HOST '%s' already exist." % name)
            for key in ("iSCSINames", "FCWWNs"):
                if paths(data, key) & paths(host, key):
                    throw_error(409, ns["EXISTENT_PATH"], "%s already claimed by other host." % key)
        host = dict(data)
        if "iSCSINames" in host:
            host["iSCSIPaths"] = [{"name": iqn} for iqn in host["iSCSINames"]]
        if "FCWWNs" in host:
            host["FCPaths"] = [{"wwn": wwn} for wwn in host["FCWWNs"]]
        hosts["members"].append(host)
        hosts["total"] = len(hosts["members"])
        resp = flask.make_response("", 201)
        resp.headers["Location"] = "/api/v1/hosts/%s" % name
        return resp

    vluns = ns["vluns"]
    vlun_keys = {"volumeName", "lun", "hostname", "portPos", "noVcn", "overrideLowerPriority", "autoLun",
                 "maxAutoLun"}

    # POST /vluns with autoLun (the array picks the first free LUN of the host, as Cinder's driver asks), kept as
    # a template VLUN (active false) and answered with its Location "volume,lun,host[,n:s:p]", which the driver
    # parses for the LUN.
    def create_vluns():
        data = json.loads(flask.request.data.decode("utf-8"))
        for key in data:
            if key not in vlun_keys:
                throw_error(400, ns["INV_INPUT"], "Invalid Parameter '%s'" % key)
        if not any(vol["name"] == data.get("volumeName") for vol in volumes["members"]):
            throw_error(404, ns["NON_EXISTENT_VOL"], "Specified volume does not exist.")
        if not any(host["name"] == data.get("hostname") for host in hosts["members"]):
            throw_error(404, ns["NON_EXISTENT_HOST"], "The host '%s' doesn't exist" % data.get("hostname"))
        lun = data.get("lun") or 0
        if data.get("autoLun"):
            used = {v["lun"] for v in vluns["members"] if v.get("hostname") == data["hostname"]}
            while lun in used:
                lun += 1
        vlun = {"volumeName": data["volumeName"], "lun": lun, "hostname": data["hostname"], "active": False,
                "type": 4 if data.get("portPos") else 3}
        location = "%s,%d,%s" % (data["volumeName"], lun, data["hostname"])
        if data.get("portPos"):
            vlun["portPos"] = data["portPos"]
            location += ",%(node)s:%(slot)s:%(cardPort)s" % data["portPos"]
        vluns["members"].append(vlun)
        vluns["total"] = len(vluns["members"])
        resp = flask.make_response("", 201)
        resp.headers["Location"] = "/api/v1/vluns/" + location
        return resp

    # GET /vluns?query="hostname EQ <host>" (WSAPI 1.4.2+) answers that host's VLUNs only.
    def get_vluns():
        query = flask.request.args.get("query") or ""
        match = re.search(r"hostname EQ ([^\s\"]+)", query)
        members = [v for v in vluns["members"] if not match or v.get("hostname") == match.group(1)]
        return flask.make_response(json.dumps({"total": len(members), "members": members}), 200)

    app.view_functions["create_cpgs"] = create_cpgs
    app.view_functions["create_volumes"] = create_volumes
    app.view_functions["create_hosts"] = create_hosts
    app.view_functions["create_vluns"] = create_vluns
    app.view_functions["get_vluns"] = get_vluns
    app.add_url_rule("/api/v1/cpgs/<cpg_name>", "helion_modify_cpg", modify_cpg, methods=["PUT"])

    iscsi_ips = iter(["10.120.2.10", "10.120.2.11", "10.120.2.12", "10.120.2.13"])
    for port in ns["ports"]["members"]:
        if port.get("protocol") == 2:
            pos = port["portPos"]
            port["IPAddr"] = next(iscsi_ips)
            port["iSCSIName"] = "iqn.2000-05.com.3pardata:2%d%d%d0002ac00383d" % (
                pos["node"], pos["slot"], pos["cardPort"])
            port["iSCSIPortInfo"] = {"vlan": 0, "iSNSAddr": "0.0.0.0", "iSNSPort": 3205, "rate": "10Gbps"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--credentials", help="JSON file with username and password")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    user, password = args.user, args.password
    if args.credentials:
        with open(args.credentials) as handle:
            credentials = json.load(handle)
        user, password = credentials["username"], credentials["password"]
    if not user or not password:
        parser.error("give --user and --password, or --credentials")
    path = fetch_mock(args.cache)
    with open(path) as handle:
        source = patch_source(handle.read())
    sys.argv = [path, "-user", user, "-password", password, "-port", str(args.port)]
    namespace = {"__name__": "__main__", "__file__": path, "_helion_compat": _helion_compat,
                 "_helion_host": args.host}
    exec(compile(source, path, "exec"), namespace)  # noqa: S102 - runs HPE's downloaded mock, patched


if __name__ == "__main__":
    main()
