#!/usr/bin/env bash
# Make sure the local PostgreSQL used by the tests is up and has a database "test".
# Idempotent: does nothing but check when the server is already accepting connections.
#   PGHOST/PGPORT/PGUSER/TEST_DB override 127.0.0.1 / 5432 / postgres / test.
set -euo pipefail

host="${PGHOST:-127.0.0.1}"
port="${PGPORT:-5432}"
user="${PGUSER:-postgres}"
db="${TEST_DB:-test}"

if ! pg_isready -q -h "$host" -p "$port"; then
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$version" ]]; then
        echo "ensure_postgres: no cluster under /etc/postgresql" >&2
        exit 1
    fi
    echo "ensure_postgres: starting cluster $version/main" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do
        pg_isready -q -h "$host" -p "$port" && break
        sleep 0.5
    done
    if ! pg_isready -q -h "$host" -p "$port"; then
        echo "ensure_postgres: server not ready on $host:$port after 30 s" >&2
        exit 1
    fi
fi

exists="$(psql -h "$host" -p "$port" -U "$user" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'")"
if [[ "$exists" != "1" ]]; then
    echo "ensure_postgres: creating database $db" >&2
    psql -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"$db\"" \
        || [[ "$(psql -h "$host" -p "$port" -U "$user" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$db'")" == "1" ]]
fi
echo "ensure_postgres: ready ($host:$port/$db)" >&2
