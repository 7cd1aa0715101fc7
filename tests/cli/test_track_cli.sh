#!/usr/bin/env bash
# Experiment tracking and the model registry from the command line: create
# an experiment, log runs from params/metrics files with their data lineage,
# list/show/compare/diff them, register versions, move aliases through
# promotion gates, roll back, and fetch artifacts byte for byte.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

export LEANOPS_USER=tester
unset LEANOPS_TRACKING_URI MLFLOW_TRACKING_URI

# py_json EXPR: evaluates EXPR on the JSON in $LAST_OUT (bound to d).
py_json() {
  python3 -c 'import json, sys; d = json.loads(sys.argv[2]); print(eval(sys.argv[1]))' "$1" "$LAST_OUT"
}

new_repo proj

# ---------------------------------------------------------------- project
printf 'id,churned\n1,0\n2,1\n' >data.csv
lo add data.csv >/dev/null
cat >params.yaml <<'EOF'
train:
  lr: 0.1
  epochs: 10
model: gbm
EOF
cat >metrics.json <<'EOF'
{"auc": 0.91, "eval": {"loss": 0.3}, "note": "not a number"}
EOF
head -c 4096 /dev/urandom >model.pkl
mkdir -p reports/plots
printf 'roc\n' >reports/plots/roc.txt
printf 'summary\n' >reports/summary.txt
printf 'model.pkl\nreports\n' >>.gitignore
git add -A && git commit -qm "first version"
COMMIT1=$(git rev-parse HEAD)
DATA1=$(md5_of data.csv)

# ------------------------------------------------------------ experiments
expect_exit 0 lo experiments create churn --tag team=ml
assert_eq "Created experiment 'churn' with id 1" "$LAST_OUT" "experiments create names the new id"
# The default store and artifacts stay out of git; the project's config does not.
if git check-ignore -q .leanops/tracking.db && git check-ignore -q .leanops/tracking.db-wal &&
  git check-ignore -q .leanops/artifacts/1/x; then
  ok ".leanops/.gitignore keeps the local tracking state out of git"
else
  fail ".leanops/.gitignore does not keep the local tracking state out of git"
fi
if git check-ignore -q .leanops/config; then fail ".leanops/config must not be ignored"; fi
assert_exists .leanops/tracking.db "the default store is .leanops/tracking.db in the project"
expect_exit 3 lo experiments create churn
assert_contains "$LAST_ERR" "churn" "creating a taken name is a data error naming it"
expect_exit 0 lo experiments list
assert_match "$LAST_OUT" '^1 +churn +' "experiments list shows churn with its id"
assert_match "$LAST_OUT" '^0 +Default +' "experiments list shows the Default experiment"
expect_exit 0 lo experiments show churn --json
assert_eq "churn|ml|active" "$(py_json 'd["name"] + "|" + {t["key"]: t["value"] for t in d["tags"]}["team"] + "|" + d["lifecycle_stage"]')" \
  "experiments show --json: name, tag and lifecycle"
expect_exit 0 lo experiments show 1
assert_contains "$LAST_OUT" "Experiment churn (id 1)" "experiments show takes an id too"

# -------------------------------------------------------------- runs log
expect_exit 0 lo runs log --experiment churn --name baseline --params params.yaml \
  --metrics metrics.json --tag stage=train --artifact model.pkl:model \
  --artifact reports --register churn-model --json
RUN1=$(py_json 'd["run_id"]')
assert_eq "1" "$(py_json 'd["model_version"]["version"]')" "runs log --register makes version 1"

expect_exit 0 lo runs show "$RUN1" --json
assert_eq "FINISHED baseline tester" "$(py_json 'd["info"]["status"] + " " + d["info"]["run_name"] + " " + d["info"]["user_id"]')" \
  "the logged run is FINISHED, named, owned by LEANOPS_USER"
assert_eq "{'model': 'gbm', 'train.epochs': '10', 'train.lr': '0.1'}" \
  "$(py_json 'dict(sorted((p["key"], p["value"]) for p in d["data"]["params"]))')" \
  "params file flattened with dots"
assert_eq "{'auc': 0.91, 'eval.loss': 0.3}" \
  "$(py_json 'dict(sorted((m["key"], m["value"]) for m in d["data"]["metrics"]))')" \
  "metrics file: numeric leaves only, flattened"
TAGS1=$(py_json '{t["key"]: t["value"] for t in d["data"]["tags"]}')
assert_contains "$TAGS1" "'mlflow.source.git.commit': '$COMMIT1'" "lineage: git commit"
assert_contains "$TAGS1" "'leanops.git.dirty': 'false'" "lineage: clean work tree"
assert_contains "$TAGS1" "'leanops.version': '$(lo --version | cut -d' ' -f2)'" "lineage: leanops version"
assert_contains "$TAGS1" "'mlflow.user': 'tester'" "lineage: user"
assert_contains "$TAGS1" "'stage': 'train'" "user tag"
assert_contains "$TAGS1" "'leanops.env.os': 'Linux" "lineage: operating system"
assert_eq "data.csv $DATA1 dvc" \
  "$(py_json '" ".join(" ".join([i["dataset"]["name"], i["dataset"]["digest"], i["dataset"]["source_type"]]) for i in d["inputs"]["dataset_inputs"])')" \
  "lineage: the .dvc-tracked data is a dataset input with its md5"

expect_exit 0 lo runs show "${RUN1:0:8}"
assert_contains "$LAST_OUT" "Run $RUN1 (baseline)" "runs show accepts the short id"
assert_match "$LAST_OUT" '^  train\.lr +0\.1$' "runs show lists params"
assert_match "$LAST_OUT" '^  data\.csv +'"$DATA1"' +dvc +data\.csv$' "runs show lists inputs"

# A second run: new data, a different learning rate, better metrics.
printf 'id,churned\n1,0\n2,1\n3,1\n' >data.csv
lo add data.csv >/dev/null
sed -i 's/lr: 0.1/lr: 0.2/' params.yaml
echo '{"auc": 0.95, "eval": {"loss": 0.25}}' >metrics.json
git add -A && git commit -qm "more data, higher lr"
COMMIT2=$(git rev-parse HEAD)
DATA2=$(md5_of data.csv)
expect_exit 0 lo runs log --experiment churn --name more-data --params params.yaml:train.lr,model \
  --param seed=7 --metrics metrics.json --metric f1=0.8 --artifact model.pkl:model
RUN2=$LAST_OUT
assert_match "$RUN2" '^[0-9a-f]{32}$' "runs log prints the run id"

expect_exit 0 lo runs show "$RUN2" --json
assert_eq "{'model': 'gbm', 'seed': '7', 'train.lr': '0.2'}" \
  "$(py_json 'dict(sorted((p["key"], p["value"]) for p in d["data"]["params"]))')" \
  "params file keys selected, plus --param"

expect_exit 2 lo runs log --experiment churn --metric auc=high
assert_contains "$LAST_ERR" "auc" "a non-numeric --metric is a usage error"
expect_exit 3 lo runs log --experiment churn --params params.yaml:train.missing
assert_contains "$LAST_ERR" "train.missing" "a missing params key is named"

# ------------------------------------------------------------------ list
expect_exit 0 lo runs list --experiment churn
assert_match "$LAST_OUT" "^Run ID +Name +Status +Start +metrics\.auc" "runs list header with metric columns"
assert_match "$LAST_OUT" "^${RUN1:0:8} +baseline +FINISHED .* 0\.91" "runs list row of run 1"
assert_match "$LAST_OUT" "^${RUN2:0:8} +more-data +FINISHED .* 0\.95" "runs list row of run 2"
expect_exit 0 lo runs list --experiment churn --order-by "metrics.auc DESC" --json
assert_eq "$RUN2 $RUN1" "$(py_json '" ".join(r["info"]["run_id"] for r in d)')" "runs list --order-by"
expect_exit 0 lo runs list --experiment churn --filter "metrics.auc > 0.92" --json
assert_eq "$RUN2" "$(py_json '" ".join(r["info"]["run_id"] for r in d)')" "runs list --filter"
expect_exit 0 lo runs list --experiment churn --max 1 --json
assert_eq "1" "$(py_json 'len(d)')" "runs list --max"

# --------------------------------------------------------------- compare
expect_exit 0 lo runs compare "$RUN1" "$RUN2"
assert_match "$LAST_OUT" "^ +Key +${RUN1:0:8} +${RUN2:0:8}$" "compare: one column per run"
assert_match "$LAST_OUT" '^\* +params\.train\.lr +0\.1 +0\.2$' "compare marks a differing param"
assert_match "$LAST_OUT" '^ +params\.model +gbm +gbm$' "compare leaves equal rows unmarked"
assert_match "$LAST_OUT" '^\* +metrics\.f1 +- +0\.8$' "compare shows a missing value as -"
expect_exit 0 lo runs compare "$RUN1" "$RUN2" --json
assert_eq "True [0.91, 0.95]" "$(py_json '" ".join(str(x) for r in d["rows"] if r["key"] == "metrics.auc" for x in (r["differs"], r["values"]))')" \
  "compare --json rows"

# ------------------------------------------------------------------ diff
expect_exit 0 lo runs diff "$RUN1" "$RUN2"
assert_line "$LAST_OUT" "  train.lr: 0.1 -> 0.2" "diff: param change"
assert_line "$LAST_OUT" "  train.epochs: 10 -> (none)" "diff: param only in A"
assert_match "$LAST_OUT" '^  auc: 0\.91 -> 0\.95 \(\+0\.04' "diff: metric change with delta"
assert_line "$LAST_OUT" "  data.csv: md5 $DATA1 -> $DATA2" "diff: dataset digests"
assert_line "$LAST_OUT" "  mlflow.source.git.commit: $COMMIT1 -> $COMMIT2" "diff: git commit"
assert_match "$LAST_OUT" '^Why: the metrics changed with params \(.*train\.lr.*\), data \(data\.csv\) and code or environment \(mlflow\.source\.git\.commit\)$' \
  "diff explains the metric change by its recorded causes"
expect_exit 0 lo runs diff "$RUN1" "$RUN2" --json
assert_eq "$DATA1 $DATA2" "$(py_json '" ".join(x for r in d["datasets"] for x in (r["a"], r["b"]))')" "diff --json datasets"
expect_exit 0 lo runs diff "$RUN1" "$RUN1"
assert_contains "$LAST_OUT" "No differences" "a run does not differ from itself"

# -------------------------------------------------------------- registry
expect_exit 0 lo models register churn-model --run "$RUN2" --json
assert_eq "2 $RUN2" "$(py_json 'd["version"] + " " + d["run_id"]')" "models register --run makes version 2"
assert_contains "$(py_json 'd["source"]')" "$RUN2" "the version's source is in the run's artifacts"
expect_exit 0 lo models register churn-model --run "$RUN1"
assert_contains "$LAST_OUT" "version 3" "version 3 from run 1"
expect_exit 0 lo models list
assert_match "$LAST_OUT" '^churn-model +3 ' "models list shows the latest version"

expect_exit 0 lo models alias churn-model production 1 --reason "first release"
assert_contains "$LAST_OUT" "(none) -> version 1" "alias set"

# Failing gates: exit 1, every gate printed, the alias does not move.
expect_exit 1 lo models promote churn-model --version 2 --alias production \
  --require "metrics.auc >= 0.99" --require "params.model = 'gbm'"
assert_contains "$LAST_ERR" "metrics.auc >= 0.99" "the error names the failing gate"
assert_not_contains "$LAST_ERR" "params.model" "the error leaves out passing gates"
assert_match "$LAST_OUT" "^metrics\.auc >= 0\.99 +FAIL +auc = 0\.95$" "failing gate printed with its value"
assert_match "$LAST_OUT" "^params\.model = 'gbm' +pass +model = 'gbm'$" "passing gate printed"
# Version 3 (run 1, auc 0.91) does not beat version 1 (run 1, auc 0.91).
expect_exit 1 lo models promote churn-model --version 3 --alias production \
  --must-beat production --metric auc
assert_contains "$LAST_ERR" "beats @production" "must-beat failure named"
assert_match "$LAST_OUT" "FAIL +auc = 0\.91 vs 0\.91 of version 1" "must-beat shows both values"
expect_exit 0 lo models show churn-model --json
assert_eq "production=1" "$(py_json '",".join(a["alias"] + "=" + a["version"] for a in d["registered_model"]["aliases"])')" \
  "failed promotions leave the alias"

expect_exit 0 lo models promote churn-model --version 2 --alias production \
  --require "metrics.auc >= 0.9" --must-beat production --metric auc --reason "better auc"
assert_match "$LAST_OUT" "beats @production .* pass +auc = 0\.95 vs 0\.91 of version 1" "must-beat passes"
assert_contains "$LAST_OUT" "version 1 -> version 2" "promotion moves the alias"
expect_exit 1 lo models promote churn-model --version 3 --alias staging \
  --must-beat production --metric eval.loss --lower-is-better
assert_match "$LAST_OUT" "lower is better\) +FAIL +eval\.loss = 0\.3 vs 0\.25 of version 2" \
  "lower-is-better: 0.3 does not beat 0.25"

# Rollback restores the previous version; history shows every move.
expect_exit 0 lo models rollback churn-model --alias production --reason "bad deploy"
assert_contains "$LAST_OUT" "version 2 -> version 1" "rollback names both versions"
expect_exit 0 lo models show churn-model --json
assert_eq "production=1" "$(py_json '",".join(a["alias"] + "=" + a["version"] for a in d["registered_model"]["aliases"])')" \
  "rollback points production back at version 1"
assert_eq "None>1 first release tester|1>2 better auc tester|2>1 bad deploy tester" \
  "$(py_json '"|".join("%s>%s %s %s" % (e["from_version"], e["to_version"], e["reason"], e["user"]) for e in d["alias_history"])')" \
  "alias history: who, why, from -> to, oldest first"
expect_exit 0 lo models show churn-model
assert_match "$LAST_OUT" '^Alias history:$' "models show has an alias history section"
assert_match "$LAST_OUT" 'production +1 +2 +tester +better auc$' "models show lists a move"
expect_exit 3 lo models rollback churn-model --alias staging
assert_contains "$LAST_ERR" "staging" "rollback without history names the alias"

expect_exit 0 lo models archive churn-model --version 3
expect_exit 0 lo models show churn-model --json
assert_eq "Archived" "$(py_json '[v["current_stage"] for v in d["model_versions"] if v["version"] == "3"][0]')" \
  "models archive sets stage Archived"
expect_exit 0 lo models alias churn-model production --delete
expect_exit 0 lo models show churn-model --json
assert_eq "0" "$(py_json 'len(d["registered_model"].get("aliases", []))')" "alias deleted"
expect_exit 2 lo models promote churn-model --version 2 --alias production --must-beat production
expect_exit 3 lo models show no-such-model

# ------------------------------------------------------------- artifacts
expect_exit 0 lo artifacts list "$RUN1"
assert_match "$LAST_OUT" '^model/ +-$' "artifacts list: the model directory"
assert_match "$LAST_OUT" '^reports/ +-$' "artifacts list: a logged directory keeps its name"
expect_exit 0 lo artifacts list "$RUN1" model --json
assert_eq "model/model.pkl 4096 False" "$(py_json '" ".join("%s %s %s" % (f["path"], f.get("file_size"), f["is_dir"]) for f in d["files"])')" \
  "artifacts list PATH --json"
expect_exit 0 lo artifacts get "$RUN1" model/model.pkl -o fetched.pkl
assert_same_file model.pkl fetched.pkl "artifacts get is byte-exact"
expect_exit 0 lo artifacts get "$RUN1" reports -o fetched-reports
assert_file_eq fetched-reports/plots/roc.txt $'roc\n' "artifacts get of a directory (nested file)"
assert_file_eq fetched-reports/summary.txt $'summary\n' "artifacts get of a directory"
expect_exit 3 lo artifacts get "$RUN1" model/none.pkl

# ---------------------------------------------------------------- delete
expect_exit 0 lo runs delete "$RUN2"
expect_exit 0 lo runs list --experiment churn --json
assert_eq "$RUN1" "$(py_json '" ".join(r["info"]["run_id"] for r in d)')" "a deleted run leaves the listing"
expect_exit 3 lo runs show 00000000000000000000000000000000

# A run logged with an edited tracked file records a dirty work tree.
cp params.yaml params.saved
echo "# tweak" >>params.yaml
expect_exit 0 lo runs log --experiment scratch --metric auc=0.5 --json
RUN3=$(py_json 'd["run_id"]')
expect_exit 0 lo runs show "$RUN3" --json
assert_eq "true $COMMIT2" "$(py_json '" ".join({t["key"]: t["value"] for t in d["data"]["tags"]}[k] for k in ("leanops.git.dirty", "mlflow.source.git.commit"))')" \
  "lineage: dirty work tree flagged"
mv params.saved params.yaml
expect_exit 0 lo experiments show scratch
assert_contains "$LAST_OUT" "Active runs: 1" "runs log creates a missing experiment"

# --tracking-uri picks another store; deleting an experiment hides it.
expect_exit 0 lo experiments list --tracking-uri "sqlite:///$T/other.db" --json
assert_eq "Default" "$(py_json '" ".join(e["name"] for e in d)')" "--tracking-uri opens another store"
expect_exit 0 lo experiments delete churn
expect_exit 0 lo experiments list --json
assert_eq "Default scratch" "$(py_json '" ".join(sorted(e["name"] for e in d))')" "a deleted experiment leaves the list"
expect_exit 0 lo experiments list --view deleted --json
assert_eq "churn" "$(py_json '" ".join(e["name"] for e in d)')" "--view deleted shows it"

finish
