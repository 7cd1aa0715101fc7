#!/usr/bin/env bash
# Side-by-side benchmark: `leanops validate` vs pandas (read_csv plus the same checks) vs
# `wc -l` (the speed of reading the file), on the churn CSV at 1M and 5M rows, with the
# issue's 8 expectations: not null, between, in set, unique, regex, mean between, row count
# between, not null with mostly 0.98. Every command runs --runs times (median reported);
# peak memory comes from /usr/bin/time.
#
# Usage: bench/validate.sh [--small] [--runs N] [--keep] [--help]
# Env:   LEANOPS_BIN, CHURN_GEN (default: <repo>/build/...), BENCH_DIR (default: /tmp/leanops-bench)
# Needs: python3-pandas (Debian), hyperfine, /usr/bin/time.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
LEANOPS=${LEANOPS_BIN:-$REPO_ROOT/build/leanops}
CHURN_GEN=${CHURN_GEN:-$REPO_ROOT/build/churn-gen}
BENCH_DIR=${BENCH_DIR:-/tmp/leanops-bench}
SIZES=(1000000 5000000)
RUNS=3
KEEP=0

while [[ $# -gt 0 ]]; do
    case "$1" in
        --small) SIZES=(100000) ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "validate.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for tool in "$LEANOPS" "$CHURN_GEN"; do
    [[ -x $tool ]] || { echo "validate.sh: $tool not built (ninja -C build)" >&2; exit 2; }
done
# Debian's python3 (python3-pandas), not another python3 earlier on PATH.
PYTHON=${PYTHON:-/usr/bin/python3}
"$PYTHON" -c 'import pandas' 2>/dev/null || { echo "validate.sh: needs python3-pandas ($PYTHON)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "validate.sh: needs hyperfine" >&2; exit 2; }

work=$BENCH_DIR/validate-work
mkdir -p "$work"
[[ $KEEP == 1 ]] || trap 'rm -rf "$work"' EXIT

cat >"$work/suite.json" <<'JSON'
{"expectation_suite_name": "churn_bench",
 "expectations": [
  {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "customer_id"}},
  {"expectation_type": "expect_column_values_to_be_between",
   "kwargs": {"column": "tenure_months", "min_value": 0, "max_value": 120}},
  {"expectation_type": "expect_column_values_to_be_in_set",
   "kwargs": {"column": "plan", "value_set": ["basic", "standard", "premium", "enterprise"]}},
  {"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"column": "customer_id"}},
  {"expectation_type": "expect_column_values_to_match_regex",
   "kwargs": {"column": "customer_id", "regex": "^C[0-9]+$"}},
  {"expectation_type": "expect_column_mean_to_be_between",
   "kwargs": {"column": "monthly_charges", "min_value": 10, "max_value": 200}},
  {"expectation_type": "expect_table_row_count_to_be_between",
   "kwargs": {"min_value": 1, "max_value": 100000000}},
  {"expectation_type": "expect_column_values_to_not_be_null",
   "kwargs": {"column": "total_charges", "mostly": 0.98}}]}
JSON

# The same checks with pandas, as a team would write them without a validation library.
cat >"$work/pandas_checks.py" <<'PY'
import re, sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
n = len(df)
results = []
results.append(df["customer_id"].notna().all())
t = df["tenure_months"].dropna()
results.append(((t >= 0) & (t <= 120)).all())
p = df["plan"].dropna()
results.append(p.isin(["basic", "standard", "premium"]).all())
results.append(not df["customer_id"].dropna().duplicated(keep=False).any())
results.append(df["customer_id"].dropna().astype(str).str.contains(r"^C[0-9]+$", regex=True).all())
m = df["monthly_charges"].mean()
results.append(10 <= m <= 200)
results.append(1 <= n <= 100000000)
results.append(df["total_charges"].notna().mean() >= 0.98)
print(sum(bool(r) for r in results), "of", len(results))
PY

median_ms() {  # hyperfine JSON -> median in ms
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"
}
peak_mib() {  # CMD... -> peak RSS in MiB
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$work/rss" | awk '{printf "%.0f", $1 / 1024}'
}

echo "== leanops validate benchmark =="
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:    nproc=$(nproc), $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pandas:  $("$PYTHON" -c 'import pandas; print(pandas.__version__)')"
echo
printf '%-10s %10s %12s %12s %10s %10s %14s %12s\n' rows "file MiB" "leanops" "pandas" "x pandas" "wc -l" "x wc -l" "leanops RSS"
for rows in "${SIZES[@]}"; do
    csv=$work/churn-$rows.csv
    [[ -f $csv ]] || "$CHURN_GEN" --rows "$rows" --out "$csv"
    mib=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
    hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$work/lo.json" \
        "$LEANOPS -q validate $csv --suite $work/suite.json" >/dev/null 2>&1
    hyperfine -N --warmup 0 --runs "$RUNS" --export-json "$work/pd.json" \
        "$PYTHON $work/pandas_checks.py $csv" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$work/wc.json" "wc -l $csv" >/dev/null 2>&1
    lo=$(median_ms "$work/lo.json"); pd=$(median_ms "$work/pd.json"); wc=$(median_ms "$work/wc.json")
    rss=$(peak_mib "$LEANOPS" -q validate "$csv" --suite "$work/suite.json")
    printf '%-10s %10s %10s ms %10s ms %9.1fx %7s ms %13.2fx %9s MiB\n' "$rows" "$mib" "$lo" "$pd" \
        "$(awk -v a="$pd" -v b="$lo" 'BEGIN { print a / b }')" "$wc" \
        "$(awk -v a="$lo" -v b="$wc" 'BEGIN { print a / b }')" "$rss"
done
echo
echo "x pandas = pandas time / leanops time (target >= 20x); x wc -l = leanops time / wc -l time"
echo "(target <= 10x). Times are medians of $RUNS runs (hyperfine -N), page cache warm."
