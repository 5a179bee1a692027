#!/usr/bin/env bash
# The app host's one-shot "postgres-init" resource: creates the local PostgreSQL cluster once (as the postgres OS
# user when run as root, because PostgreSQL refuses root) and removes a postmaster.pid that no live server owns.
# Usage: postgres-init.sh DATA_DIR PASSWORD_FILE BIN_DIR
set -euo pipefail
data=$1 pwfile=$2 bin=$3

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi
}

if [ -f "$data/PG_VERSION" ]; then
  if [ -f "$data/postmaster.pid" ]; then
    pid=$(head -n 1 "$data/postmaster.pid")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "postgres" ]; then
      echo "Removing the stale postmaster.pid of process $pid (not running)."
      rm -f "$data/postmaster.pid"
    fi
  fi
  echo "The PostgreSQL cluster in $data exists."
  exit 0
fi

echo "Creating the PostgreSQL cluster in $data"
mkdir -p "$data"
chmod 700 "$data"
staged_pw=$(mktemp)
trap 'rm -f "$staged_pw"' EXIT
cp "$pwfile" "$staged_pw"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$data" "$staged_pw"
  if ! as_postgres test -x "$data"; then
    echo "The postgres user cannot reach $data; set Comms__AppHost__DataDirectory to a folder it can reach (e.g. under /var/tmp)." >&2
    exit 1
  fi
fi
as_postgres "$bin/initdb" -D "$data" -U postgres --pwfile="$staged_pw" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --no-locale
