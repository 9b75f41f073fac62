#!/usr/bin/env bash
# Checks the published app (dotnet publish, the configuration the Dockerfile builds) as TAP: it starts from its own
# folder, migrates a new database, answers the orchestrators' health checks, serves its static files compressed with
# fingerprints, and /metrics. Usage: published-app.sh PUBLISH_DIR (MESHMEET_TEST_PG: the test cluster's superuser).
set -uo pipefail
dir=$1
n=0 failed=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi; }

db=meshmeet_published_$$
psql_url="$(sed -E 's/Host=([^;]+);Port=([0-9]+);Username=([^;]+).*/postgresql:\/\/\3@\1:\2/' <<<"$MESHMEET_TEST_PG")"
psql "$psql_url/postgres" -qc "CREATE DATABASE $db" >/dev/null
port=$((20000 + RANDOM % 20000)) url=
url=http://127.0.0.1:$port
log=$(mktemp)
(cd "$dir" && ConnectionStrings__MeshMeet="$MESHMEET_TEST_PG;Database=$db" Jwt__SigningKey=$(head -c 32 /dev/urandom | base64) \
  Admin__Email=admin@published.test Admin__Password=Published-Pa55word! ASPNETCORE_ENVIRONMENT=Production \
  exec dotnet MeshMeet.Web.dll --urls "$url") >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; psql "$psql_url/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 300); do curl -fs "$url/health/live" >/dev/null 2>&1 && break; sleep 0.1; done
echo "1..10"
check "the published app starts and is live" 'curl -fs "$url/health/live" >/dev/null'
check "it is ready: database migrated and answering" '[ "$(curl -s "$url/health/ready")" = Healthy ]'
page=$(curl -s "$url/")
css=$(grep -o 'href="/app/site[^"]*\.css"' <<<"$page" | head -1 | cut -d'"' -f2)
check "pages link fingerprinted static files ($css)" '[[ $css =~ ^/app/site\.[a-z0-9]+\.css$ ]]'
check "static files travel compressed" 'curl -s -o /dev/null -D - -H "Accept-Encoding: br, gzip" "$url$css" | grep -qi "^content-encoding: \(br\|gzip\)"'
check "fingerprinted files may be cached for a year" 'curl -s -o /dev/null -D - "$url$css" | grep -qi "^cache-control:.*max-age=31536000"'
check "/metrics answers loopback with MeshMeet's own figures" 'curl -s "$url/metrics" | grep -q "^meshmeet_connections"'

# What an operator publishes so that others can check the JavaScript they are served (README, Privacy).
served_hashes=$(dirname "$0")/../served-hashes
hashes=$(mktemp)
"$served_hashes" "$dir" >"$hashes"
check "the published hashes match every file the app serves ($(wc -l <"$hashes") files)" '"$served_hashes" --check "$url" "$hashes" >/dev/null'
# One hash changed, as if call.js had been altered: that file, and only it, is named, and the check fails.
awk '$2 == "/app/call/call.js" { $1 = ($1 ~ /^0/ ? "1" : "0") substr($1, 2) } { print $1 "  " $2 }' "$hashes" >"$hashes.changed"
verdict=$("$served_hashes" --check "$url" "$hashes.changed"; echo "exit $?")
check "a file that differs from its published hash is named" \
  '[ "$(grep -v "^ok" <<<"$verdict" | tr "\n" " ")" = "DIFFERENT /app/call/call.js exit 1 " ]'
rm -f "$hashes" "$hashes.changed"

# The call page's weight: every script and style it loads, and every module those import, as a browser fetches them.
token=$(curl -s -H 'Content-Type: application/json' -d '{"email":"admin@published.test","password":"Published-Pa55word!"}' "$url/api/token" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
room=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"name":"Weighed"}' "$url/api/rooms" | sed -E 's/.*"id":"([^"]+)".*/\1/')
pending=$(curl -s "$url/r/$room" | grep -oE '(src|href)="/[^"]+\.(js|css)"' | cut -d'"' -f2)
seen=" " plain=0 packed=0 files=0
while [ -n "$pending" ]; do
  next=
  for asset in $pending; do
    case $seen in *" $asset "*) continue ;; esac
    seen="$seen$asset "
    files=$((files + 1))
    packed=$((packed + $(curl -s -H 'Accept-Encoding: br, gzip' -o /dev/null -w '%{size_download}' "$url$asset")))
    body=$(curl -s "$url$asset")
    plain=$((plain + ${#body}))
    for module in $(grep -oE "from '\./[^']+'" <<<"$body" | cut -d"'" -f2); do next="$next $(dirname "$asset")/${module#./}"; done
  done
  pending=$next
done
echo "# call page: $files files, $((plain / 1024)) KB plain, $((packed / 1024)) KB compressed"
check "the call page loads its modules ($files files)" '[[ $seen == *"/app/call/mesh.js "* ]]'
check "the call page's scripts and styles travel in under 100 KB ($((packed / 1024)) KB)" '[ "$packed" -lt 102400 ]'
[ "$failed" -eq 0 ] || { echo "# app output:"; sed 's/^/# /' "$log" | tail -n 40; }
echo "# pass $((n - failed))"
echo "# fail $failed"
[ "$failed" -eq 0 ]
