# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/galera/files/galera-clustercheck: which Galera states HAProxy sees as available."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.machinery
import importlib.util
import os
import sys
import types

import pytest

HELPER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "galera", "files", "galera-clustercheck")
# The nodes' python3-pymysql; the logic under test never connects.
sys.modules.setdefault("pymysql", types.ModuleType("pymysql"))
LOADER = importlib.machinery.SourceFileLoader("galera_clustercheck", HELPER)
SPEC = importlib.util.spec_from_loader("galera_clustercheck", LOADER)
clustercheck = importlib.util.module_from_spec(SPEC)
LOADER.exec_module(clustercheck)


def galera(status, available_when_donor):
    node = clustercheck.Galera("/nonexistent.sock", available_when_donor)
    node._query = lambda: status
    return node


@pytest.mark.parametrize("cluster, local, desync, donor_ok, synced", [
    ("Primary", "4", "0", False, True),
    ("Primary", "4", "0", True, True),
    # a donor: out by default, in when asked (mariabackup SST does not block it)
    ("Primary", "2", "0", False, False),
    ("Primary", "2", "0", True, True),
    ("Primary", "2", "OFF", True, True),
    # desynced by an operator (SET GLOBAL wsrep_desync = ON): out of rotation either way
    ("Primary", "2", "1", True, False),
    ("Primary", "2", "ON", True, False),
    ("Primary", "2", None, True, False),
    # a joiner or a joined member catching up is never available
    ("Primary", "1", "0", True, False),
    ("Primary", "3", "0", True, False),
    # a non-Primary component never is, donor or not
    ("non-Primary", "4", "0", True, False),
    ("non-Primary", "2", "0", True, False),
    (None, None, None, True, False),
])
def test_available_states(cluster, local, desync, donor_ok, synced):
    status = {} if cluster is None else {"WSREP_CLUSTER_STATUS": cluster, "WSREP_LOCAL_STATE": local}
    if desync is not None:
        status["WSREP_DESYNC"] = desync
    assert galera(status, donor_ok).state()[0] is synced


def test_unreachable_server_is_down():
    node = clustercheck.Galera("/nonexistent.sock", True)

    def fail():
        raise OSError("no socket")
    node._query = fail
    assert node.state() == (False, "down")


@pytest.mark.parametrize("error, logged", [
    # HAProxy's check resets the connection once it has the status line: normal, not logged
    (ConnectionResetError(104, "Connection reset by peer"), ""),
    (BrokenPipeError(32, "Broken pipe"), ""),
    (ValueError("something else"), "galera-clustercheck: request from 10.0.0.5 failed: ValueError('something else')\n"),
])
def test_a_check_that_hangs_up_early_is_not_logged(error, logged, capsys):
    server = clustercheck.Server.__new__(clustercheck.Server)
    try:
        raise error
    except Exception:
        server.handle_error(None, ("10.0.0.5", 4321))
    assert capsys.readouterr().err == logged
