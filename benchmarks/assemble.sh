#!/usr/bin/env bash
# Writes docs/performance.md from the sections in benchmarks/results/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
{
  echo "# Performance"
  echo
  echo "Each figure below was measured by a script in \`benchmarks/\`, which times our code and a"
  echo "peer in the same run and reports medians and their ratio. Machine: $(nproc) cores,"
  echo "$(free -g | awk '/Mem:/{print $2}') GiB, $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release), Python $(.venv/bin/python -c 'import platform; print(platform.python_version())')."
  echo "\`bash benchmarks/run.sh\` reruns them all; each section names its own command."
  echo
  for section in inventory ipmi vcenter swift control_plane lab_services; do
    f=benchmarks/results/$section.md
    [ -f "$f" ] && { cat "$f"; echo; }
  done
  for f in benchmarks/results/*.md; do
    case "$(basename "$f" .md)" in inventory|ipmi|vcenter|swift|control_plane|lab_services) ;; *) cat "$f"; echo ;; esac
  done
} > docs/performance.md
echo "wrote docs/performance.md"
