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
echo "== leakctl checklist --filter revoke-critical --verbose --members 2   (what can be revoked NOW first, each item starting with its revoke command)"
$L checklist --filter revoke-critical --verbose --members 2
echo
# Is the leaked value still in use? The demo has no real cluster: it starts the
# LOCAL STAND-IN API server the tests use (fixtures/kube, 127.0.0.1, self-signed),
# serving the sample cluster as it runs "today", partly rotated.
echo "== [local stand-in API server on 127.0.0.1, not a real cluster] leakctl verify cluster"
node dist/fixtures/kube/demo-apiserver.js "$scratch/kube" > "$scratch/kube.out" &
apiserver=$!
trap 'kill "$apiserver" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$scratch/kube.out" ] && break; sleep 0.2; done
kubeconfig="$(head -1 "$scratch/kube.out")"
$L verify cluster --kubeconfig "$kubeconfig" || true
echo
echo "== the team rotates prod/db-credentials; verify again: its item ticks itself"
kill -USR2 "$apiserver"
sleep 0.5
$L verify cluster --kubeconfig "$kubeconfig" | tail -3 || true
$L checklist --phase emergency --filter db-credentials --members 10 || true
kill "$apiserver" 2>/dev/null || true
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
