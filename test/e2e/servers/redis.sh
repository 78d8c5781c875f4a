#!/usr/bin/env bash
# Redis for the end-to-end suites: Debian's redis-server on 127.0.0.1, no persistence.
# up STATE: prints `export NIXIE_E2E_REDIS_URL=…`; down STATE: stops it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
PORT=${NIXIE_E2E_REDIS_PORT:-16390}
DIR=$2/redis
case "$1" in
  up)
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p "$DIR"
    if [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" != PONG ]; then
      redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes --pidfile "$DIR/redis.pid" \
        --dir "$DIR" --logfile "$DIR/redis.log" --save '' --appendonly no >&2
      for _ in $(seq 1 50); do [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
      [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ] || { echo "redis did not start; see $DIR/redis.log" >&2; exit 1; }
    fi
    echo "export NIXIE_E2E_REDIS_URL=redis://127.0.0.1:$PORT"
    ;;
  down)
    redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
