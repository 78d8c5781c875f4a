#!/usr/bin/env bash
# setup-host.sh — make rootful podman usable on this kind of machine (Debian bookworm, root,
# cgroup v1 + a cgroup2 mount = "hybrid", no CAP_SYS_RESOURCE, no systemd). Idempotent.
#   1. installs podman buildah runc debootstrap and a network stack (netavark, aardvark-dns,
#      iptables) through test/e2e/lib/apt.sh, which waits for the dpkg lock;
#   2. writes /etc/containers/containers.conf.d/50-nixie-ci.conf:
#      runtime = "runc"  — Debian's default crun 1.8.1 refuses this cgroup layout:
#        "crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2"
#      default_ulimits   — podman's rootful defaults (nofile/nproc 1048576) cannot be set
#        without CAP_SYS_RESOURCE: "setrlimit `RLIMIT_NOFILE`: Operation not permitted";
#        use the current hard limits (podman itself runs with RLIMIT_NPROC capped at 32768).
# Exit 0 = podman can be used; exit 1 with a line on stderr saying why not.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" = 0 ] || { echo "setup-host: run as root" >&2; exit 1; }

# shellcheck source=../../test/e2e/lib/apt.sh
. "$here/../../test/e2e/lib/apt.sh"
apt_install podman buildah runc debootstrap netavark aardvark-dns iptables uidmap curl \
  || { echo "setup-host: could not install podman and its tools" >&2; exit 1; }

nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
conf=/etc/containers/containers.conf.d/50-nixie-ci.conf
want="# written by nixie's .ci/image/setup-host.sh: crun cannot handle this hybrid cgroup
# layout, and podman's default ulimits exceed what this machine may set.
[containers]
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]

[engine]
runtime = \"runc\""
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$(dirname "$conf")"
  printf '%s\n' "$want" >"$conf"
fi
echo "setup-host: podman $(podman --version | awk '{print $3}'), runtime runc, ulimits nofile=$nofile nproc=$nproc" >&2
