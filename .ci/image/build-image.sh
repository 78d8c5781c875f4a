#!/usr/bin/env bash
# build-image.sh CONTEXT [TAG] [podman build options...] — build the project's Dockerfile,
# unchanged, with podman on this machine, on the stand-in base image from make-base.sh (pulled
# from nowhere: it is local). Extra podman-build options can follow the tag (e.g. --no-cache).
#
# Build-time only (nothing of it ends up in the image):
#   -v <tmpdir>:/usr/local/etc:ro — npm's global config dir in node images (/usr/local/etc/npmrc,
#     empty and unused in the official image), holding
#       npmrc:        cafile=/usr/local/etc/build-ca.crt
#       build-ca.crt: a copy of the host's CA bundle (HOST_CA), which registry traffic here needs;
#                     without it npm 10.9.3 fails with SELF_SIGNED_CERT_IN_CHAIN, which npm
#                     reports as "npm error Exit handler never called!"
#     Mounting over an existing directory leaves no mount-point files in the layers (mounting a
#     single file at a new path leaves an empty file of that name in every RUN's layer).
#   --format docker — the OCI format (podman's default) drops HEALTHCHECK with a warning.
# The Node headers for sqlite3's from-source build come from the Dockerfile itself
# (ENV npm_config_nodedir=/usr/local), so neither GitHub nor nodejs.org is needed.
set -euo pipefail
CONTEXT=${1:?usage: build-image.sh CONTEXT [TAG] [podman build options...]}
TAG=${2:-nixie:test}
shift; [ $# -gt 0 ] && shift

HOST_CA=${HOST_CA:-/etc/ssl/certs/ca-certificates.crt}
cfg=$(mktemp -d "${TMPDIR:-/tmp}/build-npmrc.XXXXXX")
trap 'rm -rf "$cfg"' EXIT
cp "$HOST_CA" "$cfg/build-ca.crt"
printf 'cafile=/usr/local/etc/build-ca.crt\n' >"$cfg/npmrc"
chmod 755 "$cfg"; chmod 644 "$cfg"/*

start=$SECONDS
podman build --format docker -v "$cfg:/usr/local/etc:ro" -t "$TAG" "$@" "$CONTEXT"
echo "build-image: $TAG built in $((SECONDS - start)) s, $(podman image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')" >&2
