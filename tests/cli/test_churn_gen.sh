#!/usr/bin/env bash
# Integration test for churn-gen (examples/churn/generate.cc).
# Binary path: $CHURN_GEN (default build/churn-gen).
set -euo pipefail

CHURN_GEN="${CHURN_GEN:-build/churn-gen}"
if [[ ! -x "$CHURN_GEN" ]]; then
  echo "churn_gen: binary not found or not executable: $CHURN_GEN" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

HEADER='customer_id,signup_date,last_active_date,plan,region,tenure_months,monthly_charges,total_charges,support_calls,age,contract,paperless_billing,churned'

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  echo "ok   - $1"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL - $1${2:+: $2}"
}

# Runs churn-gen with the given arguments, expecting exit code $1 and a single
# "churn-gen: error:" line on stderr. Prints a reason and returns 1 on mismatch.
expect_error() {
  local want="$1"
  shift
  local rc=0
  "$CHURN_GEN" "$@" >"$WORK/err.out" 2>"$WORK/err.txt" || rc=$?
  if [[ "$rc" -ne "$want" ]]; then
    echo "args '$*': exit $rc, want $want"
    return 1
  fi
  if [[ "$(wc -l <"$WORK/err.txt")" -ne 1 ]] || ! grep -q '^churn-gen: error: ' "$WORK/err.txt"; then
    echo "args '$*': stderr is not one 'churn-gen: error:' line: $(cat "$WORK/err.txt")"
    return 1
  fi
}

"$CHURN_GEN" --rows 1000 --seed 7 --out "$WORK/small.csv"
"$CHURN_GEN" --rows 100000 --seed 7 --out "$WORK/big.csv"
"$CHURN_GEN" --rows 100000 --seed 7 >"$WORK/big_stdout.csv"
"$CHURN_GEN" --rows 100000 --seed 8 --out "$WORK/other_seed.csv"
"$CHURN_GEN" --rows 100000 --seed 7 --drift --out "$WORK/drift.csv"

# 1. Header is exact, for both the baseline and the drifted data.
if [[ "$(head -n 1 "$WORK/small.csv")" == "$HEADER" && "$(head -n 1 "$WORK/drift.csv")" == "$HEADER" ]]; then
  pass "header"
else
  fail "header" "got '$(head -n 1 "$WORK/small.csv")'"
fi

# 2. Row counts (header + N data rows) and a well-formed 13-field body.
lines_small=$(wc -l <"$WORK/small.csv")
lines_big=$(wc -l <"$WORK/big.csv")
bad_fields=$(awk -F, 'NR > 1 && NF != 13 { n++ } END { print n + 0 }' "$WORK/big.csv")
if [[ "$lines_small" -eq 1001 && "$lines_big" -eq 100001 && "$bad_fields" -eq 0 ]]; then
  pass "row counts"
else
  fail "row counts" "1k file has $lines_small lines, 100k file $lines_big, $bad_fields malformed rows"
fi

# 3. Determinism: identical reruns (file and stdout), and a small file is a prefix of a big one.
"$CHURN_GEN" --rows 100000 --seed 7 --out "$WORK/big_again.csv"
head -n 1001 "$WORK/big.csv" >"$WORK/big_prefix.csv"
if cmp -s "$WORK/big.csv" "$WORK/big_again.csv" && cmp -s "$WORK/big.csv" "$WORK/big_stdout.csv" &&
  cmp -s "$WORK/small.csv" "$WORK/big_prefix.csv"; then
  pass "determinism"
else
  fail "determinism"
fi

# 4. A different seed gives different data.
if ! cmp -s "$WORK/big.csv" "$WORK/other_seed.csv"; then
  pass "seed changes output"
else
  fail "seed changes output"
fi

# 5. Empty monthly_charges cells occur at about 2% (1%..3% over 100k rows).
missing=$(awk -F, 'NR > 1 { n++; if ($7 == "") m++ } END { printf "%.4f", m / n }' "$WORK/big.csv")
if awk -v r="$missing" 'BEGIN { exit !(r >= 0.01 && r <= 0.03) }'; then
  pass "empty monthly_charges rate ($missing)"
else
  fail "empty monthly_charges rate" "$missing"
fi

# 6. Overall churn rate within 15%..35%.
churn=$(awk -F, 'NR > 1 { n++; c += $13 } END { printf "%.4f", c / n }' "$WORK/big.csv")
if awk -v r="$churn" 'BEGIN { exit !(r >= 0.15 && r <= 0.35) }'; then
  pass "churn rate ($churn)"
else
  fail "churn rate" "$churn"
fi

# 7. --drift moves mean monthly_charges by more than 5% (header checked in 1).
# shellcheck disable=SC2016  # awk program, not shell expansion
mean_monthly='NR > 1 && $7 != "" { s += $7; n++ } END { printf "%.4f", s / n }'
base_mean=$(awk -F, "$mean_monthly" "$WORK/big.csv")
drift_mean=$(awk -F, "$mean_monthly" "$WORK/drift.csv")
if awk -v a="$base_mean" -v b="$drift_mean" 'BEGIN { d = (b - a) / a; if (d < 0) d = -d; exit !(d > 0.05) }'; then
  pass "drift shifts monthly_charges ($base_mean -> $drift_mean)"
else
  fail "drift shifts monthly_charges" "$base_mean -> $drift_mean"
fi

# 8. Bad usage exits 2 with one error line.
problems=""
for args in "--rows abc" "--rows 0" "--rows -3" "--seed 1" "--rows 10 --bogus" "--rows"; do
  # shellcheck disable=SC2086  # word splitting of $args is intended
  reason=$(expect_error 2 $args) || problems+="$reason; "
done
if [[ -z "$problems" ]]; then
  pass "bad usage exits 2"
else
  fail "bad usage exits 2" "$problems"
fi

# 9. I/O errors exit 4 and leave no temporary file behind.
problems=""
touch "$WORK/not_a_dir"
reason=$(expect_error 4 --rows 10 --out "$WORK/not_a_dir/out.csv") || problems+="$reason; "
reason=$(expect_error 4 --rows 10 --out "$WORK/missing_dir/out.csv") || problems+="$reason; "
if [[ -w /dev/full ]]; then
  rc=0
  "$CHURN_GEN" --rows 1000 >/dev/full 2>"$WORK/full.txt" || rc=$?
  if [[ "$rc" -ne 4 ]] || ! grep -q '^churn-gen: error: ' "$WORK/full.txt"; then
    problems+="writing to /dev/full: exit $rc; "
  fi
fi
if compgen -G "$WORK/*.tmp" >/dev/null; then
  problems+="temporary file left behind; "
fi
if [[ -z "$problems" ]]; then
  pass "I/O errors exit 4"
else
  fail "I/O errors exit 4" "$problems"
fi

echo "churn_gen: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
