# Sourced by the scripts that install Debian packages. apt_install WHY PKG...
# says what it installs and why before it runs apt-get (as root: CI and the
# project's machines run as root; elsewhere it stops and says what to install).
# apt-get's own output goes to stderr.

apt_install() {
  local why="$1"
  shift
  printf 'apt: installing Debian packages %s, %s\n' "$*" "$why" >&2
  if [ "$(id -u)" != 0 ]; then
    printf 'apt: ERROR: not root: install %s yourself (apt-get install %s) and rerun\n' "$*" "$*" >&2
    exit 1
  fi
  # apt needs a package list once per machine; an update is cheap compared to a failed install.
  if ! apt-get install -y --no-install-recommends "$@" >&2; then
    printf 'apt: apt-get install failed; updating the package lists and trying once more\n' >&2
    apt-get update >&2 || true
    apt-get install -y --no-install-recommends "$@" >&2 || {
      printf 'apt: ERROR: apt-get install %s failed (is the Debian mirror reachable?)\n' "$*" >&2
      exit 1
    }
  fi
}
