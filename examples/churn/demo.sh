#!/usr/bin/env bash
# End-to-end demo, in two parts:
#   1. data versioning: version the churn data with leanops, push it to a local remote, lose
#      the cache and the data, pull it back and check every byte;
#   2. the churn model as a DVC pipeline (dvc.yaml, params.yaml, pipeline/prepare.py, and the
#      expectation suite expectations/churn_raw.json that its first stage, validate, checks the
#      raw data against), trained with leanops' own trainer: reproduce it (train logs a run and
#      registers version 1 of the model churn, promoted to production), see that nothing re-runs
#      when nothing changed, change one training parameter and see exactly the stages that depend
#      on it re-run (version 2), compare params and metrics with git, let the evaluation gate
#      decide whether version 2 replaces production, score a production batch with the
#      production model; then see that batch fail the data suite (it drifted) and a corrupted
#      data/churn.csv stop `leanops repro` at the validate stage.
#
#   bash examples/churn/demo.sh [ROWS]        (default 200000 rows)
#
# Uses build/leanops and build/churn-gen (or $LEANOPS_BIN, $CHURN_GEN) and python3; works in a
# fresh temp directory, removed at the end unless LEANOPS_DEMO_KEEP=1. Every check that fails
# stops the demo with "demo: FAILED: ..." and exit code 1. The validate, train and evaluate
# stages run `leanops` from PATH, so the directory of the leanops used here is put first on PATH.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
example_dir=$repo_root/examples/churn
LEANOPS=$(realpath "${LEANOPS_BIN:-$repo_root/build/leanops}")
CHURN_GEN=$(realpath "${CHURN_GEN:-$repo_root/build/churn-gen}")
PATH="$(dirname "$LEANOPS"):$PATH"
export PATH
rows=${1:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/leanops-churn-demo.XXXXXX")
if [ "${LEANOPS_DEMO_KEEP:-0}" = 1 ]; then
  trap 'echo "demo: kept $work" >&2' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# run CMD...: show the command (programs by their base name) and run it.
run() {
  local shown arg
  shown=$(basename "$1")
  for arg in "${@:2}"; do
    case $arg in *[[:space:]]*) shown+=" '$arg'" ;; *) shown+=" $arg" ;; esac
  done
  printf '$ %s\n' "$shown"
  "$@"
}
fail() {
  echo "demo: FAILED: $*" >&2
  exit 1
}

cd "$work"
mkdir project remote
cd project
git init -q
git config user.email demo@example.com
git config user.name demo

step "Create a repository (same files as 'dvc init')"
run "$LEANOPS" init

step "Generate the churn data: a training snapshot and a drifted production batch"
mkdir -p data/production
run "$CHURN_GEN" --rows "$rows" --seed 7 --out data/churn.csv
run "$CHURN_GEN" --rows $((rows / 4)) --seed 8 --drift --out data/production/batch-001.csv
run "$CHURN_GEN" --rows $((rows / 4)) --seed 9 --drift --out data/production/batch-002.csv
head -3 data/churn.csv

step "Track a file and a directory"
run "$LEANOPS" add data/churn.csv data/production
cat data/churn.csv.dvc
run git add data/churn.csv.dvc data/production.dvc data/.gitignore .dvc/config .dvc/.gitignore .dvcignore
run git commit -qm "Track churn data with leanops"

step "Status: nothing changed"
run "$LEANOPS" status

step "Push to a local remote"
run "$LEANOPS" remote add -d storage "$work/remote"
run "$LEANOPS" push
run "$LEANOPS" status --cloud

step "Lose the cache and the data"
sums_before=$(md5sum data/churn.csv data/production/*.csv)
run rm -rf .dvc/cache data/churn.csv data/production
run "$LEANOPS" status

step "Pull them back"
run "$LEANOPS" pull
sums_after=$(md5sum data/churn.csv data/production/*.csv)
[ "$sums_before" = "$sums_after" ] || fail "pulled data differs from the original"
printf '%s\n' "$sums_after"
run "$LEANOPS" status
run "$LEANOPS" ls

echo "data: the churn data round-tripped byte-identical"

# ------------------------------------------------------------------------------------------
# Part 2: the churn model as a pipeline

# repro: `leanops repro`, output shown and kept in $work/repro.log.
repro() {
  echo '$ leanops repro'
  "$LEANOPS" repro 2>&1 | tee "$work/repro.log"
}
# expect_ran "STAGE..." : the last repro ran exactly these stages, in this order.
expect_ran() {
  local ran
  ran=$(sed -n "s/^Running stage '\([^']*\)':.*/\1/p" "$work/repro.log" | paste -sd' ' -)
  [ "$ran" = "$1" ] || fail "expected the stages '${1:-(none)}' to run, ran '${ran:-(none)}'"
  echo "demo: ok: ran ${1:-no stage}"
}
# lock_digest: one line per stage of dvc.lock, "name md5-of-its-entry".
lock_digest() {
  python3 - <<'PY'
import hashlib, re
name, lines, entries = None, [], []
for line in open("dvc.lock", encoding="utf-8"):
    m = re.match(r"^  ([^ #][^:]*):\s*$", line)  # a stage under the top-level `stages:`
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
PY
}
# changed_lock_entries BEFORE AFTER: names of the stages whose dvc.lock entry differs.
changed_lock_entries() {
  { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") || true; } |
    sed -n 's/^> \([^ ]*\) .*/\1/p' | paste -sd' ' -
}

# metric NAME [FILE]: a metric from metrics.json (or FILE).
metric() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[2]))[sys.argv[1]])' "$1" "${2:-metrics.json}"
}

step "Pipeline: validate -> prepare -> train -> evaluate (dvc.yaml, params.yaml, pipeline/prepare.py, expectations/)"
cp -r "$example_dir/dvc.yaml" "$example_dir/params.yaml" "$example_dir/pipeline" \
  "$example_dir/expectations" .
cat dvc.yaml
# params.yaml's train: section is the config of `leanops train`.
run cat params.yaml
run "$LEANOPS" stage list
run "$LEANOPS" dag

step "Reproduce: every stage runs (validate checks the raw data, prepare samples 20,000 of the clean rows, train fits XGBoost and registers it)"
start=${EPOCHREALTIME/./}
repro
expect_ran "validate prepare train evaluate"
elapsed_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
printf 'demo: first repro took %d.%d s\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
[ -f dvc.lock ] || fail "repro wrote no dvc.lock"
[ "$(lock_digest | wc -l)" = 4 ] || fail "dvc.lock does not hold the 4 stages"
run cat reports/validation.txt
tail -n1 reports/validation.txt | grep -qE '^([0-9]+) of \1 expectations met' ||
  fail "the validate stage did not report every expectation met"
grep -qx "\[train\] Registered model 'churn' version 1" "$work/repro.log" ||
  fail "the train stage did not register version 1 of the model churn"
run cat metrics.json
python3 -c 'import json, sys; sys.exit(not 0.7 < json.load(open("metrics.json"))["roc_auc"] <= 1)' ||
  fail "the model's ROC AUC on the test rows is not above 0.7"
# train printed its metrics on the test rows; evaluate, loading the saved model, must agree.
[ "$(sed -n 's/^\[train\]  //p' "$work/repro.log" | grep -E '^ [a-z0-9_]+ +[0-9.]+$')" = \
  "$(sed -n 's/^\[evaluate\]  //p' "$work/repro.log" | grep -E '^ [a-z0-9_]+ +[0-9.]+$')" ] ||
  fail "evaluate's metrics of the saved model differ from those train printed"
echo "demo: ok: evaluate on the saved model gives the metrics train printed"
# Outputs kept in the cache (data/prepared, models/churn) and the tracking store are
# git-ignored; metrics.json, plots/roc.csv and the validation reports (cache: false) are not.
run git add dvc.yaml dvc.lock params.yaml pipeline expectations metrics.json plots/roc.csv \
  reports/validation.txt reports/validation.html data/.gitignore models/.gitignore .leanops/.gitignore
run git commit -qm "Churn pipeline: first model"
untracked=$(git status --porcelain --untracked-files=all | sed -n 's/^?? //p')
[ -z "$untracked" ] || fail "outputs neither committed nor git-ignored: $untracked"

step "The model: an MLflow model directory, a logged run, a registered version"
run ls models/churn
run cat models/churn/MLmodel
run_id=$(sed -n 's/^run_id: //p' models/churn/MLmodel)
run "$LEANOPS" runs show "$run_id" | tee "$work/run_show.log"
grep -qE '^  model.max_depth +3$' "$work/run_show.log" || fail "runs show does not list the param model.max_depth"
run "$LEANOPS" models show churn | tee "$work/model.log"
grep -qE "^  1 .* ${run_id:0:8} " "$work/model.log" || fail "version 1 does not come from the run ${run_id:0:8}"
# Put version 1 in production, behind a gate on the metrics of its run.
run "$LEANOPS" models promote churn --version 1 --alias production --require "metrics.roc_auc >= 0.7" \
  --reason "first model"

step "Reproduce again: nothing changed, nothing runs (and nothing is registered)"
cp dvc.lock "$work/dvc.lock.before"
repro
expect_ran ""
grep -qE "didn't change|up to date|Nothing to reproduce" "$work/repro.log" ||
  fail "repro did not say that the stages are unchanged"
cmp -s dvc.lock "$work/dvc.lock.before" || fail "a repro that ran nothing changed dvc.lock"
run "$LEANOPS" status

step "Change one training parameter: train.model.max_depth 3 -> 4"
sed -i 's/^\(    max_depth:\) 3 /\1 4 /' params.yaml
grep -q '^    max_depth: 4 ' params.yaml || fail "could not change train.model.max_depth in params.yaml"
run git diff -- params.yaml
run "$LEANOPS" status | tee "$work/status.log"
grep -qx 'train:' "$work/status.log" || fail "status does not show the train stage as changed"
grep -qE 'modified: +train$' "$work/status.log" || fail "status does not name the changed param section train"
! grep -qE '^(validate|prepare):' "$work/status.log" ||
  fail "status shows validate or prepare as changed"

step "Reproduce: only train and the stage downstream of it (evaluate) run; train registers version 2"
lock_before=$(lock_digest)
repro
expect_ran "train evaluate"
changed=$(changed_lock_entries "$lock_before" "$(lock_digest)")
[ "$changed" = "train evaluate" ] || fail "dvc.lock entries changed: '$changed', expected 'train evaluate'"
echo "demo: ok: dvc.lock entries changed: $changed"
grep -qx "\[train\] Registered model 'churn' version 2" "$work/repro.log" ||
  fail "the train stage did not register version 2"

step "Compare with the last commit"
run "$LEANOPS" params diff | tee "$work/params.log"
grep -q 'train.model.max_depth' "$work/params.log" || fail "params diff does not show train.model.max_depth"
! git diff --quiet -- metrics.json || fail "metrics.json did not change"
run "$LEANOPS" metrics diff | tee "$work/metrics.log"
grep -q 'metrics.json' "$work/metrics.log" || fail "metrics diff does not show metrics.json"
run "$LEANOPS" plots show
[ -s dvc_plots/index.html ] || fail "plots show wrote no dvc_plots/index.html"
[ "${LEANOPS_DEMO_KEEP:-0}" = 1 ] || echo "(LEANOPS_DEMO_KEEP=1 keeps the project, and this page, after the demo)"

step "The quality gate: does version 2 beat production (version 1) on the test rows?"
# Both models are scored on data/prepared/test.csv, so the gate agrees with metrics diff:
# it passes (exit 0) when version 2's ROC AUC is at least production's, else exits 1.
echo "\$ leanops evaluate --model models:/churn/2 --data data/prepared/test.csv --baseline models:/churn@production --metric roc_auc"
rc=0
"$LEANOPS" evaluate --model models:/churn/2 --data data/prepared/test.csv \
  --baseline models:/churn@production --metric roc_auc >"$work/gate.log" 2>&1 || rc=$?
cat "$work/gate.log"
better=$(python3 -c 'import json, subprocess, sys
old = json.loads(subprocess.run(["git", "show", "HEAD:metrics.json"], capture_output=True, check=True).stdout)
sys.stdout.write("yes" if json.load(open("metrics.json"))["roc_auc"] >= old["roc_auc"] else "no")')
if [ "$rc" = 0 ] && [ "$better" = yes ]; then
  echo "demo: ok: version 2 is at least as good: the gate passes, promote it"
  run "$LEANOPS" models promote churn --version 2 --alias production --require "metrics.roc_auc >= 0.7" \
    --reason "max_depth 4 beats max_depth 3 on the test rows"
  production=2
elif [ "$rc" = 1 ] && [ "$better" = no ]; then
  echo "demo: ok: version 2 is worse: the gate fails (exit 1), production stays on version 1"
  production=1
else
  fail "the gate exited $rc, but version 2 better than version 1 on the test rows: $better"
fi
run "$LEANOPS" models show churn | tee "$work/model.log"
grep -qx "  Aliases: production=$production" "$work/model.log" ||
  fail "models show does not show production on version $production"
run git commit -qm "Churn pipeline: max_depth 4" dvc.lock params.yaml metrics.json plots/roc.csv
run "$LEANOPS" status

# A clearly worse candidate (2 trees of depth 1, not logged) is refused whatever the data.
run "$LEANOPS" train --config params.yaml:train --set model.n_estimators=2 --set model.max_depth=1 \
  --no-log --out "$work/weak"
echo "\$ leanops evaluate --model \$work/weak --data data/prepared/test.csv --baseline models:/churn@production"
rc=0
"$LEANOPS" evaluate --model "$work/weak" --data data/prepared/test.csv \
  --baseline models:/churn@production >"$work/gate.log" 2>&1 || rc=$?
cat "$work/gate.log"
[ "$rc" = 1 ] || fail "the gate let a 2-tree model through (exit $rc)"
grep -q 'is worse than the baseline' "$work/gate.log" || fail "the gate did not say why it failed"
echo "demo: ok: the weak candidate fails the gate (exit 1)"

step "Score a production batch with the production model"
mkdir -p predictions
run "$LEANOPS" predict --model models:/churn@production --data data/production/batch-001.csv \
  --out predictions/batch-001.csv --keep customer_id
head -4 predictions/batch-001.csv
[ "$(head -n1 predictions/batch-001.csv)" = "customer_id,prediction,probability" ] ||
  fail "predictions/batch-001.csv does not have the columns customer_id,prediction,probability"
[ "$(wc -l <predictions/batch-001.csv)" = "$(wc -l <data/production/batch-001.csv)" ] ||
  fail "not one prediction per row of the batch"
[ "$(cut -d, -f1 predictions/batch-001.csv)" = "$(cut -d, -f1 data/production/batch-001.csv)" ] ||
  fail "the predictions are not in the batch's row order"
echo "demo: ok: one prediction per customer of the batch, in input order"
rm -r predictions

step "A drifted production batch fails the gate"
# The suite the validate stage applies to data/churn.csv, on the production batch just scored
# (churn-gen --drift): more support calls, higher prices, more missing charges. It exits 1 and
# writes the report: the batch is not like the data the model was trained on.
echo "\$ leanops validate data/production/batch-001.csv --suite expectations/churn_raw.json --report reports/batch-001.html"
rc=0
"$LEANOPS" validate data/production/batch-001.csv --suite expectations/churn_raw.json \
  --report reports/batch-001.html >"$work/validate.log" 2>&1 || rc=$?
cat "$work/validate.log"
[ "$rc" = 1 ] || fail "validating the drifted batch exited $rc, expected 1"
grep -q 'FAIL expect_column_mean_to_be_between(support_calls)' "$work/validate.log" ||
  fail "the drifted batch's mean support_calls was not flagged"
[ -s reports/batch-001.html ] || fail "no HTML report reports/batch-001.html"
echo "demo: ok: the drifted batch fails the suite (exit 1), report in reports/batch-001.html"

# A corrupted training snapshot: customer C0000010 gets an unknown plan, C0000020 a negative
# tenure. `leanops repro` runs validate, which fails, and stops before prepare.
corrupt=(-e 's/^\(C0000010,[^,]*,[^,]*,\)[a-z]*,/\1platinum,/'
  -e 's/^\(C0000020\(,[^,]*\)\{4\}\),[0-9]*,/\1,-3,/')
printf '$ sed -i %s %s %s %s data/churn.csv\n' "${corrupt[0]}" "'${corrupt[1]}'" "${corrupt[2]}" "'${corrupt[3]}'"
sed -i "${corrupt[@]}" data/churn.csv
grep -q '^C0000010,[^,]*,[^,]*,platinum,' data/churn.csv || fail "could not corrupt data/churn.csv"
cp dvc.lock "$work/dvc.lock.before"
echo '$ leanops repro'
rc=0
"$LEANOPS" repro >"$work/repro.log" 2>&1 || rc=$?
cat "$work/repro.log"
[ "$rc" = 1 ] || fail "repro on a corrupted data/churn.csv exited $rc, expected 1"
expect_ran "validate"
grep -q "Stage 'prepare' was not run" "$work/repro.log" || fail "repro did not say that prepare was not run"
cmp -s dvc.lock "$work/dvc.lock.before" || fail "a failed validation changed dvc.lock"
echo "demo: ok: repro exited 1 at validate, prepare not run, dvc.lock unchanged"
run grep FAIL reports/validation.txt
for failed in 'expect_column_values_to_be_in_set(plan)' 'expect_column_values_to_be_between(tenure_months)'; do
  grep -qF "FAIL $failed" reports/validation.txt || fail "reports/validation.txt does not name $failed"
done

step "Restore the data from the cache: the gate opens again, nothing downstream re-runs"
run "$LEANOPS" checkout --force data/churn.csv
lock_before=$(lock_digest)
repro
ran=$(sed -n "s/^Running stage '\([^']*\)':.*/\1/p" "$work/repro.log" | paste -sd' ' -)
case $ran in "" | validate) ;; *) fail "after restoring the data the stages '$ran' ran" ;; esac
changed=$(changed_lock_entries "$lock_before" "$(lock_digest)")
case $changed in "" | validate) ;; *) fail "dvc.lock entries changed: '$changed'" ;; esac
echo "demo: ok: validation passes again, prepare and what follows did not re-run"
run "$LEANOPS" status

step "Push the pipeline's cached outputs (recorded in dvc.lock) to the remote"
run "$LEANOPS" push
run "$LEANOPS" status --cloud

step "The experiment's runs and the registered model (tracking store: .leanops/tracking.db)"
run "$LEANOPS" runs list --experiment churn --order-by "metrics.roc_auc DESC"
run "$LEANOPS" models show churn | tee "$work/model.log"
grep -qx "  Aliases: production=$production" "$work/model.log" ||
  fail "models show does not show production on version $production"
[ "$(sed -n '/^Versions:/,$p' "$work/model.log" | awk '$1 ~ /^[0-9]+$/' | wc -l)" = 2 ] ||
  fail "the model churn does not have exactly 2 versions"

step "Demo finished: data versioned and round-tripped, pipeline reproduced incrementally, models trained, registered, gated and used"
