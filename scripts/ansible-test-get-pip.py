"""Offline stand-in for the pip bootstrap script ansible-test downloads for its --venv mode.

ansible-test creates each sanity virtualenv without pip and runs get-pip.py in it; that script
comes from a host this machine cannot reach. This one bootstraps the pip that ships with
Python (ensurepip), then runs `pip install` with the arguments ansible-test passed, which pull
the pinned pip from PyPI. scripts/test.sh copies it into ansible-test's cache.
"""

import ensurepip
import os
import runpy
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
# ensurepip turns off pip's configuration (index, certificates) in this process: keep ours.
saved = dict(os.environ)
ensurepip.bootstrap(upgrade=False, default_pip=False)
os.environ.clear()
os.environ.update(saved)
sys.argv = ["pip", "install"] + args
runpy.run_module("pip", run_name="__main__", alter_sys=True)
