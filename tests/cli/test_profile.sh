#!/usr/bin/env bash
# `leanops profile`: per-column statistics of churn data as a table and as
# JSON (checked against pandas/numpy when Debian's python3 has them), a
# suggested suite that validates the file it came from (exit 0) and fails a
# corrupted or drifted copy (exit 1), and one error line for bad input.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC=$(realpath "${LEANOPS_SOURCE_DIR:-$LIB_DIR/../..}")
CHURN_GEN=${CHURN_GEN:-$SRC/build/churn-gen}
[ -x "$CHURN_GEN" ] || skip_all "churn-gen is not built ($CHURN_GEN)"
CHURN_GEN=$(realpath "$CHURN_GEN")
command -v python3 >/dev/null || skip_all "python3 not found"

cd "$T"
"$CHURN_GEN" --rows 5000 --seed 7 --out churn.csv
COLUMNS_CSV=$(head -n 1 churn.csv)

# --------------------------------------------------------------------------
# Text: the row count and one line per column.
expect_exit 0 lo profile churn.csv
assert_contains "$LAST_OUT" "churn.csv: 5000 rows, 13 columns" "the title gives rows and columns"
assert_match "$LAST_OUT" '^column +type +nulls +null% +distinct +min +p05 +p25 +p50 +p75 +p95 +max +mean +std +values$' \
  "the table has a heading"
for column in ${COLUMNS_CSV//,/ }; do
  assert_match "$LAST_OUT" "^$column +(int64|float64|bool|string|date|timestamp) " "a line for $column"
done
assert_eq 15 "$(wc -l <<<"$LAST_OUT")" "title, heading and 13 column lines"
assert_match "$LAST_OUT" '^plan +string +0 +0\.0% +4 .*"basic" [0-9]+, ' "plan's most frequent values"

# --------------------------------------------------------------------------
# JSON: parses, one object per column in file order.
expect_exit 0 lo profile churn.csv --json
printf '%s' "$LAST_OUT" >profile.json
assert_eq "5000 $COLUMNS_CSV" \
  "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["row_count"], ",".join(c["name"] for c in d["columns"]))' profile.json)" \
  "--json parses, with the row count and every column in order"

# The statistics are pandas'/numpy's (exact quantiles, ddof=1 std, distinct
# counts, top values), when Debian's python3 has them.
PANDAS_PY=${PANDAS_PY:-/usr/bin/python3}
if "$PANDAS_PY" -c 'import pandas, numpy' 2>/dev/null; then
  if compare=$("$PANDAS_PY" - churn.csv profile.json 2>&1 <<'EOF'
import json, math, sys
import numpy as np
import pandas as pd

df = pd.read_csv(sys.argv[1], float_precision="round_trip", keep_default_na=False,
                 na_values=[""])
profile = {c["name"]: c for c in json.load(open(sys.argv[2]))["columns"]}
problems = []
def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
for name, c in profile.items():
    s = df[name]
    values = s.dropna()
    if c["null_count"] != int(s.isna().sum()) or c["count"] != len(s):
        problems.append(f"{name}: counts")
    if c["distinct_count"] != int(s.nunique()):
        problems.append(f"{name}: distinct {c['distinct_count']} != {s.nunique()}")
    if c["type"] in ("int64", "float64"):
        v = values.to_numpy(dtype=np.float64)
        for key, want in (("min", v.min()), ("max", v.max()), ("mean", s.mean()),
                          ("std", s.std())):
            if not close(float(c[key]), float(want)):
                problems.append(f"{name}: {key} {c[key]} != {want!r}")
        for q, got in c["quantiles"].items():
            want = np.quantile(v, float(q))
            if got != want:
                problems.append(f"{name}: quantile {q} {got!r} != {want!r}")
    if c["type"] == "date":
        if c["min"] != values.min() or c["max"] != values.max():
            problems.append(f"{name}: min/max")
    if c["type"] == "string":
        counts = values.value_counts()
        top = [(t["value"], t["count"]) for t in c["top_values"]]
        if [n for _, n in top] != list(counts.iloc[:len(top)]) or \
                any(counts[v] != n for v, n in top):
            problems.append(f"{name}: top values {top[:3]}")
        lengths = values.str.len()
        if c["min_length"] != lengths.min() or c["max_length"] != lengths.max():
            problems.append(f"{name}: lengths")
print("; ".join(problems))
sys.exit(1 if problems else 0)
EOF
  ); then
    ok "every statistic matches pandas/numpy"
  else
    fail "every statistic matches pandas/numpy" "$compare"
  fi
else
  echo "# pandas/numpy not found in $PANDAS_PY: statistics not compared with them"
fi

# --------------------------------------------------------------------------
# The suggested suite: written atomically, GX 0.x JSON, holds on its data.
expect_exit 0 lo profile churn.csv --suggest-suite churn_suite.json
assert_match "$LAST_OUT" '^Suggested suite churn_suite \([0-9]+ expectations\) written to churn_suite\.json$' \
  "profile says where the suite went"
assert_eq "" "$(ls -A | grep -vxE '\.out|\.err|home|churn\.csv|profile\.json|churn_suite\.json' || true)" \
  "nothing but the suite is left beside it"
assert_eq "churn_suite True" "$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["expectation_suite_name"],
      all(e["meta"]["profiler"] == "leanops profile" and set(e) == {"expectation_type", "kwargs", "meta"}
          for e in s["expectations"]))' churn_suite.json)" \
  "the suite is named by the file and every expectation says who suggested it"
assert_eq "plan basic,enterprise,premium,standard" "$(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1]))["expectations"]:
    if e["expectation_type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "plan":
        print("plan", ",".join(e["kwargs"]["value_set"]))' churn_suite.json)" \
  "a categorical column gets its set"

expect_exit 0 lo validate churn.csv --suite churn_suite.json
assert_match "$LAST_OUT" '^([0-9]+) of \1 expectations met \(100\.0%\)$' "the suggested suite holds on its data"

# A corrupted copy: an unknown plan and a negative tenure in one row.
awk -F, 'BEGIN { OFS = "," } NR == 101 { $4 = "platinum"; $6 = -3 } { print }' churn.csv >corrupt.csv
expect_exit 1 lo validate corrupt.csv --suite churn_suite.json
assert_contains "$LAST_OUT" 'FAIL expect_column_values_to_be_in_set(plan): 1 unexpected of 5000' \
  "an unknown category fails"
assert_contains "$LAST_OUT" 'FAIL expect_column_values_to_be_between(tenure_months): 1 unexpected' \
  "a value out of range fails"

# Production drift (churn-gen --drift): more missing charges, other ranges.
"$CHURN_GEN" --rows 5000 --seed 7 --drift --out drifted.csv
expect_exit 1 lo validate drifted.csv --suite churn_suite.json
assert_match "$LAST_OUT" '^  FAIL expect_column_values_to_not_be_null\(monthly_charges\)' \
  "drift in missing values fails"

# --json with --suggest-suite: stdout is the JSON document alone.
expect_exit 0 lo profile churn.csv --json --suggest-suite again.json
check "--json stdout stays JSON with --suggest-suite" python3 -c 'import json, sys; json.loads(sys.argv[1])' "$LAST_OUT"
assert_same_file churn_suite.json <(sed 's/"again"/"churn_suite"/' again.json) "the suggestion is deterministic"

# Declared types and delimiters, read as validate reads them.
tr , ';' <churn.csv >semicolons.csv
expect_exit 0 lo profile semicolons.csv --delimiter ';' --type age:float64 --json
assert_eq "float64" "$(python3 -c 'import json, sys; print([c["type"] for c in json.loads(sys.argv[1])["columns"] if c["name"] == "age"][0])' "$LAST_OUT")" \
  "--type declares a column's type"

# --------------------------------------------------------------------------
# Bad input: one error line, the project's exit codes.
expect_exit 3 lo profile missing.csv
assert_contains "$LAST_ERR" "missing.csv" "a missing file is named (a user error, as validate reports it)"
expect_exit 2 lo profile churn.csv --type age:decimal
assert_contains "$LAST_ERR" "--type 'age:decimal'" "a bad --type is a usage error"
expect_exit 2 lo profile churn.csv --delimiter ';;'
expect_exit 3 lo profile churn.csv --type plan:int64
assert_contains "$LAST_ERR" "churn.csv:2:" "a value that does not fit a declared type names file and line"
printf 'a,b\n1,2\n3,4,5\n' >ragged.csv
expect_exit 3 lo profile ragged.csv
assert_contains "$LAST_ERR" "ragged.csv:3:" "a malformed file names file and line"
expect_exit 0 lo profile churn.csv --suggest-suite new/dir/suite.json
check "--suggest-suite makes the suite's folder" test -s new/dir/suite.json
expect_exit 2 lo profile

finish
