#!/usr/bin/env bash
# Installs what ./run.sh and ./test.sh need on a Debian/Ubuntu machine, only when it is missing.
# Sourced by both scripts; safe to run again.

comms_apt_install() {
  local packages=("$@")
  [ ${#packages[@]} -eq 0 ] && return 0
  echo "==> Installing: ${packages[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${COMMS_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    COMMS_APT_UPDATED=1
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

comms_have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

# comms_prerequisites [--browser]
comms_prerequisites() {
  local want_browser=0
  [ "${1:-}" = "--browser" ] && want_browser=1
  local missing=()

  if ! command -v dotnet >/dev/null 2>&1; then
    if apt-cache show dotnet-sdk-10.0 >/dev/null 2>&1; then
      missing+=(dotnet-sdk-10.0)
    else
      echo "The .NET 10 SDK is required (see global.json): https://learn.microsoft.com/dotnet/core/install/linux" >&2
      return 1
    fi
  fi
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  comms_have_postgres || missing+=(postgresql)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ "$want_browser" -eq 1 ] && [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
  fi
  comms_apt_install "${missing[@]}"

  # MailDev (the local mail catcher) comes from npm, pinned in package-lock.json.
  if [ ! -f node_modules/maildev/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci (MailDev)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
