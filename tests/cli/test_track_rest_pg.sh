#!/usr/bin/env bash
# The checks of test_track_rest.sh with `leanops server` on PostgreSQL: a fresh
# database leanops_rest_<pid> on the server LEANOPS_PG_URL names (its user
# needs CREATEDB), dropped at the end. Skipped (77) unless LEANOPS_PG_URL is
# set; to run it by hand:
#   envs=$(bash ../shared/services/postgres.sh start) && eval "$envs"
set -euo pipefail
if [ -z "${LEANOPS_PG_URL:-}" ]; then
  echo "test_track_rest_pg: skipped: LEANOPS_PG_URL is not set (start ../shared/services/postgres.sh)"
  exit 77
fi

DB="leanops_rest_$$"
# postgresql://user:pass@host:port/db[?opts] -> the same URL naming $DB.
SERVER=${LEANOPS_PG_URL%%\?*}
OPTS=${LEANOPS_PG_URL#"$SERVER"}
DB_URL="${SERVER%/*}/$DB$OPTS"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$LEANOPS_PG_URL" "$@"; }

if ! psql_admin -c "CREATE DATABASE $DB" >/dev/null; then
  echo "FAIL - create database $DB on $SERVER"
  echo "test_track_rest_pg: 0 passed, 1 failed"
  exit 1
fi
# The servers are stopped by the child script before this runs; FORCE ends
# connections a killed server may have left behind.
trap 'psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

rc=0
LEANOPS_TRACK_BACKEND_URI=$DB_URL LEANOPS_TRACK_TEST_NAME=test_track_rest_pg \
  bash "$(dirname "$0")/test_track_rest.sh" || rc=$?
exit "$rc"
