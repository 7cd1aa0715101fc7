#!/usr/bin/env bash
# The churn example pipeline (examples/churn: dvc.yaml, params.yaml, pipeline/*.py,
# expectations/churn_raw.json) under `leanops repro` on 5,000 generated rows: what runs when,
# what dvc.lock records; that the train stage (`leanops train --config params.yaml:train`) logs a
# run and registers a version of the model `churn` that scores fresh data as `models:/churn/N`;
# that the stages are deterministic (a forced re-run trains the same booster and gives the same
# metrics; in dvc.lock only the md5s of the HTML validation report, which records its time, and
# of the model directory, whose MLmodel names its run, change); and that the validate stage is a
# gate: corrupted or drifted data stops repro before prepare.
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
# The validate, train and evaluate stages run `leanops`: the leanops under test comes first on PATH.
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
# and of models/churn (its MLmodel names the run the training was logged as, and when) replaced
# by placeholders.
lock_masked() {
  awk '/- path: reports\/validation.html$/ { m = 3; what = "validation report" }
       /- path: models\/churn$/ { m = 3; what = "model directory" }
       m && /md5:/ { sub(/md5: .*/, "md5: <" what ">") }
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
# stage_metrics STAGE: the metric lines ("  roc_auc    0.8405") STAGE printed in the last repro.
stage_metrics() {
  cat "$OUT" "$ERR" | sed -n "s/^\[$1\] \(  [a-z][a-z0-9_]* \{1,\}[0-9.]\{1,\}\)$/\1/p"
}
# versions: the version numbers of the registered model churn, space-separated.
versions() {
  lo models show churn | sed -n '/^Versions:/,$p' | awk '$1 ~ /^[0-9]+$/ { print $1 }' | paste -sd' ' -
}
# run_of DIR: the run_id in DIR/MLmodel.
run_of() { sed -n 's/^run_id: //p' "$1/MLmodel"; }

new_repo churn
cp -r "$SRC/examples/churn/dvc.yaml" "$SRC/examples/churn/params.yaml" \
  "$SRC/examples/churn/pipeline" "$SRC/examples/churn/expectations" .
mkdir data
"$CHURN_GEN" --rows 5000 --seed 11 --out data/churn.csv
"$CHURN_GEN" --rows 1000 --seed 99 --out "$T/fresh.csv"
printf '/churn.csv\n' >data/.gitignore
git add -A && git commit -qm "churn pipeline"

# ---------------------------------------------------------------- first repro: all 4 stages
expect_exit 0 lo repro
assert_eq "validate prepare train evaluate" "$(ran_stages)" \
  "first repro runs the 4 stages in order, validate first"
assert_exists dvc.lock "first repro writes dvc.lock"
assert_eq "validate prepare train evaluate" "$(lock_stages)" "dvc.lock holds the 4 stages"
lock=$(cat dvc.lock)
assert_eq "schema: '2.0'" "$(head -n1 dvc.lock)" "dvc.lock starts with schema: '2.0'"
for f in reports/validation.txt reports/validation.html data/prepared/train.csv \
  data/prepared/test.csv models/churn/MLmodel models/churn/model.xgb models/churn/leanops.json \
  models/churn/input_example.json metrics.json plots/roc.csv; do
  assert_exists "$f" "output $f written"
done
train_rows=$(($(wc -l <data/prepared/train.csv) - 1))
test_rows=$(($(wc -l <data/prepared/test.csv) - 1))
assert_contains "$LAST_OUT" \
  "[train] Trained xgboost (binary) on $train_rows rows; evaluated on test file data/prepared/test.csv: $test_rows rows" \
  "train fits XGBoost on data/prepared/train.csv and scores data/prepared/test.csv"
train_metrics=$(stage_metrics train)
assert_eq "accuracy precision recall f1 roc_auc log_loss" "$(awk '{ print $1 }' <<<"$train_metrics" | paste -sd' ' -)" \
  "train prints the six classification metrics"
assert_eq "$train_metrics" "$(stage_metrics evaluate)" \
  "evaluate, loading the saved model, reproduces the metrics train printed"
assert_line "$lock" "      md5: $(dir_oid models/churn)" "dvc.lock records the .dir md5 of models/churn"
assert_line "$lock" "      md5: $(dir_oid data/prepared)" "dvc.lock records the .dir md5 of data/prepared"
assert_line "$lock" "      md5: $(md5_of pipeline/prepare.py)" "dvc.lock records the md5 of pipeline/prepare.py"
assert_line "$lock" "      md5: $(md5_of metrics.json)" "dvc.lock records the md5 of metrics.json"
assert_line "$lock" "      md5: $(md5_of expectations/churn_raw.json)" "dvc.lock records the md5 of the suite"
assert_line "$lock" "      md5: $(md5_of reports/validation.txt)" \
  "dvc.lock records the md5 of reports/validation.txt"
assert_contains "$(sed -n '/^  prepare:/,/^  train:/p' dvc.lock)" "- path: reports/validation.txt" \
  "prepare depends on the validation result"
validation=$(cat reports/validation.txt)
assert_line "$validation" "Validated data/churn.csv (5000 rows) against suite churn_raw" \
  "reports/validation.txt: the summary of the validation"
assert_line "$validation" "16 of 16 expectations met (100.0%)" "reports/validation.txt: every expectation met"
assert_eq "" "$(failed_in_report reports/validation.html)" "reports/validation.html: no expectation failed"
# train's param is the whole train section, recorded as a nested mapping.
assert_eq "$(printf '%s\n' "    params:" "      params.yaml:" "        train:" "          data:")" \
  "$(sed -n '/^  train:/,/^  evaluate:/p' dvc.lock | grep -A3 '^    params:')" \
  "dvc.lock records the train section as train's param"
assert_line "$lock" "            max_depth: 3" "dvc.lock records train.model.max_depth"
assert_line "$lock" "        prepare.split: 0.2" "dvc.lock records param prepare.split"
assert_line "$lock" "        evaluate.threshold: 0.5" "dvc.lock records param evaluate.threshold"
assert_contains "$(sed -n '/^  evaluate:/,/^    deps:/p' dvc.lock | tr -s ' \n' '  ')" "--threshold 0.5 --metrics" \
  "evaluate's command in dvc.lock has \${evaluate.threshold} filled in"
assert_exists "$(cache_obj "$(dir_oid models/churn)")" "models/churn's manifest is in the cache"
assert_exists "$(cache_obj "$(md5_of models/churn/model.xgb)")" "models/churn/model.xgb is in the cache"
for f in data/prepared models/churn .leanops/tracking.db; do
  check "$f is git-ignored" git check-ignore -q "$f"
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
keys = ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"]
sys.exit(0 if list(m) == keys and 0.7 < m["roc_auc"] <= 1 and 0 < m["log_loss"] < 0.6 else 1)
EOF
then ok "metrics.json has the six metrics; 0.7 < roc_auc <= 1"; else fail "metrics.json: $(cat metrics.json)"; fi
assert_eq "fpr,tpr,threshold" "$(head -n1 plots/roc.csv)" "plots/roc.csv has the columns fpr,tpr,threshold"
check "plots/roc.csv runs from (0,0) to (1,1), fpr and tpr never falling" python3 -c '
import csv
rows = [(float(r["fpr"]), float(r["tpr"])) for r in csv.DictReader(open("plots/roc.csv"))]
assert rows[0] == (0, 0) and rows[-1] == (1, 1), (rows[0], rows[-1])
assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(rows, rows[1:]))'

# The run the train stage logged and the version it registered.
run1=$(run_of models/churn)
assert_match "$run1" "^[0-9a-f]{32}$" "models/churn/MLmodel names its run"
assert_contains "$LAST_OUT" "[train] Model written to models/churn and logged as run $run1" \
  "train logged the run that MLmodel names"
assert_contains "$LAST_OUT" "[train] Registered model 'churn' version 1" "train registered version 1"
expect_exit 0 lo runs list --experiment churn
assert_match "$LAST_OUT" "^${run1:0:8} .* FINISHED " "the run is in the experiment churn, FINISHED"
expect_exit 0 lo models show churn
assert_match "$LAST_OUT" "^  1 .* ${run1:0:8} " "models show churn lists version 1, from that run"
assert_eq "1" "$(versions)" "one version registered"
# The registered version scores fresh rows, as the workspace's model does.
expect_exit 0 lo predict --model models:/churn/1 --data "$T/fresh.csv" --out "$T/preds1.csv" --keep customer_id
assert_contains "$LAST_OUT" "Wrote 1000 predictions to $T/preds1.csv" "models:/churn/1 scores 1000 fresh rows"
assert_eq "customer_id,prediction,probability" "$(head -n1 "$T/preds1.csv")" \
  "predictions: the id, the predicted class and its probability"
check "one prediction per row in input order, 0/1 from probability >= 0.5, some churners" \
  python3 - "$T/fresh.csv" "$T/preds1.csv" <<'EOF'
import csv, sys
data = list(csv.DictReader(open(sys.argv[1])))
preds = list(csv.DictReader(open(sys.argv[2])))
assert [r["customer_id"] for r in data] == [r["customer_id"] for r in preds]
assert all(r["prediction"] in ("0", "1") and 0 <= float(r["probability"]) <= 1 for r in preds)
assert all((float(r["probability"]) >= 0.5) == (r["prediction"] == "1") for r in preds)
assert 0.05 < sum(r["prediction"] == "1" for r in preds) / len(preds) < 0.5
EOF
expect_exit 0 lo predict --model models/churn --data "$T/fresh.csv" --out "$T/preds_ws.csv" --keep customer_id
assert_same_file "$T/preds1.csv" "$T/preds_ws.csv" "version 1 predicts what models/churn predicts"
git add -A && git commit -qm "first model"
check "the commit holds no tracking store and no model file" \
  bash -c '! git ls-files | grep -E "^\.leanops/(tracking|artifacts)|^models/churn/"'

# ---------------------------------------------------------------- nothing changed: nothing runs
cp dvc.lock "$T/lock.1"
lock1=$(lock_digest)
booster1=$(md5_of models/churn/model.xgb)
metrics1=$(md5_of metrics.json)
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "second repro runs no stage"
assert_line "$LAST_OUT" "Stage 'train' didn't change, skipping" "second repro: train didn't change"
assert_line "$LAST_OUT" "Data and pipelines are up to date." "second repro: up to date"
assert_same_file "$T/lock.1" dvc.lock "second repro leaves dvc.lock byte-identical"
expect_exit 0 lo status
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "status: up to date"

touch pipeline/prepare.py pipeline/params.py params.yaml data/churn.csv
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "new mtimes with the same content: no stage runs"
assert_same_file "$T/lock.1" dvc.lock "dvc.lock unchanged after touching deps"
assert_eq "1" "$(versions)" "no version registered when nothing ran"

# ---------------------------------------------------------------- one train param changed
sed -i 's/^\(    max_depth:\) 3 /\1 4 /' params.yaml
assert_match "$(cat params.yaml)" "^    max_depth: 4 " "params.yaml: train.model.max_depth set to 4"
expect_exit 0 lo status
assert_line "$LAST_OUT" "train:" "status shows train as changed"
assert_match "$LAST_OUT" "modified: +train$" "status names the changed param section train"
assert_not_contains "$LAST_OUT" "validate:" "status does not show validate"
assert_not_contains "$LAST_OUT" "prepare:" "status does not show prepare"
expect_exit 0 lo params diff
assert_match "$LAST_OUT" "^params.yaml +train.model.max_depth +3 +4$" "params diff: train.model.max_depth 3 -> 4"
assert_eq 2 "$(wc -l <<<"$LAST_OUT")" "params diff shows only that param"
expect_exit 0 lo repro
assert_eq "train evaluate" "$(ran_stages)" "param change re-runs exactly train and evaluate"
assert_contains "$LAST_OUT" "[train] Registered model 'churn' version 2" "the retrained model is version 2"
lock2=$(lock_digest)
assert_eq "train evaluate" "$(changed_entries "$lock1" "$lock2")" \
  "dvc.lock entries of exactly train and evaluate changed"
assert_line "$(cat dvc.lock)" "            max_depth: 4" "dvc.lock records train.model.max_depth: 4"
assert_ne "$metrics1" "$(md5_of metrics.json)" "metrics.json changed"
assert_ne "$booster1" "$(md5_of models/churn/model.xgb)" "models/churn/model.xgb changed"
assert_line "$(cat dvc.lock)" "      md5: $(dir_oid models/churn)" "dvc.lock records the new model's .dir md5"
assert_eq "$(stage_metrics train)" "$(stage_metrics evaluate)" "evaluate again reproduces train's metrics"
expect_exit 0 lo metrics diff
assert_match "$LAST_OUT" "^metrics.json +roc_auc +0\.[0-9]+ +0\.[0-9]+ +-?0\.[0-9]+$" \
  "metrics diff shows roc_auc at HEAD, in the workspace and the change"
run2=$(run_of models/churn)
assert_ne "$run1" "$run2" "the retrained model was logged as a new run"
expect_exit 0 lo runs show "$run2"
assert_match "$LAST_OUT" "^  model.max_depth +4$" "the new run records the param model.max_depth 4"
assert_eq "1 2" "$(versions)" "models show churn lists versions 1 and 2"
cp dvc.lock "$T/lock.2"
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "after the param change was reproduced nothing runs"

# ---------------------------------------------------------------- --force
masked2=$(lock_masked)
cp -r models/churn "$T/model.2"
metrics2=$(md5_of metrics.json)
roc2=$(md5_of plots/roc.csv)
expect_exit 0 lo repro --force
assert_eq "validate prepare train evaluate" "$(ran_stages)" "repro --force runs all 4 stages"
assert_eq "$masked2" "$(lock_masked)" \
  "forced re-run: the same dvc.lock but for the md5s of the HTML report and of the model directory"
assert_eq "validate train evaluate" "$(changed_entries "$lock2" "$(lock_digest)")" \
  "forced re-run: only validate's (report time), train's and evaluate's (model directory) entries changed"
for f in model.xgb leanops.json input_example.json; do
  assert_same_file "$T/model.2/$f" "models/churn/$f" "forced re-run: same data, config and seed, same $f"
done
assert_eq "$(grep -vE '^(run_id|utc_time_created):' "$T/model.2/MLmodel")" \
  "$(grep -vE '^(run_id|utc_time_created):' models/churn/MLmodel)" \
  "forced re-run: MLmodel differs only in run_id and utc_time_created"
assert_eq "$metrics2 $roc2" "$(md5_of metrics.json) $(md5_of plots/roc.csv)" \
  "forced re-run: metrics.json and plots/roc.csv byte-identical"
assert_eq "1 2 3" "$(versions)" "forced re-run: the retraining is registered as version 3"
cp dvc.lock "$T/lock.2"
model3=$(dir_oid models/churn)

# ---------------------------------------------------------------- lost output is restored
rm -r models/churn
expect_exit 0 lo status
assert_line "$LAST_OUT" "train:" "status shows train after models/churn was deleted"
expect_exit 0 lo repro
assert_exists models/churn/model.xgb "repro restores models/churn"
assert_eq "$model3" "$(dir_oid models/churn 2>/dev/null || true)" \
  "restored models/churn has the recorded content"
assert_not_contains " $(ran_stages) " " train " "train does not re-run: the model comes from the cache"
assert_not_contains " $(ran_stages) " " evaluate " "evaluate does not re-run for an identical model"
assert_eq "1 2 3" "$(versions)" "restoring the model from the cache registers no version"
assert_same_file "$T/lock.2" dvc.lock "dvc.lock unchanged after restoring models/churn"
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
