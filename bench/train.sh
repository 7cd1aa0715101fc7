#!/usr/bin/env bash
# Side-by-side benchmark: `leanops train`, `predict`, `evaluate` and `tune` vs the Python stack a
# user would otherwise pick (scikit-learn RandomForestClassifier, Python XGBoost, Optuna TPE), on
# the churn CSV (churn-gen --seed 42) with a held-out file of the same size (--seed 7).
# Cases (issue 6): rf, xgb, predict, tune. Every timed command runs --runs times, leanops and
# its peer interleaved; the minimum is reported. Before each timed command the script waits
# (up to --idle-wait s) until the other processes leave >= --idle % of the CPUs idle.
#
# Usage: bench/train.sh [--rows N]... [--runs N] [--only rf,xgb,predict,tune] [--rf-set "K=V ..."]...
#                       [--tune-trials N] [--tune-seeds "0 1 2 3 4"] [--idle PCT] [--idle-wait S]
#                       [--tune-threads N] [--keep] [--help]
#   --rows N        data sizes (repeatable; default 100000 and 1000000); tune always uses 100000
#   --tune-threads N  XGBoost threads per trial on both sides (default: JOBS; trials run one at a time)
#   --rf-set "K=V K=V"  also time leanops random_forest with these --set overrides (repeatable:
#                   one extra row per occurrence), e.g. --rf-set "model.max_depth=8 model.n_estimators=50"
# Env:   LEANOPS_BIN, CHURN_GEN (default: <repo>/build/...), BENCH_DIR (default: /tmp/leanops-bench),
#        PYTHON (default /usr/bin/python3), JOBS (threads on both sides, default 2)
# Needs: Debian's python3-sklearn, python3-xgboost, python3-optuna, python3-pandas; /usr/bin/time.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
LEANOPS_SRC=${LEANOPS_BIN:-$REPO_ROOT/build/leanops}
CHURN_GEN=${CHURN_GEN:-$REPO_ROOT/build/churn-gen}
BENCH_DIR=${BENCH_DIR:-/tmp/leanops-bench}
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3, not a pyenv one earlier on PATH
JOBS=${JOBS:-2}
SIZES=()
RUNS=3
ONLY=rf,xgb,predict,tune
RF_SET=()
TUNE_TRIALS=30
TUNE_SEEDS="0 1 2 3 4"
TUNE_THREADS=
IDLE=85
IDLE_WAIT=300
KEEP=0

while [[ $# -gt 0 ]]; do
    case "$1" in
        --rows) SIZES+=("${2:?--rows needs a number}"); shift ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --only) ONLY=${2:?--only needs a list}; shift ;;
        --rf-set) RF_SET+=("${2:?--rf-set needs KEY=VALUE ...}"); shift ;;
        --tune-trials) TUNE_TRIALS=${2:?}; shift ;;
        --tune-seeds) TUNE_SEEDS=${2:?}; shift ;;
        --tune-threads) TUNE_THREADS=${2:?}; shift ;;
        --idle) IDLE=${2:?}; shift ;;
        --idle-wait) IDLE_WAIT=${2:?}; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "train.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(100000 1000000)
TUNE_THREADS=${TUNE_THREADS:-$JOBS}
has() { [[ ",$ONLY," == *",$1,"* ]]; }
for tool in "$LEANOPS_SRC" "$CHURN_GEN"; do
    [[ -x $tool ]] || { echo "train.sh: $tool not built (ninja -C build, or set LEANOPS_BIN/CHURN_GEN)" >&2; exit 2; }
done
"$PYTHON" -c 'import pandas, sklearn, xgboost, optuna' 2>/dev/null ||
    { echo "train.sh: needs python3-pandas, -sklearn, -xgboost, -optuna ($PYTHON)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "train.sh: needs /usr/bin/time" >&2; exit 2; }

data=$BENCH_DIR/train-data
work=$BENCH_DIR/train-work
mkdir -p "$data" "$work"
[[ $KEEP == 1 ]] || trap 'rm -rf "$work"' EXIT
# A copy, so that a rebuild (or a new snapshot) during the run does not change what is measured.
LEANOPS=$work/leanops
cp "$LEANOPS_SRC" "$LEANOPS"
PEERS=$SCRIPT_DIR/train_peers.py
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# --- machine state ----------------------------------------------------------------------------
# Free CPU share over 1 s: idle + iowait + time of niced processes (other engineers' builds run
# at nice 10 and yield to the benchmark); what is left is un-niced work that competes with it.
cpu_sample() { awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8+$9, $3+$5+$6 }' /proc/stat; }
idle_pct() {
    local a b
    a=$(cpu_sample); sleep 1; b=$(cpu_sample)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = y[1] - x[1];
        printf "%.0f", (t > 0 ? 100 * (y[2] - x[2]) / t : 100) }'
}
LAST_IDLE=
wait_idle() {  # waits until the machine is quiet enough to time on it
    local waited=0 idle
    while :; do
        idle=$(idle_pct)
        if (( idle >= IDLE )) || (( waited >= IDLE_WAIT )); then break; fi
        (( waited % 30 == 0 )) && log "waiting for free CPUs: ${idle}% free (< ${IDLE}%), load $(cut -d' ' -f1 /proc/loadavg)"
        waited=$((waited + 1))
    done
    LAST_IDLE=$idle
}
MIN_IDLE=100
note_idle() { (( LAST_IDLE < MIN_IDLE )) && MIN_IDLE=$LAST_IDLE; return 0; }

# timed NAME CMD...: runs CMD after wait_idle; stdout to $work/NAME.out, stderr to $work/NAME.err;
# sets T (wall seconds) and CPU (user+sys seconds). Fails the script on a non-zero exit.
timed() {
    local name=$1; shift
    wait_idle; note_idle
    local t0 t1
    t0=$(date +%s%N)
    if ! /usr/bin/time -f '%U %S' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
        echo "train.sh: failed: $*" >&2; tail -n 20 "$work/$name.err" >&2; exit 1
    fi
    t1=$(date +%s%N)
    T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    CPU=$(tail -n 1 "$work/$name.time" | awk '{ printf "%.2f", $1 + $2 }')
    log "$name: ${T} s wall, ${CPU} s CPU (free before: ${LAST_IDLE}%, load $(cut -d' ' -f1 /proc/loadavg))"
}
jget() { "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt_s() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.0f ms", s * 1000; else printf "%.2f s", s }'; }

ROWS_OUT=()
row() {  # case, rows, leanops, peer name, peer value, ratio, target, verdict
    ROWS_OUT+=("$(printf '%-52s %8s %11s  %-32s %11s %8s %9s  %s' "$@")")
    log "row: ${ROWS_OUT[-1]}"
}
verdict_le() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "PASS" : "MISS" }'; }
verdict_ge() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "PASS" : "MISS" }'; }

echo "== leanops train/predict/evaluate/tune benchmark =="
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:    nproc=$(nproc), $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (waiting for >= ${IDLE}% of the CPUs idle or running niced work before each timed command, at most ${IDLE_WAIT} s)"
echo "leanops: $("$LEANOPS" --version) ($LEANOPS_SRC)"
echo "python:  $("$PYTHON" -c 'import sys, pandas, numpy, sklearn, xgboost, optuna; print("%s, pandas %s, numpy %s, scikit-learn %s, xgboost %s, optuna %s" % (sys.version.split()[0], pandas.__version__, numpy.__version__, sklearn.__version__, xgboost.__version__, optuna.__version__))')"
echo "threads: $JOBS on both sides (leanops -j $JOBS; n_jobs/nthread $JOBS); runs: $RUNS (minimum reported)"
echo

gen() {  # rows seed -> path (generated once)
    local f=$data/churn-$1-s$2.csv
    [[ -f $f ]] || { log "generating $f"; "$CHURN_GEN" --rows "$1" --seed "$2" --out "$f"; }
    echo "$f"
}

for rows in "${SIZES[@]}"; do
    train=$(gen "$rows" 42)
    heldout=$(gen "$rows" 7)

    # --- 1. random forest + 3. batch predict ----------------------------------------------
    if has rf || has predict; then
        variants=(default)
        for i in "${!RF_SET[@]}"; do variants+=("set$i"); done
        declare -A lo_t=() lo_auc=()
        sk_t=() sk_pp=() sk_ppr=(); sk_auc=
        for run in $(seq "$RUNS"); do
            for v in "${variants[@]}"; do
                sets=(); [[ $v == set* ]] && for s in ${RF_SET[${v#set}]}; do sets+=(--set "$s"); done
                timed "rf-$v-$rows-$run" "$LEANOPS" train --data "$train" --target churned \
                    --model random_forest "${sets[@]}" --no-log -j "$JOBS" --out "$work/rf-$v-$rows"
                lo_t[$v]+="$T "
            done
            timed "sk-rf-$rows-$run" "$PYTHON" "$PEERS" rf --train "$train" --test "$heldout" --jobs "$JOBS"
            j=$work/sk-rf-$rows-$run.out
            sk_t+=("$(jget "$j" 'd["total_s"]')"); sk_pp+=("$(jget "$j" 'd["predict_proba_s"]')")
            sk_ppr+=("$(jget "$j" 'd["predict_with_read_s"]')"); sk_auc=$(jget "$j" 'd["auc"]')
        done
        skt=$(min "${sk_t[@]}")
        for v in "${variants[@]}"; do
            "$LEANOPS" evaluate --model "$work/rf-$v-$rows" --data "$heldout" --json -j "$JOBS" >"$work/ev-rf-$v-$rows.json"
            lo_auc[$v]=$(jget "$work/ev-rf-$v-$rows.json" 'd["metrics"]["roc_auc"]')
            label="train random_forest"; [[ $v == set* ]] && label="train RF ${RF_SET[${v#set}]//model./}"
            # shellcheck disable=SC2086
            t=$(min ${lo_t[$v]})
            r=$(awk -v a="$t" -v b="$skt" 'BEGIN { printf "%.3f", a / b }')
            if has rf; then
                row "$label" "$rows" "$(fmt_s "$t")" "sklearn RF read+prep+fit" "$(fmt_s "$skt")" "${r}x" "<=0.1x" "$(verdict_le "$r" 0.1)"
                d=$(awk -v a="${lo_auc[$v]}" -v b="$sk_auc" 'BEGIN { printf "%+.4f", a - b }')
                row "  ROC AUC on held-out (diff)" "$rows" "$(printf %.4f "${lo_auc[$v]}")" "sklearn RF" "$(printf %.4f "$sk_auc")" "$d" ">=-0.005" "$(verdict_ge "$d" -0.005)"
            fi
        done
        if has predict; then
            for v in "${variants[@]}"; do
                p_t=()
                for run in $(seq "$RUNS"); do
                    timed "pred-$v-$rows-$run" "$LEANOPS" predict --model "$work/rf-$v-$rows" --data "$heldout" \
                        --out "$work/preds.csv" -j "$JOBS"
                    p_t+=("$T")
                done
                pt=$(min "${p_t[@]}"); pp=$(min "${sk_pp[@]}"); ppr=$(min "${sk_ppr[@]}")
                rate() { awk -v n="$rows" -v s="$1" 'BEGIN { r = n / s; if (r >= 1e6) printf "%.2fM/s", r / 1e6; else printf "%.0fk/s", r / 1e3 }'; }
                label="predict RF, rows/s"; [[ $v == set* ]] && label="predict RF ${RF_SET[${v#set}]//model./}"
                r=$(awk -v a="$pt" -v b="$pp" 'BEGIN { printf "%.2f", b / a }')
                row "$label" "$rows" "$(rate "$pt")" "sklearn predict_proba only" "$(rate "$pp")" "${r}x" ">=5x" "$(verdict_ge "$r" 5)"
                r=$(awk -v a="$pt" -v b="$ppr" 'BEGIN { printf "%.2f", b / a }')
                row "" "$rows" "" "sklearn read+prep+predict_proba" "$(rate "$ppr")" "${r}x" "-" "info"
            done
        fi
        unset lo_t lo_auc
    fi

    # --- 2. xgboost --------------------------------------------------------------------------
    if has xgb; then
        lo=(); py=(); py_auc=
        for run in $(seq "$RUNS"); do
            timed "xgb-$rows-$run" "$LEANOPS" train --data "$train" --target churned --model xgboost \
                --set model.n_estimators=100 --set model.max_depth=6 --set model.learning_rate=0.3 \
                --set model.tree_method=hist --no-log -j "$JOBS" --out "$work/xgb-$rows"
            lo+=("$T")
            timed "py-xgb-$rows-$run" "$PYTHON" "$PEERS" xgb --train "$train" --test "$heldout" --jobs "$JOBS" \
                --n-estimators 100 --max-depth 6 --learning-rate 0.3
            py+=("$(jget "$work/py-xgb-$rows-$run.out" 'd["total_s"]')"); py_auc=$(jget "$work/py-xgb-$rows-$run.out" 'd["auc"]')
        done
        "$LEANOPS" evaluate --model "$work/xgb-$rows" --data "$heldout" --json -j "$JOBS" >"$work/ev-xgb-$rows.json"
        a=$(jget "$work/ev-xgb-$rows.json" 'd["metrics"]["roc_auc"]')
        t=$(min "${lo[@]}"); p=$(min "${py[@]}")
        r=$(awk -v a="$t" -v b="$p" 'BEGIN { printf "%.2f", a / b }')
        row "train xgboost" "$rows" "$(fmt_s "$t")" "xgboost read+prep+train" "$(fmt_s "$p")" "${r}x" "<=1.5x" "$(verdict_le "$r" 1.5)"
        d=$(awk -v a="$a" -v b="$py_auc" 'BEGIN { printf "%+.4f", a - b }')
        row "  ROC AUC on held-out (diff)" "$rows" "$(printf %.4f "$a")" "xgboost" "$(printf %.4f "$py_auc")" "$d" "-" "info"
    fi
done

# --- 4. tune vs Optuna TPE (100k rows; first 80,000 rows train, last 20,000 validate) -------
if has tune; then
    src=$(gen 100000 42)
    tt=$work/tune-train.csv; tv=$work/tune-valid.csv
    head -n 80001 "$src" >"$tt"
    { head -n 1 "$src"; tail -n +80002 "$src"; } >"$tv"
    cat >"$work/tune-base.yaml" <<YAML
data:
  train: $tt
  test: $tv
  target: churned
  task: binary
  id_columns: [customer_id]
model:
  type: xgboost
  n_estimators: 100
  tree_method: hist
  n_jobs: $TUNE_THREADS
seed: 42
YAML
    cat >"$work/tune.yaml" <<YAML
base: $work/tune-base.yaml
metric: roc_auc
trials: $TUNE_TRIALS
jobs: 1
sampler: tpe
pruner: none
space:
  model.max_depth: {type: int, low: 2, high: 10}
  model.learning_rate: {type: float, low: 0.01, high: 0.3, log: true}
  model.subsample: {type: float, low: 0.5, high: 1.0}
  model.min_child_weight: {type: float, low: 1, high: 10, log: true}
YAML
    lo_best=(); lo_t=(); op_best=(); op_t=()
    for seed in $TUNE_SEEDS; do
        timed "tune-$seed" "$LEANOPS" tune --config "$work/tune.yaml" --seed "$seed" --no-log --json
        lo_best+=("$(jget "$work/tune-$seed.out" 'd["best_value"]')"); lo_t+=("$T")
        timed "optuna-$seed" "$PYTHON" "$PEERS" optuna --train "$tt" --test "$tv" --jobs "$TUNE_THREADS" \
            --trials "$TUNE_TRIALS" --seeds "$seed"
        op_best+=("$(jget "$work/optuna-$seed.out" 'd["studies"][0]["best"]')"); op_t+=("$T")
        log "seed $seed: leanops best ${lo_best[-1]} (${lo_t[-1]} s), optuna best ${op_best[-1]} (${op_t[-1]} s)"
    done
    lm=$(median "${lo_best[@]}"); om=$(median "${op_best[@]}")
    d=$(awk -v a="$lm" -v b="$om" 'BEGIN { printf "%+.4f", a - b }')
    row "tune $TUNE_TRIALS trials, best AUC (median seeds)" 100000 "$(printf %.4f "$lm")" "Optuna TPE, median of seeds" "$(printf %.4f "$om")" "$d" ">=0" "$(verdict_ge "$d" 0)"
    lmin=$(min "${lo_best[@]}")
    d=$(awk -v a="$lmin" -v b="$om" 'BEGIN { printf "%+.4f", a - b }')
    row "  worst leanops seed vs Optuna median" 100000 "$(printf %.4f "$lmin")" "Optuna TPE, median of seeds" "$(printf %.4f "$om")" "$d" "-" "info"
    a=$(median "${lo_t[@]}"); b=$(median "${op_t[@]}")
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
    row "tune wall time (median of seeds)" 100000 "$(fmt_s "$a")" "Optuna: read+prep+study" "$(fmt_s "$b")" "${r}x" "-" "info"
    echo "tune: $TUNE_TRIALS TPE trials one at a time, $TUNE_THREADS XGBoost thread(s) each, no pruning; seeds: $TUNE_SEEDS"
    echo "  leanops best: ${lo_best[*]}"
    echo "  optuna best:  ${op_best[*]}"
    echo
fi

printf '%-52s %8s %11s  %-32s %11s %8s %9s  %s\n' case rows leanops peer "peer" ratio target verdict
printf -- '-%.0s' {1..147}; echo
printf '%s\n' "${ROWS_OUT[@]}"
printf -- '-%.0s' {1..147}; echo
cat <<EOF
Times: minimum of $RUNS interleaved runs. ratio: leanops time / peer time for train rows,
leanops rows/s / peer rows/s for predict rows, AUC difference (leanops - peer) for AUC rows.
leanops train is the whole command as a user types it (read, transform, stratified 80/20 holdout,
fit on the 80 %, score the 20 %, write the model directory); the peers' time is read_csv +
preprocessing + the same-sized stratified split + fit on the 80 % (interpreter start-up, imports
and scoring not counted). AUCs are on a separate held-out file (churn-gen --seed 7, same size):
leanops via 'leanops evaluate --json', peers via sklearn.metrics.roc_auc_score. Predict rows:
'leanops predict' whole command (read, transform, score, write CSV) on the held-out file.
Least free CPU share seen before a timed command: ${MIN_IDLE}% (idle or running niced work).
Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).
EOF
