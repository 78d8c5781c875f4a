# Sourced by the server scripts: installs Debian packages when missing, without starting services.
# Waits for the dpkg lock instead of failing when another install is running.
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2; return 1; }
  echo "installing ${missing[*]}" >&2
  local made_policy=""
  # keep package scripts from starting system services (there is no systemd here anyway)
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
  local rc=0
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -q >&2 && apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2; } \
    || rc=$?
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
  return $rc
}
