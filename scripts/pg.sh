#!/usr/bin/env bash
# Private local PostgreSQL cluster for the demo, the tests and CI.
#
#   eval "$(scripts/pg.sh start)"   # provision if needed, start, print the export line
#   scripts/pg.sh stop              # fast shutdown; the next start reuses the port when it is free
#   scripts/pg.sh status
#
# When ConnectionStrings__ClinicalCds is already set, `start` leaves that database alone and prints it back.
# The cluster lives in $CLINICALCDS_PGDIR (default: <repo>/.data/pg); initdb and pg_ctl refuse to run as
# root, so as root they run as the `postgres` user.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CLINICALCDS_PGDIR:-$root/.data/pg}"
db="${CLINICALCDS_DB:-clinicalcds}"

log() { echo "pg.sh: $*" >&2; }

pgbin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$bin" ]; then
    log "PostgreSQL is not installed; installing Debian's postgresql"
    if [ "$(id -u)" -ne 0 ]; then log "run as root (or install postgresql) first"; exit 1; fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  echo "$bin"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || shuf -i 20000-60000 -n 1
}

port_is_free() {
  # SO_REUSEADDR as PostgreSQL itself binds: connections of the previous run lingering in TIME_WAIT do not hold the port.
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}

conn_string() { echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=$db;Include Error Detail=true"; }

start() {
  if [ -n "${ConnectionStrings__ClinicalCds:-}" ]; then
    log "using the database already configured in ConnectionStrings__ClinicalCds"
    printf 'export ConnectionStrings__ClinicalCds=%q\n' "$ConnectionStrings__ClinicalCds"
    return
  fi
  local bin; bin="$(pgbin)"
  if [ "$(id -u)" -eq 0 ]; then install -d -o postgres -g postgres "$dir"; else mkdir -p "$dir"; fi
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    log "initialising a private cluster in $dir/data"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    local port; port="$(cat "$dir/port")"
  else
    # The cluster comes back on its previous port when that is free (a restart keeps the connection string valid).
    local port
    if [ -s "$dir/port" ] && port_is_free "$(cat "$dir/port")"; then port="$(cat "$dir/port")"; else port="$(free_port)"; fi
    echo "$port" > "$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=512MB -c fsync=${CLINICALCDS_PG_FSYNC:-on} -c synchronous_commit=off -c max_wal_size=4GB -c checkpoint_timeout=15min" \
      -w start >/dev/null
    log "PostgreSQL started on 127.0.0.1:$port"
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atqc "select 1 from pg_database where datname='$db'" postgres | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "create database \"$db\"" postgres >/dev/null
  fi
  printf 'export ConnectionStrings__ClinicalCds=%q\n' "$(conn_string "$port")"
}

stop() {
  local bin; bin="$(pgbin)"
  if [ -s "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    log "PostgreSQL stopped"
  fi
}

status() {
  local bin; bin="$(pgbin)"
  as_owner "$bin/pg_ctl" -D "$dir/data" status
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
