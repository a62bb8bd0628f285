#!/usr/bin/env bash
# Installs what the collection's commands need on a Debian machine: Debian packages
# (from bindep.txt), a virtualenv in .venv with the Python packages, and the
# collection linked where ansible-test and ansible-playbook expect it.
# Safe to run again: every step checks before it acts.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
want_test=${1:-runtime}   # "runtime" or "test"

debs() {
  # Rows of bindep.txt, filtered to the profile asked for.
  awk -v want="$want_test" '
    /^#/ || NF == 0 {next}
    { if ($0 ~ /test\]/ && want != "test") next; print $1 }' bindep.txt
}

missing=()
for pkg in $(debs); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "bootstrap: run as root to install ${missing[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

py=${HELION_PYTHON:-python3.11}
command -v "$py" >/dev/null || py=python3
stamp=.venv/.installed-$(cat requirements.txt tests/requirements.txt | sha256sum | cut -c1-16)-$want_test
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  if [ "$want_test" = test ]; then
    .venv/bin/pip install -q -r requirements.txt -r tests/requirements.txt
  else
    .venv/bin/pip install -q -r requirements.txt 'ansible>=12,<13'
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# ansible-test and the playbooks find the collection by its path.
mkdir -p .venv/collections/ansible_collections/helion
ln -sfn "$top" .venv/collections/ansible_collections/helion/openstack
