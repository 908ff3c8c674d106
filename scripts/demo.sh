#!/usr/bin/env bash
# The main job on the bundled sample data, in a scratch directory: triage the
# sample etcd snapshot that "leaked" (every kind of Secret, plaintext and
# encrypted, old and deleted values), then a repository that leaked
# credentials; show the checklist and the post-mortem draft.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
scratch="$(mktemp -d)"
export LEAKCTL_WORKSPACE="$scratch/.leakctl"
export LEAKCTL_ACTOR="${LEAKCTL_ACTOR:-demo}"
L="node bin/run.js"
echo "== leakctl triage etcd-leak --snapshot fixtures/etcd/sample.db --encryption-config fixtures/etcd/sample-encryption-config.yaml"
$L triage etcd-leak --snapshot fixtures/etcd/sample.db --encryption-config fixtures/etcd/sample-encryption-config.yaml \
  --exposed-at "$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)" --bucket etcd-backups --object etcd-snapshot.db || true
echo
echo "== leakctl checklist --phase emergency"
$L checklist --phase emergency
echo
echo "== leakctl checklist --filter revoke-critical --verbose --members 2   (each item starts with its revoke command)"
$L checklist --filter revoke-critical --verbose --members 2
echo
bash fixtures/git/make-sample-repo.sh "$scratch/git" >/dev/null
echo "== leakctl triage git-leak --repo $scratch/git/repo"
$L triage git-leak --repo "$scratch/git/repo" --replacements-dir "$scratch" || true
echo
echo "== leakctl checklist --phase hour-0 --verbose   (revoke NOW: the commands come first)"
$L checklist --phase hour-0 --verbose
echo
echo "== leakctl report | head -40"
$L report | head -40
echo
echo "Workspace: $LEAKCTL_WORKSPACE (try: LEAKCTL_WORKSPACE=$LEAKCTL_WORKSPACE node bin/run.js checklist, and incident list)"
