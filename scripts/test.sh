#!/usr/bin/env bash
# The README's test command. Stages: lint, sanity, unit, integration, molecule, lab. `all` runs them
# but molecule (HELION_TEST_MOLECULE=1 adds it: about 10 minutes); the lab stage (a seven-container cloud,
# its services and failure tests) takes about an hour. HELION_TEST_LAB=0 leaves it out.
# Installs what it needs first (scripts/bootstrap.sh test).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
stage=${1:-all}
bash scripts/bootstrap.sh test
export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$top/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$top/.venv/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=true
export PYTHONDONTWRITEBYTECODE=1

run() { echo "=== $*"; local t=$SECONDS; "$@"; echo "=== done in $((SECONDS - t)) s: $1"; }

# Molecule (through ansible-compat) installs a copy of this collection into ~/.ansible/collections, where
# ansible-lint finds it before this checkout: a copy from an earlier run hides the roles added since.
drop_collection_copy() {
  local copy=$HOME/.ansible/collections/ansible_collections/helion/openstack
  if [ -e "$copy" ] && [ ! -L "$copy" ]; then rm -rf "$copy"; fi
}
drop_collection_copy

lint() {
  run ruff check .
  drop_collection_copy
  run ansible-lint --profile production
  run antsibull-changelog lint
}

sanity() {
  # ansible-test needs the collection at ansible_collections/helion/openstack. Copy the files git
  # knows (tracked, and untracked but not ignored) outside this repository: inside it, ansible-test
  # would ask git, which ignores the copy.
  local work dest pip_version
  work=$(mktemp -d "${TMPDIR:-/tmp}/helion-sanity.XXXXXX")
  dest="$work/ansible_collections/helion/openstack"
  mkdir -p "$dest"
  git ls-files --cached --others --exclude-standard -z | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' \
    | tar -cf - -T - | tar -xf - -C "$dest"
  # ansible-test fetches a pip bootstrap script from a host we cannot reach: give it ours.
  pip_version=$(sed -n "s/.*pip='\([0-9.]*\)'.*/\1/p" \
    "$(python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -n 1)
  mkdir -p ~/.ansible/test/cache
  cp scripts/ansible-test-get-pip.py "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  cd "$dest"
  run ansible-test sanity --venv --python 3.11 --color no
  cd "$top"
  rm -rf "$work"
}

unit() { run python -m pytest -q -p no:cacheprovider tests/unit; }
# The modules, roles and playbooks against real peers (tests/integration), and AWX readiness (tests/awx).
integration() {
  run python -m pytest -q -p no:cacheprovider --durations=15 tests/integration tests/awx
}
# The lab stage makes its own lab: it removes a lab left running (its SSH key and secrets may belong to
# another checkout), builds the seven containers and their BMCs, deploys, runs the failure tests, and
# removes the lab again. About an hour on an idle 2-core machine.
# The third Swift node's tests (tests/lab/test_swift_growth.py: it joins, then drains out; about 15 minutes) run
# last in the storage and cloud scopes; HELION_TEST_SWIFT_GROWTH=0 leaves them out.
# The whole overcloud deploy with a controller powered off (test_deploy_during_a_single_controller_outage,
# marked `long`: about 15 minutes) runs only with HELION_TEST_LAB_LONG=1; the volume failover test still runs a
# playbook with a controller off in the default run.
# HELION_TEST_LAB_SCOPE chooses what the lab stage deploys and tests:
#   storage (the default): the control plane below with Swift, Glance and the tiny image (the plays tagged
#     control_plane, swift and glance), the object storage and image tests (tests/lab/test_storage_images.py) and
#     Tempest's identity, object-storage and image smoke tests (tests/lab/test_tempest.py, HELION_TEMPEST_SCOPE=storage).
#   control_plane: HAProxy, keepalived, memcached, Galera, RabbitMQ and Keystone on the three
#     controllers (the plays tagged control_plane), the log server and every node's journal sent to it (tagged
#     logging), Prometheus and every node's exporters (tagged monitoring), the no-op deploy, the node image,
#     logging, monitoring, the rolling update, secrets, BMC and failure tests (tests/lab/test_node_image.py,
#     test_logging.py, test_monitoring.py, test_rolling_update.py, test_control_plane.py). The tests marked `services`
#     are deselected, and the modules that test the other services (Nova, Neutron, Cinder, Heat, Horizon,
#     Tempest, status) are not collected.
#   cloud: every service and every lab test module: about 100 minutes on this 2-core machine, more than CI's
#     90 (docs/testing.md has the stage times), so not the default.
lab() {
  local scope=${HELION_TEST_LAB_SCOPE:-storage} marks=() paths=(tests/lab) skip=()
  if [ "$scope" = control_plane ] || [ "$scope" = storage ]; then
    echo "lab: scope $scope: the services beyond it and their tests are left out" \
      "(HELION_TEST_LAB_SCOPE=cloud runs them): see docs/testing.md"
    export HELION_LAB_DEPLOY_TAGS=control_plane,logging,monitoring
    paths=(tests/lab/test_node_image.py tests/lab/test_logging.py tests/lab/test_monitoring.py tests/lab/test_rolling_update.py
      tests/lab/test_control_plane.py)
    if [ "$scope" = storage ]; then
      HELION_LAB_DEPLOY_TAGS+=,swift,glance
      # Tempest's identity, object-storage and image smoke tests (the services this scope deploys)
      export HELION_TEMPEST_SCOPE=${HELION_TEMPEST_SCOPE:-storage}
      paths+=(tests/lab/test_tempest.py tests/lab/test_storage_images.py)
      # Last: the lab keeps the third node afterwards.
      [ "${HELION_TEST_SWIFT_GROWTH:-1}" = 0 ] || paths+=(tests/lab/test_swift_growth.py)
    fi
    marks+=("not services")
  elif [ "$scope" != cloud ]; then
    echo "HELION_TEST_LAB_SCOPE must be storage, control_plane or cloud" >&2; return 2
  fi
  if [ "${HELION_TEST_SWIFT_GROWTH:-1}" = 0 ]; then skip=(--ignore tests/lab/test_swift_growth.py); fi
  if [ "${HELION_TEST_LAB_LONG:-0}" = 0 ]; then
    echo "lab: the tests marked long are deselected (HELION_TEST_LAB_LONG=1 runs them): see docs/testing.md"
    marks+=("not long")
  fi
  if ((${#marks[@]})); then
    local expr=${marks[0]} mark
    for mark in "${marks[@]:1}"; do expr+=" and $mark"; done
    skip+=(-m "$expr")
  fi
  run bash scripts/lab.sh down lab
  run python -m pytest -q -s -p no:cacheprovider --durations=40 "${paths[@]}" "${skip[@]}"
  run bash scripts/lab.sh down lab
}
# Molecule: three controllers from the lab's base image: converge, idempotence, check, verify. Not part of
# `all` since the lab stage deploys the same roles (and every other service) to the lab and requires its
# second deploy to change nothing: the suite stays within its time budget. HELION_TEST_MOLECULE=1 adds it.
molecule_stage() {
  run bash scripts/lab.sh image
  run molecule test -s control_plane
}
benchmarks() { run bash benchmarks/run.sh; }

case "$stage" in
  all)
    lint; sanity; unit; integration
    if [ "${HELION_TEST_MOLECULE:-0}" != 0 ]; then molecule_stage; fi
    if [ "${HELION_TEST_LAB:-1}" != 0 ]; then lab; fi ;;
  lint|sanity|unit|integration|lab|benchmarks) "$stage" ;;
  molecule) molecule_stage ;;
  *) echo "usage: $0 [all|lint|sanity|unit|integration|lab|molecule|benchmarks]" >&2; exit 2 ;;
esac
