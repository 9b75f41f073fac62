# Shared by scripts/run and scripts/test: install what is missing, start and stop a local PostgreSQL.
# shellcheck shell=bash

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "error: '$*' needs root (or sudo); install it by hand and run again." >&2; return 1
  fi
}

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  echo ">> installing $*" >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Installs whatever of the given needs is missing: postgres node chromium netns
ensure() {
  local need pkgs=()
  for need in "$@"; do
    case $need in
      postgres) [ -x "$PGBIN/initdb" ] || { pkgs+=(postgresql); PGBIN=; } ;;
      node) command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm) ;;
      chromium) [ -x /usr/bin/chromium ] || pkgs+=(chromium) ;;
      netns) { command -v unshare >/dev/null && command -v ip >/dev/null; } || pkgs+=(util-linux iproute2) ;;
    esac
  done
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  if [ -z "$PGBIN" ]; then PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  command -v dotnet >/dev/null 2>&1 || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; return 1; }
}

# Runs a PostgreSQL binary as the postgres user when we are root (initdb refuses to run as root).
pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$PGBIN/$1" "${@:2}"; else "$PGBIN/$1" "${@:2}"; fi
}

# start_postgres DIR PORT [fast]: creates the cluster on first use, starts it on 127.0.0.1:PORT.
# "fast" turns off durability, for throwaway test clusters only.
start_postgres() {
  local dir=$1 port=$2 mode=${3:-durable} opts
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    # postgres must be able to reach its data folder through every parent.
    local p=$dir; while [ "$p" != / ]; do p=$(dirname "$p"); chmod o+x "$p" 2>/dev/null || true; done
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg initdb -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  opts="-p $port -c listen_addresses=127.0.0.1 -k $dir"
  [ "$mode" = fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  if ! pg pg_ctl -D "$dir/data" status >/dev/null 2>&1; then
    pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$opts" start >/dev/null
  fi
}

stop_postgres() {
  pg pg_ctl -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}
