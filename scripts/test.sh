#!/usr/bin/env bash
# The test command (README, .ci/run): set up from nothing, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
LEAKCTL_SKIP_BUILD=1 npx vitest run "$@"
