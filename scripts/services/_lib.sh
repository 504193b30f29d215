# shellcheck shell=bash
# Helpers shared by scripts/services/*.sh. Sourced, not executed.
# Works as root (CI, sessions) and as a non-root developer with sudo.

log() { echo "[services] $*"; }
die() { echo "[services] ERROR: $*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Run a command as another (system) user. runuser needs root; sudo -u works
# for a developer with sudo. cd / first: the caller's cwd may be a clone under
# /root (mode 700) that the target user cannot enter.
as_user() {
  local user=$1; shift
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$user" -- "$@")
  else
    (cd / && sudo -u "$user" -- "$@")
  fi
}

# True when every package is installed (dpkg status "install ok installed").
pkgs_installed() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || return 1
  done
}

# apt-get install with two safeguards:
# - 'apt-get update' at most once per hour, so up.sh running three scripts
#   that each need packages refreshes the lists only once;
# - wait for the dpkg lock instead of failing when another apt runs.
apt_install() {
  pkgs_installed "$@" && return 0
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q
             -o DPkg::Lock::Timeout=900)
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -1)" ]; then
    log "apt-get update"
    local i
    # update takes the lists lock, which DPkg::Lock::Timeout may not cover:
    # retry a few times while another apt holds it.
    for i in 1 2 3 4 5 6 7 8 9 10; do
      as_root "${apt[@]}" update >/dev/null && break
      [ "$i" -eq 10 ] && die "apt-get update failed"
      log "apt-get update failed (lock?), retrying in 15 s"; sleep 15
    done
  fi
  log "apt-get install $*"
  as_root "${apt[@]}" install --no-install-recommends "$@" >/dev/null
}
