"""Makes `ansible_collections.helion.openstack` importable when the tests run under plain pytest.

Under `ansible-test units` the checkout already sits at ansible_collections/helion/openstack.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".venv", "collections")


def _link_collection():
    link = os.path.join(COLLECTIONS, "ansible_collections", "helion", "openstack")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)


if "ansible_collections" not in ROOT.split(os.sep):
    _link_collection()
