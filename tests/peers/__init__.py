"""The real peers the tests and benchmarks start, and the helpers they share.

  common     ROOT, VENV_BIN, CACHE; free_port() (the one way to get a free loopback port), wait_until()
             (the one bounded wait: a deadline, the peer's exit and log tail in the error), stop_process(),
             and Peer (a peer process: command line, log file, readiness, stop; a context manager)
  playbook   runs real ansible-playbook processes and parses their ansible.posix.json output
  ipmi       OpenIPMI's ipmi_sim, the lab BMCs (lab/bmc/labbmc.py, pyghmi), a silent BMC, ipmitool
  vcenter    vcsimlite (govmomi's simulator, vcsim/main.go built offline by vcsim/build.sh)
  storage    HPE's 3PAR WSAPI mock (hpe3par_mock.py) and our StoreVirtual simulator (storevirtual_sim.py)

Everything listens on loopback only; every start and stop is bounded.
"""
