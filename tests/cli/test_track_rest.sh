#!/usr/bin/env bash
# `leanops server` against MLflow's REST API, end to end over HTTP: the suite
# in tests/track/rest_suite.py (every tracking, registry and artifact endpoint,
# auth and the request size limit) and tests/track/concurrent_writers.py
# (8 writers x 10,000 metrics to one run).
#
# The store is SQLite; LEANOPS_TRACK_BACKEND_URI runs the same checks on
# another backend (test_track_rest_pg.sh uses it for PostgreSQL, with
# LEANOPS_TRACK_TEST_NAME naming the test in the summary).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
TEST_NAME=${LEANOPS_TRACK_TEST_NAME:-$TEST_NAME}
TRACK=$LIB_DIR/../track
BACKEND=${LEANOPS_TRACK_BACKEND_URI:-sqlite:///$T/mlflow.db}
LIMIT=65536

# start_server NAME ARGS...: starts `leanops server ARGS --port 0`, waits for
# its "leanops server listening on http://127.0.0.1:PORT" line; sets URL and PID.
start_server() {
  local name=$1
  shift
  "$LEANOPS_BIN" server "$@" --port 0 >"$T/$name.out" 2>"$T/$name.err" &
  PID=$!
  register_bg "$PID"
  for _ in $(seq 1 300); do
    URL=$(sed -n 's|^leanops server listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$|\1|p' "$T/$name.out")
    if [ -n "$URL" ]; then
      ok "$name server listening at $URL"
      return 0
    fi
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "$name server prints 'leanops server listening on http://127.0.0.1:PORT'" \
    "stdout: $(head -c 2000 "$T/$name.out")" "stderr: $(head -c 2000 "$T/$name.err")"
  return 1
}

# stop_server NAME PID: SIGTERM, and the server must be gone within 10 s.
stop_server() {
  local name=$1 pid=$2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      ok "$name server stops on SIGTERM"
      return 0
    fi
    sleep 0.1
  done
  fail "$name server stops on SIGTERM within 10 s" "stderr: $(tail -c 2000 "$T/$name.err")"
  kill -9 "$pid" 2>/dev/null || true
}

# relay NAME CMD...: runs a checker script that prints "ok - ..." and
# "FAIL - ..." lines (details on "    # ..." lines after a FAIL) and counts
# each of its checks here.
relay() {
  local name=$1 rc=0 line desc="" details=() failed=0
  shift
  timeout -k 5 300 "$@" >"$T/$name.log" 2>&1 || rc=$?
  _flush() {
    if [ -n "$desc" ]; then
      fail "$desc" "${details[@]}"
      failed=$((failed + 1))
    fi
    desc=""
    details=()
  }
  while IFS= read -r line; do
    case $line in
      "ok - "*) _flush; ok "${line#ok - }" ;;
      "FAIL - "*) _flush; desc=${line#FAIL - } ;;
      "    # "*) if [ -n "$desc" ]; then details+=("${line#    # }"); else echo "$line"; fi ;;
      *) _flush; echo "$line" ;;
    esac
  done <"$T/$name.log"
  _flush
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    fail "$name exits 0" "exit $rc" "$(tail -n 30 "$T/$name.log")"
  fi
}

mkdir -p "$T/artifacts" "$T/auth-artifacts"
start_server main --backend-store-uri "$BACKEND" --artifacts-destination "$T/artifacts" || finish
MAIN_URL=$URL
MAIN_PID=$PID

TOKEN="suite-$RANDOM$RANDOM-token"
printf '%s\n' "$TOKEN" >"$T/token"
if start_server auth --backend-store-uri "sqlite:///$T/auth.db" --artifacts-destination "$T/auth-artifacts" \
  --auth-token-file "$T/token" --max-request-size "$LIMIT"; then
  AUTH_ARGS=(--auth-url "$URL" --auth-token "$TOKEN" --limit-bytes "$LIMIT")
  AUTH_PID=$PID
else
  AUTH_ARGS=()
  AUTH_PID=""
fi

relay rest_suite python3 "$TRACK/rest_suite.py" --url "$MAIN_URL" --artifacts-dir "$T/artifacts" \
  --workdir "$T" "${AUTH_ARGS[@]}"
relay concurrent_writers python3 "$TRACK/concurrent_writers.py" --url "$MAIN_URL"

[ -z "$AUTH_PID" ] || stop_server auth "$AUTH_PID"
stop_server main "$MAIN_PID"
finish
