#!/bin/sh
# Runs once, when the postgres container starts on an empty volume (docker-entrypoint-initdb.d): the app's own role,
# not a superuser, owns its database. The superuser's password (POSTGRES_PASSWORD) stays with the operator.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$MESHMEET_DB_PASSWORD" <<'SQL'
CREATE ROLE meshmeet LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE meshmeet OWNER meshmeet;
SQL
