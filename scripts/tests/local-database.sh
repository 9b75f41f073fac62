#!/usr/bin/env bash
# Checks scripts/run's local database (lib.sh local_database) as TAP: password auth, secrets kept private, the app's
# role owns its database without being a superuser, and an older trust-auth cluster is converted. Run by scripts/test.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
work=$(mktemp -d /tmp/meshmeet-localdb.XXXXXX); chmod 755 "$work"
trap 'stop_postgres "$work/new"; stop_postgres "$work/old"; rm -rf "$work"' EXIT
n=0; failed=0
check() { # check "description" command...
  n=$((n + 1))
  if "${@:2}" >/dev/null 2>&1; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi
}
psql_as() { # psql_as PORT USER PASSWORD SQL
  PGPASSWORD=$3 pg psql -h 127.0.0.1 -p "$1" -U "$2" -d meshmeet -w -qtAc "$4"
}
no_password_refused() { ! pg psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -w -qtAc 'SELECT 1'; }

conn=$(local_database "$work/new" 55437 "$work/new-secrets")
password=$(sed -n 's/.*Password=\([^;]*\);.*/\1/p' <<<"$conn")
check "a new cluster refuses a connection without a password" no_password_refused 55437
check "the app connects with its generated password" psql_as 55437 meshmeet "$password" 'SELECT 1'
check "the app's role is not a superuser" test "$(psql_as 55437 meshmeet "$password" 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = f
check "the app's role owns its database" test "$(psql_as 55437 meshmeet "$password" "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'meshmeet'")" = meshmeet
check "the passwords are readable by their owner only" test "$(stat -c %a "$work/new-secrets/postgres-password" "$work/new-secrets/db-password" | sort -u)" = 600
check "a restart keeps the same database and password" test "$(local_database "$work/new" 55437 "$work/new-secrets")" = "$conn"

# An older scripts/run: trust auth, the app as postgres, tables owned by postgres.
start_postgres "$work/old" 55438
pg createdb -h 127.0.0.1 -p 55438 -U postgres meshmeet
pg psql -h 127.0.0.1 -p 55438 -U postgres -d meshmeet -qc 'CREATE TABLE rooms (id int); CREATE SCHEMA meshmeet_events; CREATE TABLE meshmeet_events.mt_events (id int)'
conn=$(local_database "$work/old" 55438 "$work/old-secrets")
password=$(sed -n 's/.*Password=\([^;]*\);.*/\1/p' <<<"$conn")
check "an older trust cluster now refuses a connection without a password" no_password_refused 55438
check "its tables now belong to the app's role" test "$(psql_as 55438 meshmeet "$password" "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE tablename IN ('rooms', 'mt_events')")" = meshmeet

echo "1..$n"
echo "# pass $((n - failed))"
echo "# fail $failed"
[ "$failed" -eq 0 ]
