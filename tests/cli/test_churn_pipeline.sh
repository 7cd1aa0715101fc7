#!/usr/bin/env bash
# The churn example pipeline (examples/churn: dvc.yaml, params.yaml, pipeline/*.py) under
# `leanops repro` on 5,000 generated rows: what runs when, what dvc.lock records, and that the
# stage programs are deterministic (a forced re-run leaves dvc.lock byte-identical).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC=$(realpath "${LEANOPS_SOURCE_DIR:-$LIB_DIR/../..}")
CHURN_GEN=${CHURN_GEN:-$SRC/build/churn-gen}
if [ ! -x "$CHURN_GEN" ]; then
  fail "CHURN_GEN '$CHURN_GEN' is not an executable file"
  finish
fi
command -v python3 >/dev/null || skip_all "python3 not found"

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
# changed_entries BEFORE AFTER: stages whose dvc.lock entry differs (or is new).
changed_entries() {
  { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") || true; } |
    sed -n 's/^> \([^ ]*\) .*/\1/p' | paste -sd' ' -
}

new_repo churn
cp -r "$SRC/examples/churn/dvc.yaml" "$SRC/examples/churn/params.yaml" \
  "$SRC/examples/churn/pipeline" .
mkdir data
"$CHURN_GEN" --rows 5000 --seed 11 --out data/churn.csv
printf '/churn.csv\n' >data/.gitignore
git add -A && git commit -qm "churn pipeline"

# ---------------------------------------------------------------- first repro: all 4 stages
expect_exit 0 lo repro
assert_eq "prepare featurize train evaluate" "$(ran_stages)" "first repro runs the 4 stages in order"
assert_exists dvc.lock "first repro writes dvc.lock"
assert_eq "prepare featurize train evaluate" "$(lock_stages)" "dvc.lock holds the 4 stages"
lock=$(cat dvc.lock)
assert_eq "schema: '2.0'" "$(head -n1 dvc.lock)" "dvc.lock starts with schema: '2.0'"
for f in data/prepared/train.csv data/prepared/test.csv data/features/train.csv \
  data/features/test.csv data/features/scaler.json models/model.json metrics.json plots/roc.csv; do
  assert_exists "$f" "output $f written"
done
assert_line "$lock" "      md5: $(md5_of models/model.json)" "dvc.lock records the md5 of models/model.json"
assert_line "$lock" "      md5: $(md5_of pipeline/train.py)" "dvc.lock records the md5 of pipeline/train.py"
assert_line "$lock" "      md5: $(dir_oid data/features)" "dvc.lock records the .dir md5 of data/features"
assert_line "$lock" "      md5: $(md5_of metrics.json)" "dvc.lock records the md5 of metrics.json"
assert_line "$lock" "        train.epochs: 10" "dvc.lock records param train.epochs"
assert_line "$lock" "        prepare.split: 0.2" "dvc.lock records param prepare.split"
assert_exists "$(cache_obj "$(md5_of models/model.json)")" "models/model.json is in the cache"
for f in data/prepared data/features models/model.json; do
  check "$f is git-ignored (a cached output)" git check-ignore -q "$f"
done
for f in metrics.json plots/roc.csv; do
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
expect_exit 0 lo repro --force
assert_eq "prepare featurize train evaluate" "$(ran_stages)" "repro --force runs all 4 stages"
assert_same_file "$T/lock.2" dvc.lock "forced re-run gives a byte-identical dvc.lock (deterministic stages)"

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

finish
