#!/usr/bin/env bash
# Runs every benchmark (each times our code and a peer in the same run) and assembles
# docs/performance.md from benchmarks/results/*.md. Run it on an otherwise idle machine.
#   bash benchmarks/run.sh            # all
#   bash benchmarks/run.sh inventory  # one (bench_inventory.py)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
py=.venv/bin/python
only=${1:-}
for bench in benchmarks/bench_*.py; do
  name=$(basename "$bench" .py); name=${name#bench_}
  [ -z "$only" ] || [ "$only" = "$name" ] || continue
  echo "=== benchmark $name"
  "$py" "$bench"
done
bash benchmarks/assemble.sh
