#!/usr/bin/env bash
# Build vcsimlite (tests/peers/vcsim/main.go) offline against Debian's govmomi 0.24.2:
#   apt-get install -y golang-go golang-github-vmware-govmomi-dev
# Usage: build.sh [OUTPUT]   (default: <repo>/.cache/vcsim/vcsimlite)
# The binary is rebuilt only when main.go is newer than it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$root/.cache/vcsim/vcsimlite}
if [ -x "$out" ] && [ "$out" -nt "$here/main.go" ]; then
    echo "$out"
    exit 0
fi
command -v go >/dev/null 2>&1 || { echo "go not found: apt-get install -y golang-go golang-github-vmware-govmomi-dev" >&2; exit 2; }
[ -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ] || {
    echo "govmomi sources not found: apt-get install -y golang-github-vmware-govmomi-dev" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/gopath/src/vcsimlite" "$(dirname "$out")"
cp "$here/main.go" "$work/gopath/src/vcsimlite/"
GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="${GOCACHE:-$root/.cache/vcsim/gocache}" \
    go build -o "$out.tmp" vcsimlite
mv "$out.tmp" "$out"
echo "$out"
