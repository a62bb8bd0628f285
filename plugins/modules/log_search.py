#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: log_search
short_description: Search the logs of the whole cloud on the log server
version_added: 0.3.0
description:
  - Answers "which entries did service S log on hosts H between T1 and T2, at severity L or worse, matching TEXT"
    over the journals that every node sends to the log server (role C(helion.openstack.log_server), fed by role
    C(helion.openstack.log_forwarder)), with C(journalctl) over the log server's journal files.
  - The journal files are split into groups of about the same size, searched at once, one C(journalctl) per
    group (O(parallel)), and the answers merged by time. A free-text question reads every entry; this spreads
    that work over the log server's cores.
  - Returns the entries as data (host, service, severity and time are the journal's own fields) and as a table.
  - Read-only.
author:
  - helion.openstack contributors (@helion-openstack)
options:
  services:
    description:
      - Services to keep, by syslog identifier or systemd unit (C(keystone) matches both the identifier
        C(keystone) and the unit C(keystone.service)). Empty keeps every service.
    type: list
    elements: str
    default: []
  hosts:
    description:
      - Hosts to keep, by the host name each node's journal records. Empty keeps every host.
    type: list
    elements: str
    default: []
  severity:
    description:
      - Keep this severity and worse (C(err) keeps err, crit, alert and emerg).
    type: str
    choices: [emerg, alert, crit, err, warning, notice, info, debug]
  start:
    description:
      - Start of the window, in any form C(journalctl --since) reads (C(2026-12-04 10:00:00 UTC), C(-1h), C(today)).
        Times without a zone are the log server's local time.
    type: str
    aliases: [since]
  end:
    description:
      - End of the window, as O(start) (C(journalctl --until)).
    type: str
    aliases: [until]
  grep:
    description:
      - A regular expression (PCRE2) the message must match; case-insensitive when it has no capital letter.
    type: str
  limit:
    description:
      - The most entries returned (the newest ones). RV(truncated) says whether there were more.
    type: int
    default: 1000
  directory:
    description:
      - Where the log server keeps the received journals.
    type: path
    default: /var/log/journal/remote
  parallel:
    description:
      - How many C(journalctl) run at once, each over its group of journal files. V(0) is the log server's
        number of processors.
    type: int
    default: 0
    version_added: 0.4.0
extends_documentation_fragment:
  - helion.openstack.attributes
attributes:
  check_mode:
    support: full
    details: The search only reads; it runs in check mode too.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Keystone's errors on two controllers in the last hour, matching "database"
  helion.openstack.log_search:
    services: [keystone]
    hosts: [ctl1, ctl2]
    severity: err
    start: -1h
    grep: database
  delegate_to: "{{ groups['undercloud'] | first }}"
  register: found

- name: Show them
  ansible.builtin.debug:
    msg: "{{ found.table.splitlines() }}"
"""

RETURN = r"""
entries:
  description: The matching entries, oldest first.
  returned: success
  type: list
  elements: dict
  contains:
    time:
      description: When the entry was logged (ISO 8601, UTC, microseconds).
      type: str
    host:
      description: The host that logged it.
      type: str
    service:
      description: The syslog identifier, else the unit without C(.service).
      type: str
    unit:
      description: The systemd unit of the process that logged it (empty for the kernel's and some others).
      type: str
    severity:
      description: The syslog severity name.
      type: str
    priority:
      description: The syslog severity number (0 emerg to 7 debug).
      type: int
    message:
      description: The message.
      type: str
  sample: [{time: "2026-12-04T20:41:02.118231Z", host: ctl1, service: keystone, unit: keystone.service,
            severity: err, priority: 3, message: "DBConnectionError: ..."}]
count:
  description: How many entries are returned.
  returned: success
  type: int
truncated:
  description: Whether more entries matched than O(limit).
  returned: success
  type: bool
table:
  description: The entries as a table for a person (time, host, service, severity, message).
  returned: success
  type: str
seconds:
  description: How long the search took.
  returned: success
  type: float
cmd:
  description: The one journalctl command that gives the same answer over the whole directory (to run by hand).
  returned: always
  type: list
  elements: str
cmds:
  description: The journalctl commands that were run, one per group of journal files.
  returned: success
  type: list
  elements: list
  version_added: 0.4.0
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.helion.openstack.plugins.module_utils import _log_search


def journal_files(directory):
    """[(path, size)] of the journal files (active and archived) in ``directory``; none when it cannot be read."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith((".journal", ".journal~")) and os.path.isfile(path):
            found.append((path, os.path.getsize(path)))
    return found


def run_all(module, cmds):
    """[(rc, stdout, stderr)] of the commands, run at once."""
    with ThreadPoolExecutor(max_workers=len(cmds)) as pool:
        return list(pool.map(lambda argv: module.run_command(
            argv, environ_update={"SYSTEMD_COLORS": "0", "LC_ALL": "C"}), cmds))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            services=dict(type="list", elements="str", default=[]),
            hosts=dict(type="list", elements="str", default=[]),
            severity=dict(type="str", choices=list(_log_search.SEVERITIES)),
            start=dict(type="str", aliases=["since"]),
            end=dict(type="str", aliases=["until"]),
            grep=dict(type="str"),
            limit=dict(type="int", default=1000),
            directory=dict(type="path", default="/var/log/journal/remote"),
            parallel=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    params = module.params
    cmd = []
    try:
        question = dict(services=params["services"], hosts=params["hosts"], severity=params["severity"],
                        since=params["start"], until=params["end"], grep=params["grep"], limit=params["limit"])
        cmd = _log_search.journalctl_argv(params["directory"], **question)
        workers = params["parallel"] or os.cpu_count() or 1
        groups = _log_search.file_groups(journal_files(params["directory"]), workers)
        # no journal file (a log server that received nothing yet, a wrong directory): journalctl says which
        cmds = [_log_search.journalctl_argv(params["directory"], files=group, **question) for group in groups] or [cmd]
        start = time.monotonic()
        answers = run_all(module, cmds)
        if any(rc != 0 and not _log_search.no_match(rc, stdout, stderr) for rc, stdout, stderr in answers):
            # a file rotated or vacuumed between the listing and the search: the whole directory in one run
            cmds = [cmd]
            answers = run_all(module, cmds)
        for rc, stdout, stderr in answers:
            if rc != 0 and not _log_search.no_match(rc, stdout, stderr):
                raise _log_search.LogSearchError("journalctl failed (rc %d): %s" % (rc, (stderr or stdout).strip()))
        entries, truncated = _log_search.parse_entries([stdout for _rc, stdout, _stderr in answers],
                                                       limit=params["limit"])
        seconds = time.monotonic() - start
    except _log_search.LogSearchError as exc:
        module.fail_json(msg="log search: %s" % exc, cmd=cmd)
    module.exit_json(changed=False, entries=entries, count=len(entries), truncated=truncated,
                     table=_log_search.format_table(entries), seconds=round(seconds, 3), cmd=cmd, cmds=cmds)


if __name__ == "__main__":
    main()
