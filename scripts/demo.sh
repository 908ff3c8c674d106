#!/usr/bin/env bash
# The main job on the bundled sample data, in a scratch workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export LEAKCTL_WORKSPACE="${LEAKCTL_WORKSPACE:-$(mktemp -d)/.leakctl}"
export LEAKCTL_ACTOR="${LEAKCTL_ACTOR:-demo}"
L="node bin/run.js"
$L incident open --title "etcd backup found in a public bucket" --kind etcd-leak --exposed-at "3h ago"
$L checklist --members 3
echo
echo "Workspace: $LEAKCTL_WORKSPACE"
