#!/usr/bin/env bash
# Nix for the !eval suites: Debian's nix-bin (nix-instantiate, no daemon) and bubblewrap. Nothing
# to start: `up` installs them when missing and prints `export NIXIE_E2E_NIX=…`; `down` is a no-op.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
case "$1" in
  up)
    apt_install nix-bin bubblewrap
    command -v prlimit >/dev/null || apt_install util-linux
    echo "export NIXIE_E2E_NIX=$(command -v nix-instantiate)"
    ;;
  down) ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
