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
  # Redis, nginx and coturn would start as system services on install; we run our own processes on our own ports.
  local blocked=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null && as_root chmod +x /usr/sbin/policy-rc.d && blocked=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
  [ -z "$blocked" ] || as_root rm -f /usr/sbin/policy-rc.d
}

# Installs whatever of the given needs is missing: postgres node chromium firefox netns redis nginx coturn openssl
# curl systemd-analyze media-tools (ffmpeg, sox, espeak-ng: the browser tests' camera and microphone clips)
ensure() {
  local need pkgs=()
  for need in "$@"; do
    case $need in
      redis) command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server) ;;
      nginx) command -v nginx >/dev/null 2>&1 || pkgs+=(nginx) ;;
      coturn) command -v turnserver >/dev/null 2>&1 || pkgs+=(coturn) ;;
      openssl) command -v openssl >/dev/null 2>&1 || pkgs+=(openssl) ;;
      curl) command -v curl >/dev/null 2>&1 || pkgs+=(curl) ;;
      systemd-analyze) command -v systemd-analyze >/dev/null 2>&1 || pkgs+=(systemd) ;;
      postgres) [ -x "$PGBIN/initdb" ] || { pkgs+=(postgresql); PGBIN=; } ;;
      node) command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm) ;;
      chromium) [ -x /usr/bin/chromium ] || pkgs+=(chromium) ;;
      firefox) [ -x /usr/bin/firefox-esr ] || pkgs+=(firefox-esr) ;;
      media-tools) for tool in ffmpeg sox espeak-ng; do command -v $tool >/dev/null 2>&1 || pkgs+=($tool); done ;;
      netns) { command -v unshare >/dev/null && command -v ip >/dev/null; } || pkgs+=(util-linux iproute2) ;;
    esac
  done
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  if [ -z "$PGBIN" ]; then PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  command -v dotnet >/dev/null 2>&1 || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; return 1; }
}

# test_pictures DIR: photographs for the browser tests' fake camera (a person before a flag and a model shuttle, and a
# gravel texture) in DIR, taken once from Debian's scikit-image package (public-domain test images), not installed.
test_pictures() {
  local dir=$1 deb tmp
  [ -f "$dir/astronaut.png" ] && [ -f "$dir/gravel.png" ] && return 0
  mkdir -p "$dir"; tmp=$(mktemp -d)
  chmod 755 "$tmp"; [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  (cd "$tmp" && apt-get download -qq python3-skimage >/dev/null)
  deb=$(ls "$tmp"/python3-skimage_*.deb)
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*/skimage/data/astronaut.png' '*/skimage/data/gravel.png'
  find "$tmp" -name '*.png' -exec cp {} "$dir/" \;
  rm -rf "$tmp"
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

# local_database DIR PORT SECRETS: the durable local cluster of scripts/run, not open to every local user. PostgreSQL
# asks every connection for a password (SCRAM); the superuser's and the app's are made once under SECRETS (mode 0600).
# The app's role "meshmeet" owns the database "meshmeet" and its schemas, and is not a superuser. A cluster made by an
# older scripts/run (trust auth, app as postgres) is converted in place. Prints the app's connection string.
local_database() {
  local dir=$1 port=$2 secrets=$3 fresh= pwfile
  mkdir -p "$secrets"
  # Secrets are created unreadable to others from the start (umask), not chmod'ed after.
  [ -f "$secrets/postgres-password" ] || (umask 077; random_secret > "$secrets/postgres-password")
  [ -f "$secrets/db-password" ] || (umask 077; random_secret > "$secrets/db-password")
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir"; [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$dir"
    # initdb reads the password from a file the postgres user can read; it exists only for that moment.
    pwfile=$(mktemp "$dir/.pw.XXXXXX"); cat "$secrets/postgres-password" > "$pwfile"; [ "$(id -u)" -ne 0 ] || chown postgres "$pwfile"
    pg initdb -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"; fresh=1
  fi
  start_postgres "$dir" "$port" >&2
  export PGPASSWORD; PGPASSWORD=$(cat "$secrets/postgres-password")
  if [ -z "$fresh" ] && grep -qE '^[^#].*\btrust\s*$' "$dir/data/pg_hba.conf"; then
    # An older cluster trusted every local connection: give the superuser its password, then require passwords.
    pg psql -h 127.0.0.1 -p "$port" -U postgres -qc "ALTER ROLE postgres PASSWORD '$PGPASSWORD'" >/dev/null
    sed -i -E 's/\btrust\s*$/scram-sha-256/' "$dir/data/pg_hba.conf"
    pg pg_ctl -D "$dir/data" reload >/dev/null
  fi
  local sql="psql -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1 -qtA"
  PGPASSWORD=$PGPASSWORD pg $sql -d postgres >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'meshmeet') THEN
    CREATE ROLE meshmeet LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END \$\$;
ALTER ROLE meshmeet PASSWORD '$(cat "$secrets/db-password")';
SQL
  if ! PGPASSWORD=$PGPASSWORD pg $sql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'meshmeet'" | grep -q 1; then
    PGPASSWORD=$PGPASSWORD pg $sql -d postgres -c "CREATE DATABASE meshmeet OWNER meshmeet" >/dev/null
  else
    # Made by an older scripts/run as postgres: hand the database and everything in its schemas to meshmeet.
    PGPASSWORD=$PGPASSWORD pg $sql -d meshmeet >/dev/null <<'SQL'
ALTER DATABASE meshmeet OWNER TO meshmeet;
DO $$ DECLARE o record; BEGIN
  FOR o IN SELECT nspname FROM pg_namespace WHERE nspname = 'public' OR nspname LIKE 'meshmeet%' LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO meshmeet', o.nspname);
  END LOOP;
  FOR o IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE (n.nspname = 'public' OR n.nspname LIKE 'meshmeet%') AND c.relkind IN ('r', 'p', 'v', 'm', 'S') LOOP
    EXECUTE format('ALTER %s %I.%I OWNER TO meshmeet', CASE o.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, o.nspname, o.relname);
  END LOOP;
  FOR o IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' OR n.nspname LIKE 'meshmeet%' LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO meshmeet', o.f);
  END LOOP;
END $$;
SQL
  fi
  unset PGPASSWORD
  echo "Host=127.0.0.1;Port=$port;Username=meshmeet;Password=$(cat "$secrets/db-password");Database=meshmeet"
}


# publish_app DIR: the app as the container image and the systemd unit run it (dotnet publish, Release).
publish_app() {
  dotnet publish "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/MeshMeet.Web" -c Release -o "$1" -p:UseAppHost=false \
    -nologo -v quiet -clp:ErrorsOnly
}

# data_protection_certificate DIR: a certificate (PKCS#12, no password, mode 0600) that encrypts the Data Protection
# key ring, made once under DIR. Prints its path.
data_protection_certificate() {
  local dir=$1
  mkdir -p "$dir"
  [ -f "$dir/dataprotection.pfx" ] || (
    umask 077
    openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=MeshMeet Data Protection" \
      -keyout "$dir/dataprotection.key" -out "$dir/dataprotection.crt" 2>/dev/null
    openssl pkcs12 -export -passout pass: -inkey "$dir/dataprotection.key" -in "$dir/dataprotection.crt" -out "$dir/dataprotection.pfx"
    rm -f "$dir/dataprotection.key"
  )
  echo "$dir/dataprotection.pfx"
}

# wait_for_port PORT [SECONDS]: until something accepts TCP connections on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 tries=$(( ${2:-30} * 10 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || { echo "error: nothing listens on 127.0.0.1:$port" >&2; return 1; }
    sleep 0.1
  done
}

# self_signed_certificate DIR NAME: a certificate for NAME (a host name or an IP address, plus localhost and 127.0.0.1)
# made once under DIR as NAME.crt / NAME.key. Browsers warn about it until the user trusts it.
self_signed_certificate() {
  local dir=$1 name=$2 san
  if [[ $name =~ ^[0-9.]+$|: ]]; then san="IP:$name"; else san="DNS:$name"; fi
  mkdir -p "$dir"
  [ -f "$dir/$name.crt" ] || (umask 077; openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$name" \
    -addext "subjectAltName=$san,DNS:localhost,IP:127.0.0.1" -keyout "$dir/$name.key" -out "$dir/$name.crt" 2>/dev/null)
  chmod 644 "$dir/$name.crt"
}

# local_nginx_config DIR HTTPS_PORT HTTP_PORT CERT KEY UPSTREAM...: deploy/nginx.conf with local ports, certificate and
# instances, wrapped in a main configuration for one nginx process of our own (no daemon, files under DIR).
# Prints the configuration's path. scripts/run --cluster and the tests run nginx with it.
local_nginx_config() {
  local dir=$1 https=$2 http=$3 cert=$4 key=$5 servers= upstream here
  shift 5
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  for upstream in "$@"; do servers+="    server $upstream max_fails=1 fail_timeout=10s;\n"; done
  mkdir -p "$dir/temp" "$dir/logs"
  sed -e '/^    server 127.0.0.1:508[12] /d' -e "s|^    keepalive 16;|${servers}    keepalive 16;|" \
      -e "s|listen 80;|listen 127.0.0.1:$http;|" -e "s|listen 443 ssl;|listen 127.0.0.1:$https ssl;|" \
      -e "s|/etc/ssl/meshmeet/fullchain.pem|$cert|" -e "s|/etc/ssl/meshmeet/privkey.pem|$key|" \
      -e "s|https://\$host\$request_uri|https://\$host:$https\$request_uri|" \
      -e "s|/var/log/nginx/meshmeet.access.log|$dir/logs/access.log|" "$here/deploy/nginx.conf" > "$dir/site.conf"
  cat > "$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    include $dir/site.conf;
}
CONF
  echo "$dir/nginx.conf"
}

# local_turn_config DIR PORT SECRET: coturn on loopback, from the shipped deploy/turnserver.conf (no relays into private
# networks, no TCP relays, quotas), plus what a one-machine demo needs: it listens and relays on 127.0.0.1, and its
# peers (every browser here) may be loopback addresses, and no other private address. The secret is in the file
# (mode 0600), never on a command line. Prints the configuration's path.
local_turn_config() {
  local dir=$1 port=$2 secret=$3 here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  mkdir -p "$dir"
  (
    umask 077
    {
      grep -v '^listening-port=' "$here/deploy/turnserver.conf"
      cat <<CONF
listening-ip=127.0.0.1
relay-ip=127.0.0.1
listening-port=$port
realm=meshmeet.local
static-auth-secret=$secret
allow-loopback-peers
allowed-peer-ip=127.0.0.1
pidfile=$dir/turnserver.pid
log-file=$dir/turnserver.log
simple-log
CONF
    } > "$dir/turnserver.conf"
  )
  echo "$dir/turnserver.conf"
}

# local_redis_config DIR PORT PASSWORD: Redis on loopback for several instances: a password (in the file, mode 0600),
# nothing kept on disk. Prints the configuration's path; connect with "127.0.0.1:PORT,password=PASSWORD".
local_redis_config() {
  local dir=$1 port=$2 password=$3
  mkdir -p "$dir"
  (
    umask 077
    cat > "$dir/redis.conf" <<CONF
port $port
bind 127.0.0.1
protected-mode yes
requirepass $password
save ""
appendonly no
dir $dir
loglevel warning
CONF
  )
  echo "$dir/redis.conf"
}

# random_secret [BYTES]: a random string for passwords and keys (base64 without '/', '+' and '=').
random_secret() { head -c "${1:-24}" /dev/urandom | base64 | tr -d '/+=\n'; }
