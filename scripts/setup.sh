#!/usr/bin/env bash
# Installs what leakctl and its tests need, only what is missing:
# Debian's etcd-server, etcd-client, chromium and tmux (real parts for the
# tests), and the npm packages exactly as package-lock.json pins them.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v git >/dev/null 2>&1 || need+=(git)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client) # real OpenSSH private keys in the detection tests
# The command lint (test/command-lint.test.ts) proves generated commands with the real tools:
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
[ -x /usr/bin/aws ] || command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v gh >/dev/null 2>&1 || need+=(gh)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
git filter-repo --version >/dev/null 2>&1 || need+=(git-filter-repo)
[ -x /usr/bin/time ] || need+=(time) # peak memory of the decompression-bomb tests
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql) # throwaway servers: the command lint parses SQL; verify issuer --connect logs in
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server) # verify issuer --connect: a real MySQL-protocol login
if [ "${#need[@]}" -gt 0 ] && [ "${LEAKCTL_SKIP_APT:-}" != "1" ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building"
npm run --silent build >/dev/null
