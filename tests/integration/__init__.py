"""Integration tests: every module, role and playbook through real Ansible against real peers (tests.peers)."""
