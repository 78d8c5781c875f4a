#!/usr/bin/env bash
# A real search engine for the end-to-end suites: an embedded OpenSearch 2.19 node (or, with
# OS_PEER_ENGINE=es7, Elasticsearch 7.10.2, which search.nixos.org runs) with the site's schema-51
# mapping and the corpus in test/e2e/servers/opensearch/ (see its README.md), behind a proxy with the
# site's URL layout and its public Basic auth pair.
# up STATE: prints `export NIXIE_E2E_SEARCH_URL=…` (and the request log, the node's admin URL);
# down STATE: stops it.
# Port: NIXIE_E2E_SEARCH_PORT (default 19200) for the proxy; the node uses PORT+1 and PORT+2.
# Build cache (jars, compiled class, Maven's local repository): NIXIE_E2E_SEARCH_CACHE, default
# .cache/opensearch in the checkout (gitignored). The first run needs Maven Central; later runs are offline.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PORT=${NIXIE_E2E_SEARCH_PORT:-19200}
DIR=$2/opensearch
export OS_PEER_CACHE=${NIXIE_E2E_SEARCH_CACHE:-$ROOT/.cache/opensearch}
# nixie's own default pair (config/default.json): the proxy refuses requests without it, like the site
export OS_PEER_AUTH=${OS_PEER_AUTH-aWVSALXpZv:X8gPHnzL52wFEekuxsfQ9cSh}
case "$1" in
  up)
    command -v java >/dev/null && command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
    command -v mvn >/dev/null || apt_install maven
    command -v curl >/dev/null || apt_install curl
    command -v python3 >/dev/null || apt_install python3
    base=$(bash "$HERE/opensearch/up.sh" "$PORT" "$DIR")
    echo "export NIXIE_E2E_SEARCH_URL=$base"
    echo "export NIXIE_E2E_SEARCH_NODE=http://127.0.0.1:$((PORT + 1))"
    echo "export NIXIE_E2E_SEARCH_LOG=$DIR/requests.ndjson"
    ;;
  down)
    bash "$HERE/opensearch/down.sh" "$PORT" "$DIR"
    ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
