#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: npm packages for hardhat/ (Hardhat 3, Node 22, solc, ethers),
# NuGet packages, PostgreSQL server binaries and Chromium (browser test). Talks only to the package registries.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH; install it first"
command -v npm >/dev/null || die "npm is not on PATH; install Node.js (any version >= 18; Node 22 itself comes from npm)"

# Install only when package-lock.json changed since the last successful install. `npm install` rather than
# `npm ci`: the registry here does not serve EDR's other-platform optional packages, so the lock cannot list
# them and `npm ci` refuses it as "out of sync"; `npm install` installs the locked versions all the same.
stamp="hardhat/node_modules/.og-lock-stamp"
lock_hash="$(sha256sum hardhat/package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  log "installing hardhat/ npm packages"
  (cd hardhat && npm install --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$stamp"
fi
[[ -x hardhat/node_modules/.bin/node ]] || die "hardhat/node_modules/.bin/node is missing after npm install (package node@22)"

# PostgreSQL server binaries (Debian's postgresql package). The client alone is not enough.
find_pg_bin() {
  local b
  for b in "$(command -v pg_ctl 2>/dev/null || true)" /usr/lib/postgresql/*/bin/pg_ctl; do
    [[ -n "$b" && -x "$b" ]] && { dirname "$b"; return 0; }
  done
  return 1
}
if ! find_pg_bin >/dev/null; then
  log "installing PostgreSQL server (apt)"
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  fi
  find_pg_bin >/dev/null || die "PostgreSQL server binaries (initdb, pg_ctl) not found after apt-get install postgresql"
fi

# Debian's Chromium, for the dashboard's browser test (headless screenshot). Optional for the demo.
if [[ ! -x /usr/bin/chromium ]]; then
  log "installing Chromium (apt) for the browser test"
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  fi
  [[ -x /usr/bin/chromium ]] || warn "Chromium could not be installed; the dashboard browser test will fail"
fi

log "restoring NuGet packages"
dotnet restore OpenGradient.Oracle.sln --verbosity quiet >/dev/null || dotnet restore OpenGradient.Oracle.sln
log "bootstrap done"
