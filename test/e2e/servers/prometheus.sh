#!/usr/bin/env bash
# Prometheus for the channel suites: Debian's `prometheus` package on 127.0.0.1, scraping every
# second an exporter the test runs on 127.0.0.1:NIXIE_E2E_EXPORTER_PORT, with the scrape jobs of
# status.nixos.org's Prometheus (NixOS/infra): `channel-updates` (the channel exporter's /metrics)
# and one `channel-job-<channel>` per channel (Hydra's /job/<job>/prometheus, with the labels
# `channel` and `current` added, so Hydra's own `job` label arrives as `exported_job`).
# A fresh database on every start (old series would otherwise linger for five minutes).
# up STATE: prints `export NIXIE_E2E_PROMETHEUS_URL=…` and `export NIXIE_E2E_EXPORTER_PORT=…`;
# down STATE: stops it.
# Env: NIXIE_E2E_PROMETHEUS_PORT (default 19090), NIXIE_E2E_EXPORTER_PORT (default 19402).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
PORT=${NIXIE_E2E_PROMETHEUS_PORT:-19090}
EXPORTER_PORT=${NIXIE_E2E_EXPORTER_PORT:-19402}
[ $# -ge 2 ] || { echo "usage: $0 up|down STATE_DIR" >&2; exit 2; }
mkdir -p "$2/prometheus"
DIR=$(cd "$2/prometheus" && pwd)
URL=http://127.0.0.1:$PORT

ready() { curl -fsS -m 2 "$URL/-/ready" >/dev/null 2>&1; }

stop() {
  if [ -f "$DIR/prometheus.pid" ]; then
    local pid
    pid=$(cat "$DIR/prometheus.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$DIR/prometheus.pid"
  fi
}

# One Hydra scrape job per channel that has a Hydra job (as in NixOS/infra channels.nix).
hydra_job() { # channel project/jobset/job
  cat <<EOF
  - job_name: channel-job-$1
    metrics_path: /job/$2/prometheus
    static_configs:
      - targets: ['127.0.0.1:$EXPORTER_PORT']
        labels: { channel: '$1', current: '1' }
EOF
}

case "$1" in
  up)
    command -v prometheus >/dev/null || apt_install prometheus
    command -v curl >/dev/null || apt_install curl
    if ready; then
      [ -f "$DIR/prometheus.pid" ] && kill -0 "$(cat "$DIR/prometheus.pid")" 2>/dev/null \
        || { echo "something else answers on $URL; stop it or set NIXIE_E2E_PROMETHEUS_PORT" >&2; exit 1; }
      stop
    fi
    rm -rf "$DIR/data"
    {
      cat <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: channel-updates
    static_configs:
      - targets: ['127.0.0.1:$EXPORTER_PORT']
EOF
      hydra_job nixos-unstable nixos/unstable/tested
      hydra_job nixos-26.05 nixos/release-26.05/tested
    } > "$DIR/prometheus.yml"
    prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
      --storage.tsdb.retention.time=1h --web.listen-address="127.0.0.1:$PORT" \
      > "$DIR/prometheus.log" 2>&1 &
    echo $! > "$DIR/prometheus.pid"
    for _ in $(seq 1 100); do ready && break; sleep 0.2; done
    ready || { echo "prometheus did not start; see $DIR/prometheus.log" >&2; exit 1; }
    echo "export NIXIE_E2E_PROMETHEUS_URL=$URL"
    echo "export NIXIE_E2E_EXPORTER_PORT=$EXPORTER_PORT"
    ;;
  down)
    stop
    ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
