"""Runs HPE's 3PAR WSAPI mock server (python-3parclient 4.2.0 sdist) with compatibility fixes.

HPE's mock is not committed here: `fetch_mock()` downloads the sdist with pip into a cache
directory and extracts test/HPE3ParMockServer_flask.py. `patch_source()` applies the textual fixes
for Flask 3, and `_helion_compat()` (run inside the mock's namespace just before app.run)
fixes the drift between the 2016 mock and python-3parclient 4.4 / the real WSAPI:

- POST /cpgs accepts the MiB growth keys the client sends (the mock only knew growth*MB) and
  stores the CPG in the shape the WSAPI returns (SDGrowth with incrementMiB/limitMiB/warningMiB and
  the LDLayout; usage blocks), instead of echoing the request body;
- PUT /cpgs/<name> (modify CPG growth settings) exists, as on a real array;
- iSCSI ports carry IPAddr, iSCSIName and iSCSIPortInfo like the real WSAPI's port objects;
- the server listens on 127.0.0.1 only, without the debugger.

Usage: python tests/peers/hpe3par_mock.py --cache DIR --port N --user U --password P
"""

import argparse
import glob
import json
import os
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
     "    _helion_compat(globals())\n    app.run(host='127.0.0.1', port=args.port, debug=False, use_reloader=False)"),
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

    app.view_functions["create_cpgs"] = create_cpgs
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
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    path = fetch_mock(args.cache)
    with open(path) as handle:
        source = patch_source(handle.read())
    sys.argv = [path, "-user", args.user, "-password", args.password, "-port", str(args.port)]
    namespace = {"__name__": "__main__", "__file__": path, "_helion_compat": _helion_compat}
    exec(compile(source, path, "exec"), namespace)  # noqa: S102 - runs HPE's downloaded mock, patched


if __name__ == "__main__":
    main()
