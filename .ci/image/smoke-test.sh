#!/usr/bin/env bash
# smoke-test.sh [TAG] — run nixie's image the way production does and check it:
#   - detached, with a read-only root filesystem, a named volume on /data and a NON-default
#     health port (NIXIE_HEALTH_PORT=9090): /healthz answers 200 "ok" and /metrics answers, at
#     the container's address; the image's own HEALTHCHECK (`podman healthcheck run`) says
#     healthy; PID 1 is `node dist/src/main.js` running as uid 1000; / is read-only and /data
#     writable; SIGTERM ends it with exit code 0;
#   - the console adapter answers `!help` and `!subscribe` on stdin and exits 0 at end of input;
#     a second container reads that subscription back from the same volume (the store survives);
#   - /app/node_modules is at most 65 MB (NIXIE_IMAGE_MAX_NODE_MODULES_MB): no build leftovers;
#   - when the build has `!eval` (it is listed in `!help`), `!eval 1+1` answers 2, and the line
#     says whether bubblewrap sandboxes it (by default it cannot: podman masks /proc paths),
#     and with `--security-opt unmask=/proc/*` it does; otherwise the check says it is skipped.
# The container never reaches the internet: the detached one is on a per-run `--internal` network
# (no route out; /healthz is asked at the container's own address, so no host port is
# published), the console ones run with `--network none`. Upstream requests fail at once.
# Env: NIXIE_IMAGE_HEALTH_PORT (9090), the port inside the container.
# Exit 0 = all passed. Removes its containers, volume and network in all cases.
# Notes: without Matrix/Discord credentials nixie runs the console adapter, which stops at end
# of stdin, so the detached run uses -i to keep stdin open. Without systemd podman logs "unable
# to get systemd connection to add healthchecks" for each run of an image with a HEALTHCHECK
# (no periodic checks; `podman healthcheck run` works): those lines are filtered out.
set -uo pipefail
TAG=${1:-nixie:test}
HEALTH_PORT=${NIXIE_IMAGE_HEALTH_PORT:-9090}
name=nixie-smoke-$$
vol=nixie-smoke-$$
net=nixie-smoke-$$
logs=$(mktemp -d "${TMPDIR:-/tmp}/nixie-smoke.XXXXXX")
fails=0
t0=$SECONDS
ok()   { printf 'ok   %s\n' "$*"; }
bad()  { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }
skip() { printf 'skip %s\n' "$*"; }
noise() { grep -v -e 'systemd connection' -e 'connect to syslog' || true; }
cleanup() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1
  podman volume rm -f "$vol" >/dev/null 2>&1
  podman network rm -f "$net" >/dev/null 2>&1
  rm -rf "$logs"
}
trap cleanup EXIT
# A console run: stdin from $1, read-only root, the volume, no network. Output in $out, exit code in $rc.
console() {
  out=$(printf '%s' "$1" | timeout 60 podman run -i --rm --network none --read-only --read-only-tmpfs=false \
          -v "$vol:/data" "${@:2}" "$TAG" 2>"$logs/console.err"); rc=$?
}

podman volume create "$vol" >/dev/null || { bad "podman volume create"; exit 1; }
podman network create --internal "$net" >/dev/null || { bad "podman network create --internal"; exit 1; }

# 1. detached, as in production
podman run -d -i --name "$name" --network "$net" --read-only --read-only-tmpfs=false -v "$vol:/data" \
  -e NIXIE_HEALTH_PORT="$HEALTH_PORT" "$TAG" >/dev/null 2> >(noise >&2) || { bad "podman run -d"; exit 1; }
ip=$(podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$name")
base="http://$ip:$HEALTH_PORT"
body=""
for _ in $(seq 1 100); do
  body=$(curl -fsS -m 2 "$base/healthz" 2>/dev/null) && break
  sleep 0.2
done
case $body in *'"status":"ok"'*) ok "/healthz on port $HEALTH_PORT after $((SECONDS - t0)) s: $body" ;;
  *) bad "/healthz at $base: '${body}'"; podman logs "$name" 2>&1 | noise | tail -n 20 ;; esac
metrics=$(curl -fsS -m 5 "$base/metrics" 2>&1)   # not piped into grep -q: SIGPIPE + pipefail
case $metrics in *nixie_process_*) ok "/metrics" ;; *) bad "/metrics: ${metrics:0:200}" ;; esac
hc=$(podman healthcheck run "$name" 2>&1 | noise); rc=$?
status=$(podman inspect -f '{{.State.Health.Status}}' "$name" 2>&1)
if [ $rc -eq 0 ] && [ "$status" = healthy ]; then ok "HEALTHCHECK (podman healthcheck run): $status on port $HEALTH_PORT"
else bad "HEALTHCHECK: rc=$rc status=$status $hc $(podman inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$name" 2>&1 | tail -c 300)"; fi
st=$(podman exec "$name" sh -c 'tr "\0" " " </proc/1/cmdline; grep ^Uid: /proc/1/status' 2>&1)
case $st in "node dist/src/main.js "*"Uid:"*1000*1000*1000*1000*) ok "PID 1 = node dist/src/main.js, uid 1000" ;;
  *) bad "PID 1: $st" ;; esac
if podman exec "$name" sh -c 'touch /app/x' >/dev/null 2>&1; then bad "root filesystem is writable"
elif ! podman exec "$name" sh -c 'touch /data/.smoke && rm /data/.smoke' >/dev/null 2>&1; then bad "/data is not writable"
else ok "root filesystem read-only, /data writable"; fi
podman kill --signal TERM "$name" >/dev/null 2>&1
code=$(timeout 30 podman wait "$name" 2>/dev/null)
case $code in 0) ok "SIGTERM -> exit 0" ;;
  *) bad "exit code after SIGTERM: '${code:-no exit within 30 s}'"; podman logs "$name" 2>&1 | noise | tail -n 5 ;; esac
podman rm -f -t 0 "$name" >/dev/null 2>&1

# 2. console adapter: answers on stdin, exits 0 at end of input; the store persists on /data
console $'!help\n!subscribe nixhour\n'
help=$out
cp "$logs/console.err" "$logs/help.err"
case $out in *'!help'*'Subscribed'*)
  if [ $rc -eq 0 ]; then ok "console: !help, !subscribe, exit 0 at end of input"; else bad "console: exit code $rc"; fi ;;
  *) bad "console rc=$rc: $out"; noise <"$logs/console.err" | tail -n 5 ;; esac
console $'!subscriptions\n'
case $out in *nixhour*) ok "store on /data survives the container" ;; *) bad "second run: rc=$rc $out" ;; esac

# 3. no build leftovers: /app/node_modules as the image stores it (a tar of it, as its layer)
max_mb=${NIXIE_IMAGE_MAX_NODE_MODULES_MB:-65}
bytes=$(podman run --rm --network none --entrypoint sh "$TAG" -c 'tar -cf - -C /app node_modules | wc -c' 2> >(noise >&2))
if [ -n "$bytes" ] && [ "$bytes" -le $((max_mb * 1000000)) ]; then ok "/app/node_modules $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB (at most $max_mb MB)"
else bad "/app/node_modules is '${bytes:-?}' bytes, more than $max_mb MB"; fi

# 4. !eval, once the build has it (nix-bin and bubblewrap are in the image either way): the
#    command must then be on, since the image has a working Nix
has_eval=$(podman run --rm --network none --entrypoint sh "$TAG" -c 'test -f dist/commands/eval.js && echo yes' 2> >(noise >&2))
case $has_eval:$help in
  :*) skip "!eval 1+1: skipped: !eval not in this build" ;;
  *'!eval'*)
    console $'!eval 1+1\n'
    sandbox=$(grep -o '"sandbox":"[a-z]*"' "$logs/console.err" | head -n1 | cut -d'"' -f4)
    if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -Eq '^[`[:space:]]*2[`[:space:]]*$'; then
      ok "!eval 1+1 -> 2 (sandbox: ${sandbox:-not logged})"
    else bad "!eval 1+1: rc=$rc '$out'"; noise <"$logs/console.err" | grep -i eval | tail -n 5; fi
    # bubblewrap mounts a /proc of its own, which podman's masked /proc paths forbid by default;
    # the README's way to get the bubblewrap sandbox in the container:
    console $'!eval 1+1\n' --security-opt 'unmask=/proc/*'
    sandbox=$(grep -o '"sandbox":"[a-z]*"' "$logs/console.err" | head -n1 | cut -d'"' -f4)
    if [ $rc -eq 0 ] && [ "$sandbox" = bwrap ] && printf '%s\n' "$out" | grep -Eq '^[`[:space:]]*2[`[:space:]]*$'; then
      ok "!eval 1+1 -> 2 in bubblewrap with --security-opt unmask=/proc/*"
    else bad "!eval with unmask=/proc/*: rc=$rc sandbox=${sandbox:-?} '$out'"; noise <"$logs/console.err" | grep -i eval | tail -n 5; fi ;;
  *) why=$(noise <"$logs/help.err" | grep '"msg":"eval: ' | head -n 2 | cut -c1-300)
     bad "!eval is in this build but not in !help: ${why:-nixie logged nothing about eval (NIXIE_EVAL=off?)}" ;;
esac

echo "smoke-test: $fails failed, $((SECONDS - t0)) s"
[ $fails -eq 0 ]
