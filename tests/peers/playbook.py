"""Runs real ansible-playbook processes against this collection and returns their JSON results.

Integration tests use it so that every module is exercised through Ansible itself
(argument parsing, check mode, no_log, fail_json), not by calling Python directly.
(Formerly tests/integration/ansible_runner.py: that name is the PyPI package ansible-runner's, which tests/awx uses.)
"""

import json
import os
import subprocess
import sys

import yaml

from tests.peers.common import ROOT, VENV_BIN

__all__ = ["ROOT", "VENV_BIN", "PlaybookRun", "ansible_env", "run_playbook", "run_tasks"]


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".venv", "collections"),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "true",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "PATH": VENV_BIN + os.pathsep + env.get("PATH", ""),
    })
    if extra:
        env.update(extra)
    return env


class PlaybookRun(object):
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        try:
            start = proc.stdout.index("{")
            self.data = json.loads(proc.stdout[start:])
        except ValueError:
            self.data = {"plays": [], "stats": {}}

    def results(self, host="localhost"):
        """The result of every task for host, in order."""
        out = []
        for play in self.data.get("plays", []):
            for task in play.get("tasks", []):
                if host in task.get("hosts", {}):
                    res = dict(task["hosts"][host])
                    res["_task"] = task["task"]["name"]
                    out.append(res)
        return out

    def result(self, name, host="localhost"):
        """The result of the task called name."""
        for res in self.results(host):
            if res["_task"] == name:
                return res
        raise KeyError("no task %r in %s" % (name, [r["_task"] for r in self.results(host)]))

    @property
    def stats(self):
        return self.data.get("stats", {})

    def changed(self, host="localhost"):
        return self.stats.get(host, {}).get("changed")


def run_playbook(tmp_path, plays, check=False, diff=False, extra_args=(), inventory=None, env=None, timeout=600):
    """Write plays to a file under tmp_path and run ansible-playbook on it."""
    if isinstance(plays, dict):
        plays = [plays]
    book = os.path.join(str(tmp_path), "playbook-%d.yml" % len(os.listdir(str(tmp_path))))
    with open(book, "w") as handle:
        yaml.safe_dump(plays, handle, sort_keys=False)
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), book]
    cmd += ["-i", inventory or "localhost,"]
    if inventory is None:
        cmd += ["-c", "local", "-e", "ansible_python_interpreter=" + sys.executable]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    cmd += list(extra_args)
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=ansible_env(env), timeout=timeout,
                          cwd=ROOT)
    return PlaybookRun(proc)


def run_tasks(tmp_path, tasks, **kwargs):
    """Run tasks in one play on localhost (no fact gathering)."""
    play = {"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    return run_playbook(tmp_path, play, **kwargs)
