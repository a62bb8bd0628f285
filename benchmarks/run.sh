#!/usr/bin/env bash
# Runs every benchmark (each times our code and a peer in the same run) and assembles
# docs/performance.md from benchmarks/results/*.md. Run it on an otherwise idle machine.
#   bash benchmarks/run.sh            # all
#   bash benchmarks/run.sh inventory  # one (bench_inventory.py)
#   bash benchmarks/run.sh control_plane  # the lab deploy timings (builds and deploys the lab)
#   bash benchmarks/run.sh swift_proxy    # Swift through the VIP against a direct proxy (the lab must be up)
#   bash benchmarks/run.sh boot           # instance boots through Nova against QEMU alone (the lab must be up)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
py=.venv/bin/python
only=${1:-}
for bench in benchmarks/bench_*.py; do
  name=$(basename "$bench" .py); name=${name#bench_}
  [ -z "$only" ] || [ "$only" = "$name" ] || continue
  # The control-plane benchmark builds and deploys the whole lab (20+ minutes): only when named.
  [ "$name" != control_plane ] || [ "$only" = control_plane ] || continue
  # The Swift proxy benchmark needs the lab cloud up: only when named.
  [ "$name" != swift_proxy ] || [ "$only" = swift_proxy ] || continue
  [ "$name" != boot ] || [ "$only" = boot ] || continue
  echo "=== benchmark $name"
  PYTHONPATH="$top:$top/.venv/collections${PYTHONPATH:+:$PYTHONPATH}" "$py" "$bench"
done
bash benchmarks/assemble.sh
