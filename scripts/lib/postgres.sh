# shellcheck shell=bash
# Throwaway PostgreSQL clusters for tests and the demo (see /work/shared/RECIPES.md).
#
#   source scripts/lib/postgres.sh
#   port=$(pg_free_port)
#   pg_start "$repo/.local/pg-demo" "$port"     # idempotent: a running cluster is left alone
#   psql -h 127.0.0.1 -p "$port" -U postgres -c 'CREATE DATABASE oracle'
#   pg_stop "$repo/.local/pg-demo"              # idempotent
#
# PostgreSQL refuses to run as root, so as root the server runs as the unprivileged system user `ogpg`
# (created if missing); as any other user it runs as that user. PG_FAST=1 turns off fsync and friends:
# tests only, never for a durability claim. PG_EXTRA_OPTS adds server options (e.g. the LoadBench's
# pg_stat_statements).

PG_USER_NAME="${PG_USER_NAME:-ogpg}"

# Prints the directory that holds initdb/pg_ctl, or fails with a message naming the fix.
pg_bin_dir() {
  local d
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/pg_ctl" ]]; then echo "$PG_BIN"; return 0; fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"; return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$d/pg_ctl" && -x "$d/initdb" ]]; then echo "$d"; return 0; fi
  done
  echo "postgres.sh: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin;" \
       "install them (apt-get install -y postgresql) or set PG_BIN" >&2
  return 1
}

# Runs a PostgreSQL server binary as the right user.
_pg_as() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u "$PG_USER_NAME" -- "$@"; else "$@"; fi
}

_pg_ensure_user() {
  [[ "$(id -u)" == 0 ]] || return 0
  id -u "$PG_USER_NAME" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER_NAME" 2>/dev/null \
    || id -u "$PG_USER_NAME" >/dev/null 2>&1   # lost a race with a parallel caller: fine
}

# Prints a TCP port on 127.0.0.1 that was free a moment ago.
pg_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for _ in $(seq 1 100); do
    p=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  echo "postgres.sh: no free port found" >&2; return 1
}

# pg_start <dir> <port>: initialises <dir> if it is empty and starts a server on 127.0.0.1:<port>.
pg_start() {
  local dir="$1" port="$2" bin opts
  if [[ -z "$dir" || -z "$port" ]]; then echo "usage: pg_start <dir> <port>" >&2; return 2; fi
  bin=$(pg_bin_dir) || return 1
  _pg_ensure_user || { echo "postgres.sh: could not create user $PG_USER_NAME" >&2; return 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ "$(id -u)" == 0 ]]; then chown "$PG_USER_NAME" "$dir"; chmod 700 "$dir"; fi
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    _pg_as "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir.initdb.log" 2>&1 \
      || { echo "postgres.sh: initdb failed, see $dir.initdb.log" >&2; return 1; }
  fi
  if _pg_as "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then return 0; fi
  # A node holds about Jobs:WorkerCount connections (Hangfire workers wait for new jobs on LISTEN) plus its pool;
  # tests run up to three nodes on one server next to their own clients, past the default limit of 100.
  opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400"
  opts="$opts ${PG_EXTRA_OPTS:-}"
  if [[ "${PG_FAST:-0}" == 1 ]]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  _pg_as "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null \
    || { echo "postgres.sh: server did not start, see $dir/server.log" >&2; tail -n 20 "$dir/server.log" >&2; return 1; }
}

# pg_stop <dir>: stops the server of <dir> if one runs.
pg_stop() {
  local dir="$1" bin
  if [[ -z "$dir" ]]; then echo "usage: pg_stop <dir>" >&2; return 2; fi
  [[ -f "$dir/PG_VERSION" ]] || return 0
  bin=$(pg_bin_dir) || return 1
  if _pg_as "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    _pg_as "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
  fi
}
