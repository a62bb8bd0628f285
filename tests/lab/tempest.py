# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tempest, OpenStack's own test suite, run from the lab's undercloud against the lab cloud.

Tempest comes from Debian (python3-tempest, Tempest 43) on lab-uc; its workspace is /root/helion-tempest
there. tempest.conf is written from what the cloud says about itself: the Keystone catalog, the Swift
proxy's /info, Glance's import methods, stores and image schema. The admin's password goes into the
container on standard input, into a root-only file, never on a command line, and is never printed.

Scopes: "storage" (the identity, object-storage and image API smoke tests: the default lab stage's cloud, which
has no compute or network service), "smoke" (the identity, object-storage, image, compute, network and volume
API smoke tests and heat-tempest-plugin's orchestration API tests: every deployed service's, the cloud scope's)
and "full" (every object-storage and image API test, minus those that cannot apply to this cloud, see
`exclusions`; a qcow2 served from lab-uc over HTTP stands in for the cirros download the lab has no way out to).
A fourth, "orchestration", runs heat-tempest-plugin's API tests (the plugin is installed on lab-uc first).

`python -m tests.lab.tempest [storage|smoke|full|orchestration]` runs the same steps without pytest (to iterate on the
configuration).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import subprocess
import sys
import time
import urllib.request

from tests.lab.lab import ROOT, admin_password, dexec

HOST = "lab-uc"
WORKSPACE = "/root/helion-tempest"
REGION = "RegionOne"
SCOPES = {
    # `tempest run` takes --smoke or --regex, not both: the smoke attribute is part of the test ids
    # (".../test_list_images[id-1e341d7a-...,smoke]"), so one regex selects the smoke tests of both APIs.
    # The smoke scope is every deployed service's: Tempest's own smoke tests, and heat-tempest-plugin's API tests
    # (Tempest 43 has no orchestration tests of its own).
    "smoke": r"^(tempest\.api\.(identity|object_storage|image|compute|network|volume)\..*\bsmoke\b"
             r"|heat_tempest_plugin\.tests\.api\.)",
    "full": r"^tempest\.api\.(object_storage|image)\.",
    # The default lab stage's cloud (control plane, Swift and Glance): the smoke tests of its services
    "storage": r"^tempest\.api\.(identity|object_storage|image)\..*\bsmoke\b",
    # Tempest 43 has no orchestration tests: heat-tempest-plugin's API tests (gabbi, as the admin)
    "orchestration": r"^heat_tempest_plugin\.tests\.api\.",
}
# The Debian packages of the Tempest plugins a scope needs (installed on lab-uc beside Tempest).
PLUGINS = {"smoke": ("heat-tempest-plugin",), "orchestration": ("heat-tempest-plugin",)}
# Tests run (passed or failed, not skipped) with Tempest 43 against the lab: fewer means a setting
# silently skips tests. smoke: 59 (14 object-storage, 4 image, the compute and network smoke tests; 7 skip);
# full: 181 object-storage and image (206 listed, 25 skipped); orchestration: 44 (heat-tempest-plugin 2.5.0's
# API tests, none skipped); storage: 31 (13 identity, 14 object-storage, 4 image; none skipped).
FLOORS = {"smoke": 115, "full": 180, "orchestration": 44, "storage": 31}
# The first formats are the ones Tempest creates images with: keep bare and qcow2 in front.
CONTAINER_FORMATS = ["bare", "ami", "ari", "aki", "ovf", "ova", "docker", "compressed"]
DISK_FORMATS = ["qcow2", "raw", "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "vdi", "iso", "ploop"]
# The image the full scope's web-download test imports, served by lab-uc (Glance fetches only from
# ports 80/443 and hosts that resolve in DNS: Docker's DNS resolves the container's name).
IMAGE_PORT = 80
IMAGE_FILE = "helion-tempest.qcow2"


def install(host=HOST, packages=("python3-tempest", "python3-stestr", "subunit"), commands=("tempest", "stestr"),
            timeout=900):
    """Installs the packages unless the commands are there: the seconds it took, 0.0 if nothing was needed."""
    if dexec(host, " && ".join("command -v %s" % c for c in commands)).returncode == 0:
        return 0.0
    started = time.monotonic()
    apt = ("DEBIAN_FRONTEND=noninteractive timeout %d apt-get install -y -q --no-install-recommends %s"
           % (timeout, " ".join(packages)))
    if dexec(host, apt, timeout=timeout + 60).returncode != 0:
        # stale package lists: refresh them (bounded) and try once more
        dexec(host, "timeout 300 apt-get update -q", timeout=360)
        dexec(host, apt, timeout=timeout + 60, check=True)
    return time.monotonic() - started


def _request(url, token=None, timeout=20, method="GET"):
    req = urllib.request.Request(url, method=method, headers={"X-Auth-Token": token} if token else {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _token(address, password, timeout=30):
    """A project-scoped admin token and its catalog, from Keystone through the VIP's address."""
    body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}).encode()
    req = urllib.request.Request("http://%s:5000/v3/auth/tokens" % address, data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.headers["X-Subject-Token"], json.load(resp)["token"]["catalog"]


def _endpoint(catalog, kind, interface="internal", region=REGION):
    for service in catalog:
        if service["type"] == kind:
            for ep in service["endpoints"]:
                if ep["interface"] == interface and ep.get("region_id", ep.get("region")) == region:
                    return ep["url"]
    raise AssertionError("no %s %s endpoint in %s" % (interface, kind, region))


def _by_address(url, vip):
    """The host running pytest does not resolve the lab's names: the same URL through the VIP's address."""
    return url.replace("//%s:" % vip["fqdn"], "//%s:" % vip["address"])


def discover(model, password):
    """What the cloud offers, as Tempest's configuration needs it (read through the internal VIP: lab-uc,
    where Tempest runs, is on the management network only and does not reach the public VIP)."""
    vip = model["vips"]["internal_api"]
    token, catalog = _token(vip["address"], password)
    glance = _by_address(_endpoint(catalog, "image").rstrip("/"), vip)
    schema = _request(glance + "/v2/schemas/image", token)["properties"]
    images = {i["name"]: i["id"] for i in _request(glance + "/v2/images?limit=100", token)["images"]}
    flavors, external, extensions = {}, [], []
    # the default lab stage deploys no compute and no network service: Tempest is told they are not there
    compute = any(s["type"] == "compute" for s in catalog)
    network = any(s["type"] == "network" for s in catalog)
    if compute:
        url = _by_address(_endpoint(catalog, "compute").rstrip("/"), vip)
        flavors = {f["name"]: f["id"] for f in _request(url + "/flavors", token)["flavors"]}
    if network:
        url = _by_address(_endpoint(catalog, "network").rstrip("/"), vip)
        external = _request(url + "/v2.0/networks?router:external=true", token)["networks"]
        extensions = sorted(e["alias"] for e in _request(url + "/v2.0/extensions", token)["extensions"])
    return {
        "compute": compute,
        "network": network,
        "network_extensions": extensions,
        "flavors": flavors,
        "images": images,
        "external_network": external[0] if external else None,
        # heat-tempest-plugin registers [service_available] heat; Tempest 43 itself has no orchestration tests
        "orchestration": any(s["type"] == "orchestration" for s in catalog),
        "volume": any(s["type"] == "block-storage" for s in catalog),
        "volume_backends": _volume_backends(catalog, vip, token),
        "identity": _endpoint(catalog, "identity"),
        "glance": glance,
        "swift_info": _request(re.sub(r"/v1/.*$", "/info", _by_address(_endpoint(catalog, "object-store"), vip))),
        "import_methods": _request(glance + "/v2/info/import", token)["import-methods"]["value"],
        "stores": [s["id"] for s in _request(glance + "/v2/info/stores", token)["stores"]],
        "container_formats": [f for f in CONTAINER_FORMATS if f in schema["container_format"]["enum"]],
        "disk_formats": [f for f in DISK_FORMATS if f in schema["disk_format"]["enum"]],
    }


def _volume_backends(catalog, vip, token):
    """The backend names of the up volume services (cinder-volume on host@backend), as the admin sees them."""
    if not any(s["type"] == "block-storage" for s in catalog):
        return []
    url = _by_address(_endpoint(catalog, "block-storage").rstrip("/"), vip)
    services = _request(url + "/os-services?binary=cinder-volume", token)["services"]
    return sorted(s["host"].split("@", 1)[1] for s in services if s["state"] == "up" and "@" in s["host"])


def smoke_exclusions(found):
    """{test id regex: why it cannot pass in the lab} for the smoke scope: the volume tests that need a volume's
    data, which only an iSCSI initiator reaches, and the lab kernel has none (docs/block-storage.md); and one
    identity test written for an older Keystone."""
    out = {
        # Keystone 27 (2025.1) validates a credential update against a schema without project_id and type
        # (400 "Additional properties are not allowed"); Tempest 43's test sends both.
        r"test_credentials\.CredentialsTestJSON\.test_credentials_create_get_update_delete":
            "Keystone 27 refuses project_id and type in a credential update, which Tempest 43 sends",
    }
    if not found.get("volume"):
        return out
    return dict(out, **{
        r"test_create_server\.ServersTestBootFromVolume":
            "a server booted from a volume needs the image written into the volume over iSCSI",
        r"test_volumes_actions\.VolumesActionsTest\.test_attach_detach_volume_to_instance":
            "attaching a volume to an instance needs an iSCSI initiator on the compute node",
        r"test_volumes_get\.VolumesGetTest\.test_volume_create_get_update_delete_from_image":
            "writing an image into a volume attaches the volume to the volume node over iSCSI",
    })


def exclusions(found):
    """{test id regex: why it cannot pass against this cloud} (full scope; no smoke test among them)."""
    out = {
        # Debian's Glance 30.0.0-3+deb13u3/u4 (CVE-2026-77648, CVE-2026-71196/7/8, SSRF) resolves an import
        # URI's host before it accepts the request: unresolvable hosts get 400 at once, where Tempest 43
        # expects the import to be accepted and fail later.
        r"test_images_negative\.ImportImagesNegativeTest\.test_image_web_download_import_with_bad_url":
            "Glance's SSRF fix rejects an unresolvable web-download URI with 400 up front",
        r"admin\.test_image_task\.ImageTaskCreate\.test_task_create_fake_image_location":
            "Glance's SSRF fix rejects an unresolvable legacy import task URI with 400 up front",
    }
    if len(found["stores"]) < 2:
        # Glance exits the copy workflow at once ("image is available in all configured stores") and never
        # sets os_glance_importing_to_stores, which Tempest waits for (build_timeout, 300 s).
        out[r"admin\.test_images\.ImportCopyImagesTest\.test_image_copy_image_import"] = \
            "copy-image with a single store (%s) has nothing to copy" % found["stores"][0]
    return out


def render(found, password, workspace=WORKSPACE, image_url=None):
    """tempest.conf (an INI text) for what `discover` found."""
    info = found["swift_info"]
    digests = info.get("tempurl", {}).get("allowed_digests", ["sha1"])
    sections = {
        "DEFAULT": {"log_dir": workspace + "/logs", "log_file": "tempest.log"},
        "auth": {
            "admin_username": "admin", "admin_password": password, "admin_project_name": "admin",
            "admin_domain_name": "Default", "use_dynamic_credentials": "true", "tempest_roles": "member",
            # each test class gets its own network, subnet and router to the external network
            "create_isolated_networks": "true" if found["network"] else "false",
        },
        "identity": {
            "uri_v3": found["identity"], "auth_version": "v3", "region": REGION,
            "v3_endpoint_type": "internal", "default_domain_id": "default",
        },
        "identity-feature-enabled": {"api_v2": "false", "api_v3": "true"},
        "service_available": {
            "swift": "true", "glance": "true", "nova": str(found["compute"]).lower(),
            "neutron": str(found["network"]).lower(),
            "cinder": "true" if found.get("volume") else "false",
            "heat": "true" if found.get("orchestration") else "false", "horizon": "false", "designate": "false",
        },
        "object-storage": {
            "region": REGION, "endpoint_type": "internal", "operator_role": "member",
            "reseller_admin_role": "ResellerAdmin",
        },
        "object-storage-feature-enabled": {
            "discoverability": "true",
            # the middlewares the proxy lists in /info; container_sync only with a realm to sync in
            # (the proxy has the middleware but no container-sync-realms.conf: "No realm key for 'realm1'")
            "discoverable_apis": ", ".join(sorted(
                k for k in info if k != "swift" and (k != "container_sync" or info[k].get("realms")))),
            "container_sync": "true" if info.get("container_sync", {}).get("realms") else "false",
            "object_versioning": "true" if "versioned_writes" in info else "false",
            "tempurl_digest_hashlib": "sha256" if "sha256" in digests else digests[0],
        },
        "image": {
            "region": REGION, "endpoint_type": "internal",
            "container_formats": ", ".join(found["container_formats"]),
            "disk_formats": ", ".join(found["disk_formats"]),
        },
        "image-feature-enabled": {
            "api_v2": "true",
            "import_image": "true" if "glance-direct" in found["import_methods"] else "false",
            "os_glance_reserved": "true",
            # show_multiple_locations = false in glance-api.conf, no image cache configured
            "manage_locations": "false",
        },
    }
    tiny = found["images"].get("helion-tiny")
    ext = found["external_network"] or {}
    sections.update({
        "compute": {
            "region": REGION, "endpoint_type": "internal", "image_ref": tiny, "image_ref_alt": tiny,
            "flavor_ref": found["flavors"].get("m1.tiny"), "flavor_ref_alt": found["flavors"].get("m1.small"),
            "min_compute_nodes": "1", "build_timeout": "600",
        },
        "compute-feature-enabled": {
            # one compute node, QEMU's TCG, no block storage attached in the lab (no iSCSI in its kernel)
            "resize": "false", "cold_migration": "false", "live_migration": "false", "console_output": "true",
            "vnc_console": "false", "serial_console": "false", "spice_console": "false", "rescue": "false",
            "attach_encrypted_volume": "false", "block_migration_for_live_migration": "false",
            "change_password": "false", "config_drive": "false",
        },
        "network": {
            "region": REGION, "endpoint_type": "internal", "public_network_id": ext.get("id", ""),
            "floating_network_name": ext.get("name", ""), "project_network_cidr": "10.100.0.0/16",
            "project_network_mask_bits": "28", "build_timeout": "300",
        },
        "network-feature-enabled": {
            "ipv6": "false", "ipv6_subnet_attributes": "false", "port_security": "true",
            # what this Neutron offers (ML2/OVN has no agent schedulers), not "all"
            "api_extensions": ", ".join(found["network_extensions"]),
        },
        "volume": {
            "region": REGION, "endpoint_type": "internal", "catalog_type": "block-storage", "build_timeout": "300",
            "volume_size": "1", "storage_protocol": "iSCSI",
            "backend_names": ", ".join(found.get("volume_backends") or []),
        },
        "volume-feature-enabled": {
            # the backups need the volume's data (an iSCSI attach, which the lab kernel cannot make)
            "backup": "false",
            "multi_backend": "true" if len(found.get("volume_backends") or []) > 1 else "false",
            "snapshot": "true", "clone": "true", "manage_volume": "false", "manage_snapshot": "false",
            "extend_attached_volume": "false", "extend_attached_encrypted_volume": "false",
        },
        # the lab's own test logs into instances over SSH through their floating IPs (tests/lab/test_compute.py)
        "validation": {"run_validation": "false"},
    })
    if image_url:
        sections["image"].update({"http_image": image_url, "http_qcow2_image": image_url})
    if found.get("orchestration"):
        # heat-tempest-plugin (the orchestration scope) logs in with these, not with dynamic credentials
        sections["heat_plugin"] = {
            "auth_url": found["identity"], "region": REGION, "endpoint_type": "internal",
            "username": "admin", "password": password, "project_name": "admin",
            "admin_username": "admin", "admin_password": password, "admin_project_name": "admin",
            "user_domain_name": "Default", "project_domain_name": "Default",
        }
    out = []
    for name, opts in sections.items():
        out += ["[%s]" % name] + ["%s = %s" % kv for kv in opts.items()] + [""]
    return "\n".join(out)


def install_plugins(host, packages, timeout=900):
    """Installs the Tempest plugins' packages that are missing: the seconds it took."""
    query = "dpkg-query -W -f='${Status}' %s | grep -q 'ok installed'"
    missing = [p for p in packages if dexec(host, query % p).returncode != 0]
    if not missing:
        return 0.0
    started = time.monotonic()
    dexec(host, "DEBIAN_FRONTEND=noninteractive timeout %d apt-get install -y -q --no-install-recommends %s"
          % (timeout, " ".join(missing)), timeout=timeout + 60, check=True)
    return time.monotonic() - started


def prepare(model, password, host=HOST, workspace=WORKSPACE, image_url=None, plugins=()):
    """Installs Tempest, makes its workspace and writes etc/tempest.conf: (seconds to install, what was found)."""
    install_s = install(host) + install_plugins(host, plugins)
    if dexec(host, "test -f %s/.stestr.conf" % workspace).returncode != 0:
        name = workspace.rstrip("/").rsplit("/", 1)[-1]
        dexec(host, "tempest workspace remove --name %s >/dev/null 2>&1; rm -rf %s" % (name, workspace))
        # in a scratch directory: tempest writes a tempest.log into its working directory
        dexec(host, 'd=$(mktemp -d) && cd "$d" && timeout 120 tempest init --name %s %s; rc=$?; rm -rf "$d"; '
              'exit $rc' % (name, workspace), timeout=180, check=True)
    found = discover(model, password)
    subprocess.run(["docker", "exec", "-i", host, "sh", "-c", 'umask 077 && cat > "$1.new" && mv "$1.new" "$1"',
                    "sh", workspace + "/etc/tempest.conf"],
                   input=render(found, password, workspace, image_url), text=True, check=True, timeout=60,
                   capture_output=True)
    return install_s, found


@contextlib.contextmanager
def served_image(host=HOST, workspace=WORKSPACE, timeout=3600):
    """A small qcow2 served over HTTP by lab-uc while the block runs: its URL as the controllers see it."""
    install(host, packages=("qemu-utils",), commands=("qemu-img",), timeout=600)
    www = workspace + "-www"
    dexec(host, "mkdir -p %s && cd %s && (test -f %s || qemu-img create -q -f qcow2 %s 16M)"
          % (www, www, IMAGE_FILE, IMAGE_FILE), check=True)
    # bounded by timeout(1) even if this process dies; stopped below by its process id
    res = dexec(host, "cd %s && setsid timeout %d python3 -m http.server %d >/dev/null 2>&1 </dev/null & echo $!"
                % (www, timeout, IMAGE_PORT), check=True)
    pid = int(res.stdout.strip())
    try:
        url = "http://%s:%d/%s" % (host, IMAGE_PORT, IMAGE_FILE) if IMAGE_PORT != 80 else \
            "http://%s/%s" % (host, IMAGE_FILE)
        probe = "python3 -c \"import urllib.request; urllib.request.urlopen('%s', timeout=5).read()\"" % url
        deadline = time.monotonic() + 30
        while dexec(host, probe).returncode != 0:
            assert time.monotonic() < deadline, "lab-uc does not serve %s" % url
            time.sleep(1)
        yield url
    finally:
        dexec(host, "kill %d" % pid)


# Reads a subunit stream on standard input: one JSON object per test (id, status, skip reason, seconds).
PARSE_SUBUNIT = """
import json, sys
import subunit, testtools
tests = []
def done(t):
    reason = t["details"].get("reason")
    stamps = [s for s in t["timestamps"] if s is not None]
    tests.append({"id": t["id"], "status": t["status"], "reason": reason.as_text() if reason else "",
                  "seconds": (stamps[-1] - stamps[0]).total_seconds() if len(stamps) == 2 else None})
result = testtools.StreamToDict(done)
result.startTestRun()
subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout").run(result)
result.stopTestRun()
json.dump(tests, sys.stdout)
"""


def run(scope="smoke", excluded=(), host=HOST, workspace=WORKSPACE, concurrency=2, timeout=1800):
    """`tempest run` over the scope's tests: (seconds, the run's console output, its results)."""
    before = dexec(host, "cat %s/.stestr/next-stream" % workspace).stdout.strip()
    cmd = "cd %s && timeout %d tempest run --regex '%s' --concurrency %d" % (
        workspace, timeout, SCOPES[scope], concurrency)
    if excluded:
        cmd += " --exclude-regex '%s'" % "|".join(excluded)
    started = time.monotonic()
    res = dexec(host, cmd + " 2>&1", timeout=timeout + 120)
    seconds = time.monotonic() - started
    after = dexec(host, "cat %s/.stestr/next-stream" % workspace).stdout.strip()
    assert after and after != before, "tempest run recorded no run (rc %d):\n%s" % (res.returncode, res.stdout[-4000:])
    return seconds, res.stdout, results(host, workspace)


def results(host=HOST, workspace=WORKSPACE):
    """The last run: {"passed": [ids], "failed": [ids], "skipped": [(id, reason)], "seconds": {id: s}}."""
    res = subprocess.run(["docker", "exec", host, "sh", "-c", 'cd "$1" && stestr last --subunit | python3 -c "$2"',
                          "sh", workspace, PARSE_SUBUNIT], capture_output=True, text=True, timeout=300, check=True)
    out = {"passed": [], "failed": [], "skipped": [], "seconds": {}}
    for t in json.loads(res.stdout):
        name = re.sub(r"\[.*\]$", "", t["id"])
        if t["status"] == "exists":
            continue
        if t["status"] in ("success", "xfail"):
            out["passed"].append(name)
        elif t["status"] == "skip":
            out["skipped"].append((name, t["reason"].strip()))
        else:
            out["failed"].append(name)
        if t["seconds"] is not None:
            out["seconds"][name] = t["seconds"]
    return out


def summary(result):
    return {"passed": len(result["passed"]), "failed": len(result["failed"]), "skipped": len(result["skipped"])}


def remove_leaked_images(model, password, since):
    """Deletes the images named tempest-* created since `since` (a UTC datetime) that a test left behind
    (Tempest's dynamic projects are gone by then): their names."""
    vip = model["vips"]["internal_api"]
    token, catalog = _token(vip["address"], password)
    glance = _by_address(_endpoint(catalog, "image").rstrip("/"), vip)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    leaked = [i for i in _request(glance + "/v2/images?limit=1000", token)["images"]
              if (i.get("name") or "").startswith("tempest-") and i["created_at"] >= stamp]
    for image in leaked:
        _request("%s/v2/images/%s" % (glance, image["id"]), token, method="DELETE")
    return [i["name"] for i in leaked]


def tempest(model, scope="smoke"):
    """Prepares and runs Tempest (the full scope with a served image): a report of what happened.

    `model` is the lab's model (.cache/lab/<cloud>-model.json: groups, addresses, vips) with "controllers"."""
    since = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    password = admin_password(model["controllers"][0])
    report = {"scope": scope}
    with contextlib.ExitStack() as stack:
        image_url = stack.enter_context(served_image()) if scope == "full" else None
        started = time.monotonic()
        report["install_s"], found = prepare(model, password, image_url=image_url, plugins=PLUGINS.get(scope, ()))
        report["prepare_s"] = time.monotonic() - started
        report["found"] = {k: v for k, v in found.items() if k not in ("swift_info", "network_extensions")}
        report["excluded"] = exclusions(found) if scope == "full" else smoke_exclusions(found)
        report["run_s"], console, report["result"] = run(scope, report["excluded"])
    # the password is in no output Tempest writes (it masks it); this makes sure of it
    report["console"] = console.replace(password, "***")
    report["leaked_images"] = remove_leaked_images(model, password, since)
    return report


def lab_model(cloud="lab"):
    with open("%s/.cache/lab/%s-model.json" % (ROOT, cloud)) as f:
        model = json.load(f)
    model["controllers"] = model["groups"]["controllers"]
    return model


def describe(report):
    """Lines for the test's output: counts, timings, the slowest tests, failures and why tests skipped."""
    result = report["result"]
    lines = ["tempest %s: %s; install %.0f s, prepare %.0f s, run %.0f s" % (
        report["scope"], summary(result), report["install_s"], report["prepare_s"], report["run_s"])]
    slow = sorted(result["seconds"].items(), key=lambda kv: -kv[1])[:5]
    lines.append("slowest: " + ", ".join("%s %.1f s" % (n.rsplit(".", 2)[-1], s) for n, s in slow))
    lines += ["excluded %s: %s" % kv for kv in report["excluded"].items()]
    lines += ["FAILED %s" % n for n in result["failed"]]
    reasons = {}
    for name, reason in result["skipped"]:
        reasons.setdefault(reason, []).append(name.rsplit(".", 1)[-1])
    lines += ["skipped %d (%s): %s" % (len(v), ", ".join(v[:3]) + (", ..." if len(v) > 3 else ""), r)
              for r, v in sorted(reasons.items(), key=lambda kv: -len(kv[1]))]
    if report["leaked_images"]:
        lines.append("images left behind by the tests (deleted): %s" % report["leaked_images"])
    return lines


if __name__ == "__main__":
    rep = tempest(lab_model(), sys.argv[1] if len(sys.argv) > 1 else "smoke")
    if rep["result"]["failed"]:
        print(rep["console"][-8000:])
    print("\n".join(describe(rep)))
