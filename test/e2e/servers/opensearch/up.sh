#!/usr/bin/env bash
# up.sh [PORT=9250] [DIR=/tmp/opensearch-peer] [CORPUS.ndjson ...]
# A real search engine standing in for search.nixos.org's backend: an embedded OpenSearch 2.19.6 node
# (fork of Elasticsearch 7.10.2) -- or, with OS_PEER_ENGINE=es7, Elasticsearch 7.10.2 itself, which the
# site runs -- with the site's real schema-51 mapping and settings (mapping-schema51.json, from
# NixOS/nixos-search flake-info/src/elastic.rs), behind a loopback proxy that gives it the site's URL
# layout. Prints the base URL (e.g. http://127.0.0.1:9250/backend) on stdout; logs go to stderr. Use
# it as NIXIE_SEARCH_URL: the bot then POSTs to <base>/latest-51-nixos-<channel>/_search.
#
# Ports: PORT = proxy (the base URL), PORT+1 = the node's own HTTP (admin), PORT+2 = transport.
# CORPUS: NDJSON, one {"_id": ..., "_source": {...}} (or a bare source) per line; default
# corpus.ndjson beside this script. CORPUS.<channel>.ndjson beside it, if present, holds what differs
# in that channel: documents replaced by _id, or {"_id": ..., "_delete": true}. Each channel gets an index nixos-<schema>-<channel>-peer with the
# alias latest-<schema>-nixos-<channel>, like the site. Re-running with the node up reloads the corpus
# (the index is recreated) in about a second.
# Env: OS_PEER_ENGINE (opensearch | es7; default opensearch), OS_PEER_CACHE (jars + classes, default
#      /tmp/opensearch-peer-cache), OS_PEER_M2 (Maven's local repository, default $OS_PEER_CACHE/m2), OS_PEER_PREFIX (default /backend; "" = no prefix), OS_PEER_AUTH
#      (user:pass the proxy demands as Basic auth; default none), OS_PEER_SCHEMA (51), OS_PEER_CHANNELS
#      ("unstable 26.05"), OS_PEER_HEAP (max heap, 512m), OS_PEER_MAPPING (default mapping-schema51.json
#      beside this script), JAVA_HOME / java on PATH (17+), mvn on PATH (first run only).
# Every request through the proxy is logged to DIR/requests.ndjson (method, path, status, ms, body,
# error_type, error_reason). Stop with down.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PORT=${1:-9250}
DIR=${2:-/tmp/opensearch-peer}
shift $(( $# < 2 ? $# : 2 ))
CORPORA=("$@")
[ ${#CORPORA[@]} -gt 0 ] || CORPORA=("$HERE/corpus.ndjson")
ENGINE=${OS_PEER_ENGINE:-opensearch}
CACHE=${OS_PEER_CACHE:-/tmp/opensearch-peer-cache}
M2=${OS_PEER_M2:-$CACHE/m2}
PREFIX=${OS_PEER_PREFIX-/backend}
AUTH=${OS_PEER_AUTH:-}
SCHEMA=${OS_PEER_SCHEMA:-51}
CHANNELS=${OS_PEER_CHANNELS:-unstable 26.05}
HEAP=${OS_PEER_HEAP:-512m}
MAPPING=${OS_PEER_MAPPING:-$HERE/mapping-schema51.json}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
NODE_PORT=$((PORT + 1))
TRANSPORT_PORT=$((PORT + 2))
log() { echo "opensearch-up: $*" >&2; }
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
t0=$(date +%s.%N)
since() { python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.1f}s')" "$t0"; }

for c in "${CORPORA[@]}"; do [ -r "$c" ] || { log "corpus $c not readable"; exit 1; }; done
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# 1. build once: resolve the jars with Maven, compile the one source file with javac
SRC=$HERE/src/main/java/nixie/peer/OpenSearchPeer.java
case $ENGINE in
  opensearch) POM=$HERE/pom.xml; SUBST='s/org\.opensearch\./org.opensearch./g' ;;
  es7) POM=$HERE/es7/pom.xml; SUBST='s/org\.opensearch\./org.elasticsearch./g' ;;
  *) log "OS_PEER_ENGINE must be opensearch or es7, not '$ENGINE'"; exit 1 ;;
esac
KEY=$ENGINE-$(cat "$POM" "$SRC" | sha256sum | cut -c1-16)
BUILD=$CACHE/$KEY
if [ ! -f "$BUILD/ok" ]; then
  log "building $ENGINE into $BUILD (first run: Maven fetches ~46 MB of jars)"
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/tmp.XXXXXX")
  mkdir -p "$tmp/src/nixie/peer"
  sed "$SUBST" "$SRC" > "$tmp/src/nixie/peer/OpenSearchPeer.java"
  if ! mvn -q -B -f "$POM" -Dmaven.repo.local="$M2" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/lib" > "$tmp/mvn.log" 2>&1; then
    log "Maven failed:"; cat "$tmp/mvn.log" >&2; rm -rf "$tmp"; exit 1
  fi
  javac --release 17 -nowarn -cp "$tmp/lib/*" -d "$tmp/classes" "$tmp/src/nixie/peer/OpenSearchPeer.java" >&2
  touch "$tmp/ok"
  rm -rf "$BUILD"; mv "$tmp" "$BUILD"
  log "built in $(since)"
fi

# 2. start the node + proxy unless it is already up
health() { curl -fsS -m 3 "http://127.0.0.1:$NODE_PORT/_cluster/health" 2>/dev/null | grep -q '"status"'; }
PIDFILE=$DIR/peer.pid
if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")" && health; then
  running=$(cat "$DIR/engine" 2>/dev/null || echo opensearch)
  [ "$running" = "$ENGINE" ] || { log "a $running peer is running in $DIR; stop it with down.sh first"; exit 1; }
  log "already running (pid $(cat "$PIDFILE"))"
else
  rm -f "$PIDFILE"
  for p in $PORT $NODE_PORT $TRANSPORT_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then log "port $p is taken by another process"; exit 1; fi
  done
  rm -rf "$DIR/home"; mkdir -p "$DIR/home"
  : > "$DIR/requests.ndjson"
  log "starting $ENGINE (max heap $HEAP) on 127.0.0.1:$NODE_PORT, proxy on :$PORT"
  setsid "$JAVA" -Xms64m -Xmx"$HEAP" -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$DIR/home" \
    -Dpeer.home="$DIR/home" -Dpeer.httpPort="$NODE_PORT" -Dpeer.transportPort="$TRANSPORT_PORT" \
    -Dpeer.proxyPort="$PORT" -Dpeer.prefix="$PREFIX" -Dpeer.auth="$AUTH" -Dpeer.requestLog="$DIR/requests.ndjson" \
    -cp "$BUILD/classes:$BUILD/lib/*" nixie.peer.OpenSearchPeer > "$DIR/peer.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  echo "$ENGINE" > "$DIR/engine"
  for _ in $(seq 1 600); do
    grep -q '^PEER READY' "$DIR/peer.log" 2>/dev/null && health && break
    alive "$(cat "$PIDFILE")" || { log "node exited; see $DIR/peer.log"; tail -30 "$DIR/peer.log" >&2; exit 1; }
    sleep 0.2
  done
  health || { log "node did not answer in 120 s; see $DIR/peer.log"; tail -30 "$DIR/peer.log" >&2; exit 1; }
  log "node up after $(since)"
fi

# 3. one index per channel with the real mapping, aliased like the site; then the corpus
NODE=http://127.0.0.1:$NODE_PORT
BULK=$DIR/bulk.ndjson
python3 - "$BULK" "${CORPORA[@]}" <<'PY'
import json, sys
out = open(sys.argv[1], "w", encoding="utf-8")
n = 0
for path in sys.argv[2:]:
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        d = json.loads(line)
        src = d["_source"] if "_source" in d else d
        meta = {"index": {"_id": d["_id"]}} if d.get("_id") else {"index": {}}
        out.write(json.dumps(meta) + "\n" + json.dumps(src, ensure_ascii=False) + "\n")
        n += 1
print(f"opensearch-up: corpus: {n} documents", file=sys.stderr)
PY
BODY=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.setdefault("settings",{})["index"]={"number_of_shards":1,"number_of_replicas":0}; print(json.dumps(m))' "$MAPPING")
for ch in $CHANNELS; do
  idx="nixos-$SCHEMA-$ch-peer"; alias="latest-$SCHEMA-nixos-$ch"
  curl -sS -o /dev/null -X DELETE "$NODE/$idx" || true
  r=$(curl -sS -X PUT "$NODE/$idx" -H 'Content-Type: application/json' -d "$BODY")
  echo "$r" | grep -q '"acknowledged":true' || { log "creating $idx failed: $r"; exit 1; }
  r=$(curl -sS -X POST "$NODE/_aliases" -H 'Content-Type: application/json' \
      -d "{\"actions\":[{\"add\":{\"index\":\"$idx\",\"alias\":\"$alias\"}}]}")
  echo "$r" | grep -q '"acknowledged":true' || { log "alias $alias failed: $r"; exit 1; }
  r=$(curl -sS -X POST "$NODE/$idx/_bulk?refresh=true" -H 'Content-Type: application/x-ndjson' --data-binary "@$BULK")
  if ! echo "$r" | grep -q '"errors":false'; then
    log "bulk load into $idx had errors:"; echo "$r" | head -c 2000 >&2; echo >&2; exit 1
  fi
  # what differs in this channel: CORPUS.<channel>.ndjson beside each corpus (replaced or deleted documents)
  overlays=()
  for c in "${CORPORA[@]}"; do [ -r "${c%.ndjson}.$ch.ndjson" ] && overlays+=("${c%.ndjson}.$ch.ndjson"); done
  if [ ${#overlays[@]} -gt 0 ]; then
    python3 - "$DIR/bulk-$ch.ndjson" "${overlays[@]}" <<'PY'
import json, sys
out = open(sys.argv[1], "w", encoding="utf-8")
for path in sys.argv[2:]:
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        d = json.loads(line)
        if d.get("_delete"):
            out.write(json.dumps({"delete": {"_id": d["_id"]}}) + "\n")
        else:
            out.write(json.dumps({"index": {"_id": d["_id"]}}) + "\n" + json.dumps(d["_source"], ensure_ascii=False) + "\n")
PY
    r=$(curl -sS -X POST "$NODE/$idx/_bulk?refresh=true" -H 'Content-Type: application/x-ndjson' --data-binary "@$DIR/bulk-$ch.ndjson")
    echo "$r" | grep -q '"errors":false' || { log "channel changes for $idx had errors:"; echo "$r" | head -c 2000 >&2; echo >&2; exit 1; }
  fi
  n=$(curl -sS "$NODE/$idx/_count" | sed -E 's/.*"count":([0-9]+).*/\1/')
  log "$alias -> $idx: $n documents"
done
cat > "$DIR/peer.env" <<ENV
OS_PEER_ENGINE=$ENGINE
OS_PEER_BASE=http://127.0.0.1:$PORT$PREFIX
OS_PEER_NODE=$NODE
OS_PEER_PID=$(cat "$PIDFILE")
OS_PEER_REQUEST_LOG=$DIR/requests.ndjson
ENV
log "ready after $(since) (request log: $DIR/requests.ndjson)"
echo "http://127.0.0.1:$PORT$PREFIX"
