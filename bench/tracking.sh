#!/usr/bin/env bash
# Side-by-side benchmark: `leanops server` (MLflow's REST API on a SQLite store) vs a plain loop
# of prepared SQLite statements doing the same writes and reads on the same machine (the limit),
# with MLflow 2.12's own figures on a 2-core machine quoted for scale (quoted, not measured:
# MLflow is not installable here).
#
#   log-batch  : 1,000,000 metrics in log-batch requests of 1,000, one client  vs raw inserts
#   log-metric : single log-metric calls from 8 concurrent keep-alive clients
#   search     : runs/search over 10,000 runs filtered by a metric, without and with order_by
#                that metric (max_results 1000)                                vs raw ordered select
#   history    : metrics/get-history of a 10,000-step metric                  vs raw select
#
# Usage: bench/tracking.sh [--bin DIR] [--small] [--repeat N] [--calls N] [--pg] [--keep] [--help]
# Env:   BENCH_DIR (default: /tmp/leanops-bench), LEANOPS_PG_URL (with --pg)
# See bench/README.md for what each row measures and how to read the ratios.
set -euo pipefail

# ----------------------------------------------------------------------------- options
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

BIN_DIR=$REPO_ROOT/build
SIZE_NAME=full
SEARCH_REPEAT=50     # timed runs/search requests per case (after 3 warm-ups)
HISTORY_REPEAT=20    # timed get-history fetches (after 2 warm-ups)
CALLS=4000           # single log-metric calls in all (8 clients)
PG=0
KEEP=0

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --bin DIR      build directory holding leanops and leanops-track-load (default: <repo>/build);
                 build them with: ninja -C DIR leanops leanops-track-load
  --small        100,000 metrics and 1,000 runs instead of 1,000,000 and 10,000 (smoke run)
  --repeat N     timed runs/search requests per search case (default 50; get-history: 20)
  --calls N      single log-metric calls in all, over 8 clients (default 4000)
  --pg           also run every case against a server on PostgreSQL (LEANOPS_PG_URL, e.g.
                 postgresql://user:pw@localhost/db); reported as info rows
  --keep         keep the work directory (databases, server logs); its path is printed
  -h, --help     this text
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --bin) BIN_DIR=${2:?--bin needs a directory}; shift ;;
        --bin=*) BIN_DIR=${1#--bin=} ;;
        --small) SIZE_NAME=small ;;
        --repeat) SEARCH_REPEAT=${2:?--repeat needs a number}; shift ;;
        --repeat=*) SEARCH_REPEAT=${1#--repeat=} ;;
        --calls) CALLS=${2:?--calls needs a number}; shift ;;
        --calls=*) CALLS=${1#--calls=} ;;
        --pg) PG=1 ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "tracking.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ "$SEARCH_REPEAT" =~ ^[1-9][0-9]*$ ]] || { echo "tracking.sh: --repeat must be a positive integer" >&2; exit 2; }
[[ "$CALLS" =~ ^[1-9][0-9]*$ ]] || { echo "tracking.sh: --calls must be a positive integer" >&2; exit 2; }
if [[ $PG -eq 1 && -z ${LEANOPS_PG_URL:-} ]]; then
    echo "tracking.sh: --pg needs LEANOPS_PG_URL (postgresql://user:password@host/database)" >&2; exit 2
fi

if [[ $SIZE_NAME == full ]]; then
    METRICS=1000000; RUNS=10000
else
    METRICS=100000; RUNS=1000
fi
BATCH=1000           # metrics per log-batch request (MLflow's limit) and per raw transaction
CLIENTS=8            # concurrent log-metric clients
STEPS=10000          # steps of the get-history metric
FILTER='metrics.auc > 0.5'
ORDER='metrics.auc DESC'
MAX_RESULTS=1000     # runs/search page size (MLflow's default)

# MLflow 2.12, SQLite, 4 workers, 2 cores: the issue's figures (quoted, not measured here).
MLFLOW_LOG_BATCH=4000       # metrics/s through log-batch
MLFLOW_LOG_METRIC=100       # single log-metric calls/s
MLFLOW_SEARCH_MS=85         # filtered search over 10k runs
MLFLOW_ORDERED_MS=4500      # the same ordered by a metric: 4-5 s
MLFLOW_HISTORY_MS=750       # 10k-step metric history

BENCH_DIR=${BENCH_DIR:-/tmp/leanops-bench}
WORK=$BENCH_DIR/tracking-work        # databases, binaries' snapshot; removed on exit (unless --keep)
LOGS=$BENCH_DIR/logs-tracking        # each command's output, the servers' logs

[[ $BIN_DIR == /* ]] || BIN_DIR=$PWD/$BIN_DIR
LEANOPS_ORIG=$BIN_DIR/leanops
LOAD_ORIG=$BIN_DIR/leanops-track-load

# ----------------------------------------------------------------------------- helpers
log() { printf '%s\n' "$*" >&2; }
die() { printf 'tracking.sh: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
fmt_ms() {   # milliseconds -> "12.3 ms" / "1.23 s"; anything else unchanged
    if [[ $1 =~ ^[0-9.]+$ ]]; then
        awk -v t="$1" 'BEGIN { if (t < 1000) printf "%.1f ms", t; else printf "%.2f s", t / 1000 }'
    else
        printf '%s' "$1"
    fi
}
fmt_rate() {   # per second -> "123.4k/s"
    if [[ $1 =~ ^[0-9.]+$ ]]; then
        awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM/s", r / 1e6; else if (r >= 1e4) printf "%.1fk/s", r / 1e3; else printf "%.0f/s", r }'
    else
        printf '%s' "$1"
    fi
}
# The value of key=VALUE in a machine-readable line of leanops-track-load.
field() {   # line key
    awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"
}

# Server process CPU time (user + system) in seconds, from /proc.
cpu_of() {   # pid
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

SERVER_PID=
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
cleanup() {
    stop_server
    if [[ $KEEP -eq 1 ]]; then
        log "kept: $WORK (databases) and $LOGS (logs); delete them when done"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts `leanops server` on STORE_URI at a free port; sets SERVER_PID and URL.
start_server() {   # name store_uri
    local name=$1 uri=$2 i line
    # (from $WORK: a default artifact root would be created there)
    (cd "$WORK" && exec "$LEANOPS" server --backend-store-uri "$uri" --port 0) \
        >"$LOGS/server-$name.out" 2>"$LOGS/server-$name.err" &
    SERVER_PID=$!
    URL=
    for ((i = 0; i < 300; i++)); do
        line=$(grep -m1 -o 'listening on http://[^ ]*' "$LOGS/server-$name.out" "$LOGS/server-$name.err" 2>/dev/null | head -1 || true)
        if [[ -n $line ]]; then URL=${line#*listening on }; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $URL ]]; then
        log "server output:"; cat "$LOGS/server-$name.out" "$LOGS/server-$name.err" >&2 || true
        die "leanops server ($uri) did not start (see above)"
    fi
    log "-- server ($name): $URL, pid $SERVER_PID"
}

# Runs one leanops-track-load mode; LINE = its result line ("" on failure), logged with the
# server's CPU time over the command.
LINE=
FAILURES=()
load() {   # name mode args...
    local name=$1 rc=0 cpu0 cpu1 t0 t1; shift
    [[ -z $SERVER_PID ]] || cpu0=$(cpu_of "$SERVER_PID")
    t0=$(now)
    "$LOAD" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" || rc=$?
    t1=$(now)
    LINE=
    if [[ $rc -ne 0 ]]; then
        FAILURES+=("[$name] ${LOAD_ORIG##*/} $* -> exit $rc: $(tail -c 1500 "$LOGS/$name.err")")
        log "  FAILED: ${LOAD_ORIG##*/} $* -> exit $rc"
        log "          $(tail -c 600 "$LOGS/$name.err")"
        return 0
    fi
    LINE=$(tail -n 1 "$LOGS/$name.out")
    if [[ -n $SERVER_PID ]]; then
        cpu1=$(cpu_of "$SERVER_PID")
        log "  $name: $(sub "$t1" "$t0" | awk '{ printf "%.1f", $1 }') s wall, server CPU $(sub "$cpu1" "$cpu0" | awk '{ printf "%.2f", $1 }') s"
    else
        log "  $name: $(sub "$t1" "$t0" | awk '{ printf "%.1f", $1 }') s wall"
    fi
    log "    $LINE"
}

# ----------------------------------------------------------------------------- results
ROWS=()   # "case|leanops|peer|peer value|ratio|target|verdict"

# A rate row (higher is better): target ">=Nx" (of the peer) or ">=N/s" (absolute) or "-".
rate_row() {   # case leanops_rate peer peer_rate target
    local ratio=- verdict=info
    if [[ $2 =~ ^[0-9.]+$ && $4 =~ ^[0-9.]+$ ]]; then
        ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.2fx", a / b }')
    fi
    if [[ $2 =~ ^[0-9.]+$ ]]; then
        if [[ $4 =~ ^[0-9.]+$ && $5 =~ ^\>=([0-9.]+)x$ ]]; then
            verdict=$(awk -v a="$2" -v b="$4" -v t="${BASH_REMATCH[1]}" 'BEGIN { print (a / b >= t) ? "PASS" : "MISS" }')
        elif [[ $5 =~ ^\>=([0-9.]+)k/s$ ]]; then
            verdict=$(awk -v a="$2" -v t="${BASH_REMATCH[1]}" 'BEGIN { print (a >= t * 1000) ? "PASS" : "MISS" }')
        fi
    else
        verdict=FAIL
    fi
    ROWS+=("$1|$(fmt_rate "$2")|$3|$(fmt_rate "$4")|$ratio|$5|$verdict")
}

# A time row (lower is better), in ms: target "<N ms" (absolute) or "-".
time_row() {   # case leanops_ms peer peer_ms target [peer_label]
    local ratio=- verdict=info peer_shown=${6:-$(fmt_ms "$4")}
    if [[ $2 =~ ^[0-9.]+$ && $4 =~ ^[0-9.]+$ ]]; then
        ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.3gx", a / b }')
    fi
    if [[ $2 =~ ^[0-9.]+$ ]]; then
        if [[ $5 =~ ^\<([0-9.]+)\ ms$ ]]; then
            verdict=$(awk -v a="$2" -v t="${BASH_REMATCH[1]}" 'BEGIN { print (a < t) ? "PASS" : "MISS" }')
        fi
    else
        verdict=FAIL
    fi
    ROWS+=("$1|$(fmt_ms "$2")|$3|$peer_shown|$ratio|$5|$verdict")
}

print_table() {
    local r name lo peer pv ratio target verdict
    printf '\n%-46s %10s  %-30s %10s %8s %9s  %s\n' "case" "leanops" "peer" "peer value" "ratio" "target" "verdict"
    printf "%s\n" "$(printf "%.0s-" {1..126})"
    for r in "${ROWS[@]}"; do
        IFS='|' read -r name lo peer pv ratio target verdict <<<"$r"
        printf '%-46s %10s  %-30s %10s %8s %9s  %s\n' "$name" "$lo" "$peer" "$pv" "$ratio" "$target" "$verdict"
    done
    printf "%s\n" "$(printf "%.0s-" {1..126})"
    echo "ratio = leanops / peer: for rates (/s) higher is better, for times lower is better."
    echo "raw SQLite = leanops-track-load raw-sqlite, same machine, same run, same table and primary key."
    echo "MLflow rows: MLflow 2.12 (SQLite store, 4 workers, 2 cores) as quoted in the issue; NOT measured here."
    echo "Latencies: search = $SEARCH_REPEAT requests after 3 warm-ups (max_results $MAX_RESULTS), get-history ="
    echo "$HISTORY_REPEAT fetches of all pages after 2 warm-ups, log-metric = all $CALLS calls; p = nearest rank."
}

# ----------------------------------------------------------------------------- machine info
[[ -x $LEANOPS_ORIG ]] || die "leanops not found at $LEANOPS_ORIG (ninja -C ${BIN_DIR} leanops, or --bin DIR)"
[[ -x $LOAD_ORIG ]] || die "leanops-track-load not found at $LOAD_ORIG (ninja -C ${BIN_DIR} leanops-track-load)"
mkdir -p "$BENCH_DIR"
exec 9>"$BENCH_DIR/.lock-tracking"
flock -n 9 || { echo "tracking.sh: another run is using $BENCH_DIR" >&2; trap - EXIT; exit 1; }
rm -rf "$WORK" "$LOGS"
mkdir -p "$WORK/bin" "$LOGS"

echo "== leanops tracking benchmark ($SIZE_NAME: $METRICS metrics, $RUNS runs, $STEPS-step history) =="
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:     nproc=$(nproc), cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:   $(uname -srm)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)$(awk '$1 > 0.5 { printf "  -- WARNING: the machine is busy, timings will be noisy" }' /proc/loadavg)"
echo "bench fs: $BENCH_DIR on $(df -PT "$BENCH_DIR" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
echo "leanops:  $LEANOPS_ORIG ($("$LEANOPS_ORIG" --version 2>&1 | sed -n 1p), $(stat -c '%y' "$LEANOPS_ORIG" | cut -d. -f1))"
echo "load gen: $LOAD_ORIG ($(stat -c '%y' "$LOAD_ORIG" | cut -d. -f1))"
# Snapshot the binaries so that a concurrent rebuild cannot swap them in the middle of the run.
cp "$LEANOPS_ORIG" "$WORK/bin/leanops"; LEANOPS=$WORK/bin/leanops
cp "$LOAD_ORIG" "$WORK/bin/leanops-track-load"; LOAD=$WORK/bin/leanops-track-load
T_START=$(now)

# ----------------------------------------------------------------------------- the cases
# The raw SQLite loop first, while no server runs.
log "-- raw SQLite: $METRICS prepared inserts in transactions of $BATCH, history and ordered selects"
load raw-sqlite raw-sqlite --db "$WORK/raw.db" --metrics "$METRICS" --batch "$BATCH" \
    --steps "$STEPS" --runs "$RUNS" --repeat "$HISTORY_REPEAT"
RAW=$LINE

# Every server case against one store; fields go to S_<name> variables.
run_server_cases() {   # name store_uri
    local name=$1 experiment
    start_server "$name" "$2"
    log "-- [$name] log-batch: $METRICS metrics in requests of $BATCH"
    load "$name-log-batch" log-batch --url "$URL" --metrics "$METRICS" --batch "$BATCH"
    printf -v "S_${name}_batch" '%s' "$LINE"
    log "-- [$name] log-metric: $CALLS calls from $CLIENTS clients"
    load "$name-log-metric" log-metric --url "$URL" --clients "$CLIENTS" --calls "$CALLS"
    printf -v "S_${name}_metric" '%s' "$LINE"
    log "-- [$name] populate: $RUNS runs (setup, not a row)"
    load "$name-populate" populate --url "$URL" --runs "$RUNS" --clients 4
    experiment=$(field "$LINE" experiment_id)
    printf -v "S_${name}_search" '%s' ""
    printf -v "S_${name}_ordered" '%s' ""
    if [[ -n $experiment ]]; then
        log "-- [$name] search: filter '$FILTER', max_results $MAX_RESULTS"
        load "$name-search" search --url "$URL" --experiment "$experiment" --filter "$FILTER" \
            --max-results "$MAX_RESULTS" --repeat "$SEARCH_REPEAT"
        printf -v "S_${name}_search" '%s' "$LINE"
        log "-- [$name] search: filter '$FILTER', order_by '$ORDER'"
        load "$name-search-ordered" search --url "$URL" --experiment "$experiment" \
            --filter "$FILTER" --order-by "$ORDER" --max-results "$MAX_RESULTS" --repeat "$SEARCH_REPEAT"
        printf -v "S_${name}_ordered" '%s' "$LINE"
    fi
    log "-- [$name] get-history: $STEPS steps"
    load "$name-history" history --url "$URL" --steps "$STEPS" --repeat "$HISTORY_REPEAT"
    printf -v "S_${name}_history" '%s' "$LINE"
    log "  server ($name) peak RSS: $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo '?')"
    stop_server
}

run_server_cases sqlite "sqlite:///$WORK/bench.db"
if [[ $PG -eq 1 ]]; then run_server_cases pg "$LEANOPS_PG_URL"; fi

# ----------------------------------------------------------------------------- the table
num() { local v; v=$(field "$1" "$2"); [[ -n $v ]] && echo "$v" || echo FAIL; }
K=$((METRICS / 1000))k; R=$((RUNS / 1000))k; H=$((STEPS / 1000))k

rate_row "log-batch $K metrics, batches of $BATCH" "$(num "$S_sqlite_batch" metrics_per_s)" \
    "raw SQLite inserts" "$(num "$RAW" inserts_per_s)" ">=0.30x"
rate_row "log-batch $K metrics, batches of $BATCH" "$(num "$S_sqlite_batch" metrics_per_s)" \
    "MLflow 2.12 (quoted)" "$MLFLOW_LOG_BATCH" ">=100k/s"
rate_row "log-metric, $CLIENTS keep-alive clients" "$(num "$S_sqlite_metric" calls_per_s)" \
    "MLflow 2.12 (quoted)" "$MLFLOW_LOG_METRIC" "-"
time_row "log-metric, $CLIENTS clients: p50 latency" "$(num "$S_sqlite_metric" p50_ms)" "-" "-" "-"
time_row "log-metric, $CLIENTS clients: p95 latency" "$(num "$S_sqlite_metric" p95_ms)" "-" "-" "-"
time_row "search $R runs, filter by metric: p50" "$(num "$S_sqlite_search" p50_ms)" \
    "MLflow 2.12 (quoted)" "$MLFLOW_SEARCH_MS" "-"
time_row "search $R runs, filter by metric: p95" "$(num "$S_sqlite_search" p95_ms)" "-" "-" "-"
time_row "search $R runs, ordered by metric: p50" "$(num "$S_sqlite_ordered" p50_ms)" \
    "raw SQLite ordered select" "$(num "$RAW" ordered_search_p50_ms)" "-"
time_row "search $R runs, ordered by metric: p95" "$(num "$S_sqlite_ordered" p95_ms)" \
    "MLflow 2.12 (quoted)" "$MLFLOW_ORDERED_MS" "<50 ms" "4-5 s"
time_row "get-history $H steps: p50" "$(num "$S_sqlite_history" p50_ms)" \
    "raw SQLite select" "$(num "$RAW" history_p50_ms)" "-"
time_row "get-history $H steps: p50" "$(num "$S_sqlite_history" p50_ms)" \
    "raw SQLite select + JSON" "$(num "$RAW" history_json_p50_ms)" "-"
time_row "get-history $H steps: p95" "$(num "$S_sqlite_history" p95_ms)" \
    "MLflow 2.12 (quoted)" "$MLFLOW_HISTORY_MS" "<30 ms"
if [[ $PG -eq 1 ]]; then
    rate_row "[pg] log-batch $K metrics" "$(num "$S_pg_batch" metrics_per_s)" \
        "leanops on SQLite" "$(num "$S_sqlite_batch" metrics_per_s)" "-"
    rate_row "[pg] log-metric, $CLIENTS clients" "$(num "$S_pg_metric" calls_per_s)" \
        "leanops on SQLite" "$(num "$S_sqlite_metric" calls_per_s)" "-"
    time_row "[pg] search $R runs, filter: p95" "$(num "$S_pg_search" p95_ms)" \
        "leanops on SQLite" "$(num "$S_sqlite_search" p95_ms)" "-"
    time_row "[pg] search $R runs, ordered: p95" "$(num "$S_pg_ordered" p95_ms)" \
        "leanops on SQLite" "$(num "$S_sqlite_ordered" p95_ms)" "-"
    time_row "[pg] get-history $H steps: p95" "$(num "$S_pg_history" p95_ms)" \
        "leanops on SQLite" "$(num "$S_sqlite_history" p95_ms)" "-"
fi

print_table | tee "$BENCH_DIR/last-results-tracking-$SIZE_NAME.txt"
echo "total wall time: $(awk -v t="$(sub "$(now)" "$T_START")" 'BEGIN { printf "%.1f s", t }'); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw lines: $LOGS/*.out"
if [[ ${#FAILURES[@]} -gt 0 ]]; then
    echo
    echo "failures (exact command, exit code, stderr):"
    printf '  %s\n' "${FAILURES[@]}"
    exit 1
fi
