#!/usr/bin/env bash
# PostgreSQL for the end-to-end suites: Debian's packages, a throwaway cluster on 127.0.0.1 with
# trust auth and fsync off. up STATE: prints `export NIXIE_E2E_POSTGRES_URL=…`; down STATE: stops it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
PORT=${NIXIE_E2E_POSTGRES_PORT:-15439}
# The cluster lives under /tmp: initdb runs as user postgres, which must be able to reach it.
DIR=/tmp/nixie-e2e-postgres-$PORT
bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$1" in
  up)
    [ -n "$(bindir)" ] || apt_install postgresql
    BIN=$(bindir)
    mkdir -p "$DIR"
    [ "$(id -u)" != 0 ] || chown postgres:postgres "$DIR"
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >&2
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 30 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
    fi
    if [ -z "$("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "select 1 from pg_database where datname='nixie'")" ]; then
      "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres nixie
    fi
    echo "export NIXIE_E2E_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/nixie"
    ;;
  down)
    BIN=$(bindir)
    [ -z "$BIN" ] || as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
