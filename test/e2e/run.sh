#!/usr/bin/env bash
# npm run test:e2e [-- mocha args]: starts the real servers the end-to-end suites need (installing
# them where it can), runs test/e2e/**/*.test.ts against them, and stops them again.
# Each test/e2e/servers/NAME.sh answers `up STATE_DIR` by printing `export VAR=value` lines on
# stdout (logs go to stderr) and fails loudly when it cannot start; `down STATE_DIR` stops it.
# NIXIE_E2E_SERVERS="redis postgres" limits which servers start (default: all of them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STATE=${NIXIE_E2E_DIR:-$PWD/.e2e}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

servers=()
if [ -n "${NIXIE_E2E_SERVERS:-}" ]; then
  read -r -a servers <<< "$NIXIE_E2E_SERVERS"
else
  for f in test/e2e/servers/*.sh; do servers+=("$(basename "$f" .sh)"); done
fi

started=()
cleanup() {
  for name in "${started[@]}"; do
    bash "test/e2e/servers/$name.sh" down "$STATE" >&2 || echo "e2e: stopping $name failed" >&2
  done
}
trap cleanup EXIT

for name in "${servers[@]}"; do
  script="test/e2e/servers/$name.sh"
  [ -f "$script" ] || { echo "e2e: no server script $script" >&2; exit 1; }
  echo "e2e: starting $name" >&2
  t0=$(date +%s)
  if ! exports=$(bash "$script" up "$STATE"); then
    echo "e2e: FAILED to start $name (see above); the end-to-end suites cannot run" >&2
    exit 1
  fi
  started+=("$name")
  eval "$exports"
  echo "e2e: $name ready in $(( $(date +%s) - t0 )) s" >&2
done

if [ $# -gt 0 ]; then npx mocha --config test/e2e/.mocharc.json "$@"; else npx mocha --config test/e2e/.mocharc.json "test/e2e/**/*.test.ts"; fi
