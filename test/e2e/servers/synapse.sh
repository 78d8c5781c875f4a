#!/usr/bin/env bash
# Synapse, the reference Matrix homeserver, for the end-to-end suites: `pip install matrix-synapse`
# into a cached virtual environment, server name `localhost` on 127.0.0.1, SQLite, registration by
# shared secret only, Synapse's default rate limits except where noted in the config below.
# up STATE: prints `export NIXIE_E2E_SYNAPSE_URL=…` and `export NIXIE_E2E_SYNAPSE_SECRET=…`
# (the suite registers its own users with the secret); down STATE: stops it.
# Env: NIXIE_SYNAPSE_VENV (default /root/.cache/nixie-synapse/venv, or ~/.cache/… for other users),
# NIXIE_SYNAPSE_VERSION (a pip version spec; default "==1.163.2", the release last verified; "" for the newest),
# NIXIE_E2E_SYNAPSE_PORT (default 18008), NIXIE_PYTHON (default python3.11, else python3).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/synapse.sh"

PORT=${NIXIE_E2E_SYNAPSE_PORT:-18008}
[ $# -ge 2 ] || { echo "usage: $0 up|down STATE_DIR" >&2; exit 2; }
mkdir -p "$2/synapse"
DIR=$(cd "$2/synapse" && pwd)
URL=http://127.0.0.1:$PORT

case "$1" in
  up)
    synapse_install
    if synapse_ready "$URL" && ! synapse_running "$DIR"; then
      echo "something else answers on $URL (another Synapse?); stop it or set NIXIE_E2E_SYNAPSE_PORT" >&2
      exit 1
    fi
    [ -f "$DIR/homeserver.yaml" ] || synapse_configure "$DIR" "$PORT"
    if ! synapse_ready "$URL"; then
      synapse_start "$DIR"
      synapse_wait "$DIR" "$URL" 60 || { echo "synapse did not answer on $URL; see $DIR/homeserver.log and $DIR/stderr.log" >&2; exit 1; }
    fi
    echo "export NIXIE_E2E_SYNAPSE_URL=$URL"
    echo "export NIXIE_E2E_SYNAPSE_SECRET=$(cat "$DIR/shared-secret")"
    ;;
  down)
    synapse_stop "$DIR"
    ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
