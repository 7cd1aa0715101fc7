#!/usr/bin/env bash
# The churn example pipeline (examples/churn: dvc.yaml, params.yaml, pipeline/*.py,
# expectations/churn_raw.json) under `leanops repro` on 5,000 generated rows: what runs when,
# what dvc.lock records, that the stage programs are deterministic (a forced re-run leaves
# dvc.lock byte-identical but for the HTML validation report's md5, which records its time), and
# that the validate stage is a gate: corrupted or drifted data stops repro before prepare.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC=$(realpath "${LEANOPS_SOURCE_DIR:-$LIB_DIR/../..}")
CHURN_GEN=${CHURN_GEN:-$SRC/build/churn-gen}
if [ ! -x "$CHURN_GEN" ]; then
  fail "CHURN_GEN '$CHURN_GEN' is not an executable file"
  finish
fi
command -v python3 >/dev/null || skip_all "python3 not found"
CHURN_GEN=$(realpath "$CHURN_GEN")
# The validate stage runs `leanops validate`: the leanops under test comes first on PATH.
PATH="$(dirname "$LEANOPS_BIN"):$PATH"
export PATH

# ran_stages: the stages the last command ran ("Running stage 'x':" lines), space-separated.
ran_stages() {
  cat "$OUT" "$ERR" | sed -n "s/^Running stage '\([^']*\)':.*/\1/p" | paste -sd' ' -
}

# lock_digest: "name md5-of-its-entry" for each stage in dvc.lock, in file order.
lock_digest() {
  python3 - <<'EOF'
import hashlib, re
name, lines, entries = None, [], []
for line in open("dvc.lock", encoding="utf-8"):
    m = re.match(r"^  ([^ #][^:]*):\s*$", line)
    if m or not line.startswith(" "):
        if name:
            entries.append((name, "".join(lines)))
        name, lines = (m.group(1), []) if m else (None, [])
    elif name:
        lines.append(line)
if name:
    entries.append((name, "".join(lines)))
for name, text in entries:
    print(name, hashlib.md5(text.encode()).hexdigest())
EOF
}
lock_stages() { lock_digest | cut -d' ' -f1 | paste -sd' ' -; }
# lock_masked: dvc.lock with the md5 of reports/validation.html (it records the validation time)
# replaced by a placeholder.
lock_masked() {
  awk '/- path: reports\/validation.html$/ { m = 3 }
       m && /md5:/ { sub(/md5: .*/, "md5: <validation report>") }
       m { m-- }
       { print }' dvc.lock
}
# failed_in_report FILE: "type(column)" of each failed expectation in an HTML validation report.
failed_in_report() {
  python3 - "$1" <<'EOF'
import html, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
failed = []
for row in re.findall(r"<tr>(.*?)</tr>", text, re.S):
    m = re.match(r'<td class="fail">FAIL</td><td><code>([a-z_]+)</code></td><td><code>(.*?)</code>',
                 row, re.S)
    if m:
        col = re.search(r'"column": "([^"]*)"', html.unescape(m.group(2)))
        failed.append("%s(%s)" % (m.group(1), col.group(1) if col else ""))
print(" ".join(failed))
EOF
}
# changed_entries BEFORE AFTER: stages whose dvc.lock entry differs (or is new).
changed_entries() {
  { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") || true; } |
    sed -n 's/^> \([^ ]*\) .*/\1/p' | paste -sd' ' -
}

new_repo churn
cp -r "$SRC/examples/churn/dvc.yaml" "$SRC/examples/churn/params.yaml" \
  "$SRC/examples/churn/pipeline" "$SRC/examples/churn/expectations" .
mkdir data
"$CHURN_GEN" --rows 5000 --seed 11 --out data/churn.csv
printf '/churn.csv\n' >data/.gitignore
git add -A && git commit -qm "churn pipeline"

# ---------------------------------------------------------------- first repro: all 5 stages
expect_exit 0 lo repro
assert_eq "validate prepare featurize train evaluate" "$(ran_stages)" \
  "first repro runs the 5 stages in order, validate first"
assert_exists dvc.lock "first repro writes dvc.lock"
assert_eq "validate prepare featurize train evaluate" "$(lock_stages)" "dvc.lock holds the 5 stages"
lock=$(cat dvc.lock)
assert_eq "schema: '2.0'" "$(head -n1 dvc.lock)" "dvc.lock starts with schema: '2.0'"
for f in reports/validation.txt reports/validation.html data/prepared/train.csv \
  data/prepared/test.csv data/features/train.csv data/features/test.csv \
  data/features/scaler.json models/model.json metrics.json plots/roc.csv; do
  assert_exists "$f" "output $f written"
done
assert_line "$lock" "      md5: $(md5_of models/model.json)" "dvc.lock records the md5 of models/model.json"
assert_line "$lock" "      md5: $(md5_of pipeline/train.py)" "dvc.lock records the md5 of pipeline/train.py"
assert_line "$lock" "      md5: $(dir_oid data/features)" "dvc.lock records the .dir md5 of data/features"
assert_line "$lock" "      md5: $(md5_of metrics.json)" "dvc.lock records the md5 of metrics.json"
assert_line "$lock" "      md5: $(md5_of expectations/churn_raw.json)" "dvc.lock records the md5 of the suite"
assert_line "$lock" "      md5: $(md5_of reports/validation.txt)" \
  "dvc.lock records the md5 of reports/validation.txt"
assert_contains "$(sed -n '/^  prepare:/,/^  featurize:/p' dvc.lock)" "- path: reports/validation.txt" \
  "prepare depends on the validation result"
validation=$(cat reports/validation.txt)
assert_line "$validation" "Validated data/churn.csv (5000 rows) against suite churn_raw" \
  "reports/validation.txt: the summary of the validation"
assert_line "$validation" "16 of 16 expectations met (100.0%)" "reports/validation.txt: every expectation met"
assert_eq "" "$(failed_in_report reports/validation.html)" "reports/validation.html: no expectation failed"
assert_line "$lock" "        train.epochs: 10" "dvc.lock records param train.epochs"
assert_line "$lock" "        prepare.split: 0.2" "dvc.lock records param prepare.split"
assert_exists "$(cache_obj "$(md5_of models/model.json)")" "models/model.json is in the cache"
for f in data/prepared data/features models/model.json; do
  check "$f is git-ignored (a cached output)" git check-ignore -q "$f"
done
for f in metrics.json plots/roc.csv reports/validation.txt reports/validation.html; do
  if git check-ignore -q "$f"; then
    fail "$f (cache: false) is not git-ignored"
  else
    ok "$f (cache: false) is not git-ignored"
  fi
done
if python3 - <<'EOF'
import json, sys
m = json.load(open("metrics.json"))
keys = {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"}
sys.exit(0 if keys <= m.keys() and m["roc_auc"] > 0.75 and 0 < m["log_loss"] < 0.6 else 1)
EOF
then ok "metrics.json has the metrics; roc_auc > 0.75"; else fail "metrics.json: $(cat metrics.json)"; fi
assert_eq "fpr,tpr" "$(head -n1 plots/roc.csv)" "plots/roc.csv has the columns fpr,tpr"
git add -A && git commit -qm "first model"

# ---------------------------------------------------------------- nothing changed: nothing runs
cp dvc.lock "$T/lock.1"
lock1=$(lock_digest)
model1=$(md5_of models/model.json)
metrics1=$(md5_of metrics.json)
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "second repro runs no stage"
assert_line "$LAST_OUT" "Stage 'train' didn't change, skipping" "second repro: train didn't change"
assert_line "$LAST_OUT" "Data and pipelines are up to date." "second repro: up to date"
assert_same_file "$T/lock.1" dvc.lock "second repro leaves dvc.lock byte-identical"
expect_exit 0 lo status
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "status: up to date"

touch pipeline/train.py data/churn.csv
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "new mtimes with the same content: no stage runs"
assert_same_file "$T/lock.1" dvc.lock "dvc.lock unchanged after touching deps"

# ---------------------------------------------------------------- one train param changed
sed -i 's/^  epochs: 10$/  epochs: 20/' params.yaml
assert_line "$(cat params.yaml)" "  epochs: 20" "params.yaml: train.epochs set to 20"
expect_exit 0 lo status
assert_line "$LAST_OUT" "train:" "status shows train as changed"
assert_contains "$LAST_OUT" "train.epochs" "status names the param train.epochs"
assert_not_contains "$LAST_OUT" "validate:" "status does not show validate"
assert_not_contains "$LAST_OUT" "prepare:" "status does not show prepare"
assert_not_contains "$LAST_OUT" "featurize:" "status does not show featurize"
expect_exit 0 lo repro
assert_eq "train evaluate" "$(ran_stages)" "param change re-runs exactly train and evaluate"
lock2=$(lock_digest)
assert_eq "train evaluate" "$(changed_entries "$lock1" "$lock2")" \
  "dvc.lock entries of exactly train and evaluate changed"
assert_line "$(cat dvc.lock)" "        train.epochs: 20" "dvc.lock records train.epochs: 20"
assert_ne "$metrics1" "$(md5_of metrics.json)" "metrics.json changed"
assert_ne "$model1" "$(md5_of models/model.json)" "models/model.json changed"
assert_line "$(cat dvc.lock)" "      md5: $(md5_of models/model.json)" "dvc.lock records the new model's md5"
cp dvc.lock "$T/lock.2"
model2=$(md5_of models/model.json)
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "after the param change was reproduced nothing runs"

# ---------------------------------------------------------------- --force
masked2=$(lock_masked)
expect_exit 0 lo repro --force
assert_eq "validate prepare featurize train evaluate" "$(ran_stages)" "repro --force runs all 5 stages"
assert_eq "$masked2" "$(lock_masked)" \
  "forced re-run gives the same dvc.lock but for the HTML report's md5 (deterministic stages)"
assert_eq "validate" "$(changed_entries "$lock2" "$(lock_digest)")" \
  "forced re-run: only the validate entry changed (the report's time)"
cp dvc.lock "$T/lock.2"

# ---------------------------------------------------------------- lost output is restored
rm models/model.json
expect_exit 0 lo status
assert_line "$LAST_OUT" "train:" "status shows train after models/model.json was deleted"
expect_exit 0 lo repro
assert_exists models/model.json "repro restores models/model.json"
assert_eq "$model2" "$(md5_of models/model.json 2>/dev/null || true)" \
  "restored models/model.json has the recorded content"
assert_not_contains " $(ran_stages) " " evaluate " "evaluate does not re-run for an identical model"
assert_same_file "$T/lock.2" dvc.lock "dvc.lock unchanged after restoring models/model.json"
expect_exit 0 lo status
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "status: up to date after the restore"

# ---------------------------------------------------------------- corrupted data: the gate holds
# Row C0000010 gets an unknown plan, row C0000020 a negative tenure.
cp data/churn.csv "$T/churn.good.csv"
prepared=$(tree_digest data/prepared)
sed -e 's/^\(C0000010,[^,]*,[^,]*,\)[a-z]*,/\1platinum,/' \
  -e 's/^\(C0000020\(,[^,]*\)\{4\}\),[0-9]*,/\1,-3,/' "$T/churn.good.csv" >data/churn.csv
assert_eq "2" "$({ diff "$T/churn.good.csv" data/churn.csv || true; } | grep -c '^>')" \
  "two rows of data/churn.csv corrupted"
run lo repro
assert_eq 1 "$LAST_RC" "repro on corrupted data exits 1"
assert_eq "validate" "$(ran_stages)" "corrupted data: validate runs, nothing after it"
assert_match "$LAST_OUT$LAST_ERR" "Stage 'prepare' was not run" "corrupted data: prepare is reported as not run"
assert_eq 1 "$(grep -c '^leanops: error: ' "$ERR")" "corrupted data: one 'leanops: error:' line"
assert_match "$(tail -n1 "$ERR")" "^leanops: error: .*'validate'.*exit code 1" \
  "the error names the validate stage and its exit code"
assert_line "$LAST_ERR" \
  "[validate] leanops: error: data/churn.csv: suite churn_raw failed: 2 of 16 expectations not met (report: reports/validation.html)" \
  "the stage's message says how many expectations failed and names the report"
assert_same_file "$T/lock.2" dvc.lock "corrupted data: dvc.lock unchanged"
assert_eq "$prepared" "$(tree_digest data/prepared)" "corrupted data: data/prepared untouched"
assert_eq "expect_column_values_to_be_in_set(plan) expect_column_values_to_be_between(tenure_months)" \
  "$(failed_in_report reports/validation.html)" "the HTML report names the failed expectations"
validation=$(cat reports/validation.txt)
assert_line "$validation" \
  '  FAIL expect_column_values_to_be_in_set(plan): 1 unexpected of 5000 (0.02%), e.g. ["platinum"]' \
  "reports/validation.txt names the unknown plan"
assert_line "$validation" \
  '  FAIL expect_column_values_to_be_between(tenure_months): 1 unexpected of 5000 (0.02%), e.g. [-3]' \
  "reports/validation.txt names the negative tenure"
expect_exit 0 lo status
assert_line "$LAST_OUT" "validate:" "status after the failure shows validate"
run lo repro
assert_eq "1 validate" "$LAST_RC $(ran_stages)" "repro on the same corrupted data fails again at validate"

# ---------------------------------------------------------------- restored data: the gate opens
cp "$T/churn.good.csv" data/churn.csv
expect_exit 0 lo repro
assert_not_contains " $(ran_stages) " " prepare " "restored data: prepare does not re-run"
assert_eq "$masked2" "$(lock_masked)" "restored data: dvc.lock as before the corruption"
assert_eq "$(sed -n '/^  prepare:/,$p' "$T/lock.2")" "$(sed -n '/^  prepare:/,$p' dvc.lock)" \
  "restored data: the entries after validate are byte-identical"
assert_eq "" "$(failed_in_report reports/validation.html)" "restored data: the report shows no failure"
expect_exit 0 lo status
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "status: up to date after restoring the data"

# ---------------------------------------------------------------- a drifted batch fails the gate
"$CHURN_GEN" --rows 5000 --seed 12 --drift --out data/churn.csv
run lo repro
assert_eq "1 validate" "$LAST_RC $(ran_stages)" "drifted data: repro exits 1 after validate"
assert_contains "$(failed_in_report reports/validation.html)" "expect_column_mean_to_be_between(support_calls)" \
  "drifted data: the mean of support_calls is out of range"
assert_same_file "$T/lock.2" dvc.lock "drifted data: dvc.lock unchanged"
cp "$T/churn.good.csv" data/churn.csv
expect_exit 0 lo repro
assert_not_contains " $(ran_stages) " " prepare " "data restored again: prepare does not re-run"

finish
