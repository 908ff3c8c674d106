#!/usr/bin/env bash
# The main job on the bundled sample data, in a scratch directory: triage a
# repository that leaked credentials (and, once scan etcd lands, the sample
# etcd snapshot), then show the checklist and the post-mortem draft.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
scratch="$(mktemp -d)"
export LEAKCTL_WORKSPACE="$scratch/.leakctl"
export LEAKCTL_ACTOR="${LEAKCTL_ACTOR:-demo}"
L="node bin/run.js"
bash fixtures/git/make-sample-repo.sh "$scratch/git" >/dev/null
echo "== leakctl triage git-leak --repo $scratch/git/repo"
$L triage git-leak --repo "$scratch/git/repo" --replacements-dir "$scratch" || true
echo
echo "== leakctl checklist --phase hour-0"
$L checklist --phase hour-0
echo
echo "== leakctl report | head -40"
$L report | head -40
echo
echo "Workspace: $LEAKCTL_WORKSPACE (try: LEAKCTL_WORKSPACE=$LEAKCTL_WORKSPACE node bin/run.js checklist)"
