#!/usr/bin/env bash
# MediaWiki for the end-to-end suites: Debian's mediawiki package (1.39 on Debian 12) served by
# `php -S` on 127.0.0.1, with a SQLite database under STATE_DIR/mediawiki, configured like
# wiki.nixos.org where it matters to nixie (Cite and ParserFunctions, no TextExtracts, /w/api.php).
# Pages come from test/e2e/wiki-pages/: the path without ".wiki" is the title ("_" is a space, a
# folder is a parent page: Flakes/de.wiki -> "Flakes/de"; Template:Lang_bar.wiki -> that template).
# up STATE: installs the packages when missing, creates the wiki once, (re)imports the pages,
#           starts the server and prints `export NIXIE_E2E_WIKI_API=…`. Idempotent.
# down STATE: stops the server (its whole process group).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/apt.sh"
PORT=${NIXIE_E2E_WIKI_PORT:-18087}
PAGES=$HERE/../wiki-pages
MW=/usr/share/mediawiki
log() { echo "mediawiki: $*" >&2; }
# a zombie counts as dead: PID 1 here reaps orphans lazily
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

[ $# -eq 2 ] || { echo "usage: $0 up|down STATE_DIR" >&2; exit 2; }
mkdir -p "$2/mediawiki"
DATA=$(cd "$2/mediawiki" && pwd)
CONF=$DATA/LocalSettings.php
PIDFILE=$DATA/php-server.pid
API="http://127.0.0.1:$PORT/w/api.php"
api_ok() { curl -fsS -m 5 "$API?action=query&meta=siteinfo&format=json" 2>/dev/null | grep -q '"sitename"'; }

stop() {
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid=$(cat "$PIDFILE")
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  fi
  rm -f "$PIDFILE"
  log "stopped pid $pid"
}

create_wiki() {
  log "creating the wiki in $DATA"
  rm -rf "$DATA/db"; mkdir -p "$DATA/db"   # leftovers of an interrupted install make install.php fail
  # Extensions as on wiki.nixos.org where Debian bundles them; TextExtracts is deliberately absent.
  # The installer's environment check warns about what a test wiki does without on purpose (no
  # APCu object cache, no uploads): its output goes to a log, shown only when it fails.
  if ! php "$MW/maintenance/install.php" --quiet --dbtype sqlite --dbpath "$DATA/db" --dbname wiki \
    --server "http://127.0.0.1:$PORT" --scriptpath /w --confpath "$DATA" --lang en \
    --pass "E2e-Admin-Passw0rd!" --extensions Cite,ParserFunctions --skins Vector \
    "NixOS Wiki (e2e)" Admin > "$DATA/install.log" 2>&1; then
    tail -30 "$DATA/install.log" >&2
    log "install.php failed; see $DATA/install.log"
    exit 1
  fi
  cat >> "$CONF" <<'EOF'

# --- added by test/e2e/servers/mediawiki.sh ---
$wgUseImageMagick = false;      # a convert binary on the PATH may not be ImageMagick
$wgEnableEmail = false;
$wgEnableUploads = false;
$wgShowExceptionDetails = true;
$wgJobRunRate = 0;              # no deferred jobs on web requests; pages are imported by CLI
EOF
}

import_pages() {
  # one importTextFiles run per folder: the folder becomes the title prefix (a parent page)
  local dir rel prefix
  local -a files
  while IFS= read -r dir; do
    rel=${dir#"$PAGES"}; rel=${rel#/}
    prefix=${rel:+$rel/}
    files=("$dir"/*.wiki)
    [ -e "${files[0]}" ] || continue
    php "$MW/maintenance/importTextFiles.php" --conf "$CONF" --user Admin --overwrite \
      --summary "e2e fixture" ${prefix:+--prefix "$prefix"} "${files[@]}" >&2
  done < <(find "$PAGES" -type d | sort)
  php "$MW/maintenance/rebuildtextindex.php" --conf "$CONF" >&2
  php "$MW/maintenance/runJobs.php" --conf "$CONF" --quiet >&2
}

start() {
  if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")" && api_ok; then
    log "already running (pid $(cat "$PIDFILE"))"
    return 0
  fi
  stop
  if curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT/"; then log "port $PORT is taken by another process"; exit 1; fi
  mkdir -p "$DATA/htdocs"
  ln -sfn "$MW" "$DATA/htdocs/w"     # the /w/ layout of wiki.nixos.org
  log "starting php -S 127.0.0.1:$PORT"
  # MW_CONFIG_FILE keeps the configuration in STATE (nothing under /etc/mediawiki is touched);
  # setsid makes the server and its workers one process group, which `down` stops together.
  MW_CONFIG_FILE=$CONF PHP_CLI_SERVER_WORKERS=2 \
    setsid php -S "127.0.0.1:$PORT" -t "$DATA/htdocs" > "$DATA/php-server.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 100); do api_ok && break; sleep 0.2; done
  api_ok || { log "the API did not answer; see $DATA/php-server.log"; tail -20 "$DATA/php-server.log" >&2; exit 1; }
}

case "$1" in
  up)
    apt_install mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml
    [ -f "$CONF" ] || create_wiki
    import_pages
    start
    echo "export NIXIE_E2E_WIKI_API=$API"
    ;;
  down) stop ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
