# Sourced by servers/synapse.sh: install (cached), configure, start, wait for and stop Synapse.
# Needs apt.sh (apt_install) sourced first.

SYNAPSE_VENV=${NIXIE_SYNAPSE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/nixie-synapse/venv}
# The release the suite was last verified with; NIXIE_SYNAPSE_VERSION="" takes the newest instead.
SYNAPSE_SPEC=matrix-synapse${NIXIE_SYNAPSE_VERSION-==1.163.2}

synapse_python() {
  if [ -n "${NIXIE_PYTHON:-}" ]; then echo "$NIXIE_PYTHON"; return; fi
  command -v python3.11 >/dev/null && { echo python3.11; return; }
  echo python3
}

# Creates the venv and installs matrix-synapse once; later runs reuse it (a marker file records a
# finished install, so an interrupted one is redone instead of half-used).
synapse_install() {
  local marker="$SYNAPSE_VENV/.nixie-installed"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$SYNAPSE_SPEC" ]; then return 0; fi
  local t0; t0=$(date +%s)
  echo "installing $SYNAPSE_SPEC into $SYNAPSE_VENV" >&2
  rm -rf "$SYNAPSE_VENV"
  mkdir -p "$(dirname "$SYNAPSE_VENV")"
  local py; py=$(synapse_python)
  command -v "$py" >/dev/null || { apt_install python3 python3-venv; py=python3; }
  # Debian's python3 keeps venv (ensurepip) in a separate package
  "$py" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  "$py" -m venv "$SYNAPSE_VENV" >&2
  "$SYNAPSE_VENV/bin/pip" install -q --upgrade pip >&2
  "$SYNAPSE_VENV/bin/pip" install -q "$SYNAPSE_SPEC" >&2
  echo "$SYNAPSE_SPEC" > "$marker"
  echo "installed $("$SYNAPSE_VENV/bin/python" -c 'import synapse; print(synapse.__version__)') in $(( $(date +%s) - t0 )) s" >&2
}

# Writes homeserver.yaml, the log config, the shared secret and the signing key into DIR.
synapse_configure() {
  local dir=$1 port=$2 secret
  secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s' "$secret" > "$dir/shared-secret"
  cat > "$dir/log.yaml" <<EOF
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $dir/homeserver.log
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
EOF
  cat > "$dir/homeserver.yaml" <<EOF
server_name: localhost
public_baseurl: http://127.0.0.1:$port/
pid_file: $dir/homeserver.pid
report_stats: false
listeners:
  - port: $port
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: $dir/homeserver.db
log_config: $dir/log.yaml
media_store_path: $dir/media
signing_key_path: $dir/signing.key
registration_shared_secret: $secret
enable_registration: false
macaroon_secret_key: $(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
form_secret: $(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
url_preview_enabled: false
presence:
  enabled: false
# Rate limits: none is set here, so every rc_* limit has Synapse's default (rc_message: 0.2/s,
# burst 10; rc_joins, rc_invites, rc_login, rc_room_creation likewise) and nixie meets a real
# server's 429s. The suite lifts the limits of its human test users only, per user through the admin
# API (override_ratelimit), so their quick messages do not wait; nixie's account keeps the defaults.
# Each run registers fresh users, so none collects more invites than rc_invites.per_user allows.
EOF
  (cd "$dir" && "$SYNAPSE_VENV/bin/python" -m synapse.app.homeserver -c "$dir/homeserver.yaml" --generate-keys >&2)
}

# Whether the Synapse started from DIR is still running (a zombie counts as stopped).
synapse_running() {
  local pid; pid=$(cat "$1/launcher.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]
}

synapse_ready() { curl -fsS -m 2 "$1/_matrix/client/versions" >/dev/null 2>&1; }

synapse_start() {
  local dir=$1
  # setsid: Synapse gets its own session and process group, which `down` stops as a whole. A plain
  # background command, so $! is Synapse itself and no shell keeps the caller's stdout open.
  setsid "$SYNAPSE_VENV/bin/python" -m synapse.app.homeserver -c "$dir/homeserver.yaml" > "$dir/stderr.log" 2>&1 < /dev/null &
  echo $! > "$dir/launcher.pid"
}

synapse_wait() {
  local dir=$1 url=$2 secs=$3 end
  end=$(( $(date +%s) + secs ))
  while [ "$(date +%s)" -lt "$end" ]; do
    synapse_ready "$url" && return 0
    if ! synapse_running "$dir"; then tail -20 "$dir/stderr.log" >&2; return 1; fi
    sleep 0.2
  done
  return 1
}

synapse_stop() {
  local dir=$1 pid
  pid=$(cat "$dir/launcher.pid" 2>/dev/null || true)
  # without a pid file, look for the Synapse of exactly this config file
  [ -n "$pid" ] || pid=$(pgrep -f -- "synapse.app.homeserver -c $dir/homeserver.yaml" | head -1 || true)
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    # a stopped process may linger as a zombie here (PID 1 reaps lazily): treat that as gone
    if ! kill -0 "$pid" 2>/dev/null || [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ]; then break; fi
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ] && kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$dir/launcher.pid"
}
