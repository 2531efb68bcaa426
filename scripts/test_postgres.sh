#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the registry tests (tests/registry).
#   eval "$(bash scripts/test_postgres.sh start)"   # exports MICROCRED_TEST_PG and MICROCRED_PG_DIR
#   bash scripts/test_postgres.sh stop "$MICROCRED_PG_DIR"
# Installs Debian's `postgresql` when missing (root only), initdb's a cluster in a temp folder
# owned by the postgres user (the machine's own clusters are left alone), listens on loopback
# only, and creates a role and a database for the tests. Prints nothing it cannot do.
set -euo pipefail
action="${1:-start}"
port="${MICROCRED_PG_PORT:-54329}"

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ "$action" = stop ]; then
  dir="${2:-}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || exit 0
  runuser -u postgres -- "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "test_postgres.sh: needs root to start a server" >&2; exit 0; }
if [ -z "$(bindir)" ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin="$(bindir)"
dir="$(mktemp -d /tmp/microcred-pg.XXXXXX)"
chown postgres "$dir"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -v ON_ERROR_STOP=1)
"${psql[@]}" -c "CREATE ROLE microcred LOGIN PASSWORD 'microcred-test'" >/dev/null
"${psql[@]}" -c "CREATE DATABASE microcred_test OWNER microcred" >/dev/null
echo "export MICROCRED_TEST_PG='postgresql+psycopg://microcred:microcred-test@127.0.0.1:$port/microcred_test'"
echo "export MICROCRED_PG_DIR='$dir'"
