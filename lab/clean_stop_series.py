"""Stops the VIP holder cleanly (docker stop) N times on a running, deployed lab and prints each stop's outage as
tests/lab's probe measures it (a token request through the VIP every 0.25 s, 2 s timeout), with every failed
request's error. Each stopped controller is started again and waits for Galera and RabbitMQ before the next stop.

    PYTHONPATH=. .venv/bin/python lab/clean_stop_series.py [STOPS] [internal_api|public_api]

The series in docs/performance.md ("Clean shutdown of the VIP holder") were made with it. Bounded: every wait has
a deadline, and STOPS is at most 20."""

import json
import os
import sys
import time

from tests.lab import lab

ERRORS = {}
_lab_token = lab.token  # main() puts token() below in its place, for the probe


def token(vip, password, timeout=2.0):
    """lab.token, keeping the error of each failed request by its start time."""
    return _lab_token(vip, password, timeout=timeout, errors=ERRORS)


def main():
    stops = min(int(sys.argv[1]) if len(sys.argv) > 1 else 3, 20)
    which = sys.argv[2] if len(sys.argv) > 2 else "internal_api"
    with open(os.path.join(lab.ROOT, ".cache", "lab", lab.CLOUD + "-model.json")) as handle:
        model = json.load(handle)
    controllers = model["groups"]["controllers"]
    vip = model["vips"][which]["address"]
    password = lab.admin_password(controllers[0])
    lab.token = token  # the probe's requests record their errors
    outages = []
    for number in range(stops):
        holder = lab.vip_holder(controllers, vip)
        others = [h for h in controllers if h != holder]
        ERRORS.clear()
        with lab.TokenProbe(vip, password) as probe:
            probe.mark()
            lab.run(["docker", "stop", "-t", "10", holder], timeout=120)
            lab.wait_until("the VIP on another controller", lambda o=others: lab.vip_holder(o, vip), 60, 0.25)
            lab.wait_until("a token through the VIP", lambda: token(vip, password, timeout=10), 60, 0.5)
            time.sleep(3)
        t0 = probe.t0
        outage = probe.outage(t0)
        outages.append(round(outage, 2))
        slowest = max((end - start for start, _ok, end in probe.samples if start >= t0 - 0.5), default=0.0)
        errors = {round(start - t0, 2): err for start, err in sorted(ERRORS.items()) if start >= t0 - 1}
        print("stop %d of %s: outage %.2f s, slowest request %.2f s, errors %s"
              % (number + 1, holder, outage, slowest, errors), flush=True)
        lab.run(["docker", "start", holder], timeout=120)
        lab.wait_until("Galera size 3, all Synced", lambda: lab.galera_healthy(controllers), 300, 3)
        lab.wait_until("RabbitMQ on 3 nodes", lambda h=holder: len(lab.rabbit_running(h)) == 3, 300, 3)
    print("outages (s): %s" % outages)


if __name__ == "__main__":
    main()
