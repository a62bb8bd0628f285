"""The network plan renderers: Markdown tables and Graphviz DOT."""

import os
import shutil
import subprocess

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.render import render_dot, render_markdown

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


@pytest.fixture(scope="module")
def kvm_plan():
    return load_and_plan(os.path.join(ROOT, "inventories", "kvm-reference"))[0]


def test_markdown_networks_table_has_one_row_per_network(kvm_plan):
    text = render_markdown(kvm_plan)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "|---" not in line]
    table = text.split("## Networks")[1].split("## Virtual IPs")[0]
    net_rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| Network")]
    assert len(net_rows) == len(kvm_plan["networks"])
    assert ("| management | Overcloud management: internal API, cluster, storage and VxLAN traffic | 100 | tagged | "
            "10.100.0.0/22 | 10.100.0.1 | 9000 | hosts 10.100.0.10 - 10.100.3.200; "
            "VIPs 10.100.3.201 - 10.100.3.250 | no |") in table
    assert "| fc | Fibre Channel SAN between compute servers and 3PAR (no IP) | - | untagged | - | - | - | - | yes |" \
           in table
    assert rows
    assert "### ctl1" in text
    assert "| bond0.100 | vlan | 9000 | management | 10.100.0.11/22 | 10.100.0.1 | VLAN 100 on bond0 |" in text


def test_dot_has_every_network_and_host(kvm_plan):
    dot = render_dot(kvm_plan)
    for net in kvm_plan["networks"]:
        assert '"net:%s"' % net["name"] in dot
    for host in kvm_plan["hosts"]:
        assert '"host:%s" [shape=component' % host in dot
    assert '"host:ctl1" -- "net:management" [label="10.100.0.11"];' in dot


def test_dot_is_valid_graphviz(kvm_plan, tmp_path):
    if not shutil.which("dot"):
        pytest.fail("Graphviz 'dot' is missing: bindep.txt installs it")
    src = tmp_path / "t.dot"
    src.write_text(render_dot(kvm_plan))
    out = subprocess.run(["dot", "-Tsvg", str(src)], capture_output=True, text=True, check=True).stdout
    assert out.count("<g id=\"node") >= len(kvm_plan["hosts"]) + len(kvm_plan["networks"])
