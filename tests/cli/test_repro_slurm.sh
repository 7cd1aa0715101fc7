#!/usr/bin/env bash
# `leanops repro --executor slurm` against the real one-node cluster that
# ../shared/services/slurm.sh runs (scripts/test.sh starts it and exports
# SLURM_CONF): the churn pipeline runs as chained sbatch jobs and records
# exactly the dvc.lock a local run records; a failing job stops its
# dependents; the executor can come from .leanops/config.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC=$(realpath "${LEANOPS_SOURCE_DIR:-$LIB_DIR/../..}")
CHURN_GEN=${CHURN_GEN:-$SRC/build/churn-gen}
[ -n "${SLURM_CONF:-}" ] || skip_all "SLURM_CONF is not set (start ../shared/services/slurm.sh)"
command -v sbatch >/dev/null || skip_all "sbatch not found"
timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP' || skip_all "slurmctld is not answering"
command -v python3 >/dev/null || skip_all "python3 not found"
# The churn pipeline's validate, train and evaluate stages run `leanops`: the leanops under test
# first on PATH (sbatch passes the environment on to the jobs).
PATH="$(dirname "$LEANOPS_BIN"):$PATH"
export PATH

ran_stages() {
  sed -n "s/^Running stage '\([^']*\)':.*/\1/p" "$OUT" | paste -sd' ' -
}
# lock_masked FILE: FILE (a dvc.lock) with the md5s of reports/validation.html, which records
# the validation time, and of models/churn, whose MLmodel names the run the training was logged
# as, replaced by placeholders.
lock_masked() {
  awk '/- path: reports\/validation.html$/ { m = 3; what = "validation report" }
       /- path: models\/churn$/ { m = 3; what = "model directory" }
       m && /md5:/ { sub(/md5: .*/, "md5: <" what ">") }
       m { m-- }
       { print }' "$1"
}
job_ids() {
  sed -n "s/^Stage '[^']*': submitted as Slurm job \([0-9]*\).*/\1/p" "$OUT" | paste -sd' ' -
}

make_churn_repo() {
  new_repo "$1"
  cp -r "$SRC/examples/churn/dvc.yaml" "$SRC/examples/churn/params.yaml" \
    "$SRC/examples/churn/pipeline" "$SRC/examples/churn/expectations" .
  mkdir data
  "$CHURN_GEN" --rows 3000 --seed 5 --out data/churn.csv
  printf '/churn.csv\n' >data/.gitignore
  git add -A && git commit -qm "churn pipeline"
}

# ---------------------------------------------------------------- local reference run
make_churn_repo local
expect_exit 0 lo repro
local_lock="$T/local.lock"
cp dvc.lock "$local_lock"
local_dir=$PWD

# ---------------------------------------------------------------- the same pipeline on Slurm
make_churn_repo cluster
expect_exit 0 lo repro --executor slurm
assert_eq "validate prepare train evaluate" "$(ran_stages)" "all 4 stages submitted in order"
ids=$(job_ids)
assert_eq 4 "$(wc -w <<<"$ids")" "4 Slurm jobs submitted"
assert_eq "$(lock_masked "$local_lock")" "$(lock_masked dvc.lock)" \
  "Slurm run records the same dvc.lock as the local run (but for the report's and the model's md5)"
assert_same_file "$local_dir/models/churn/model.xgb" models/churn/model.xgb \
  "the Slurm job trained the same booster as the local run"
assert_same_file "$local_dir/metrics.json" metrics.json "and measured the same metrics"
check "stage output streamed back with its prefix" grep -q '^\[train\] Trained xgboost (binary) on ' "$OUT"
check "the train job registered the model in the project's tracking store" \
  grep -qx "\[train\] Registered model 'churn' version 1" "$OUT"
# The chain is Slurm's: each job after the first waited on its upstream job.
first=$(cut -d' ' -f1 <<<"$ids")
last=$(cut -d' ' -f4 <<<"$ids")
dep=$(scontrol show job "$last" 2>/dev/null | tr ' ' '\n' | sed -n 's/^Dependency=//p' | head -n1)
if [ -n "$dep" ] && [ "$dep" != "(null)" ]; then
  assert_contains "$dep" "afterok" "the evaluate job carried an afterok dependency ($dep)"
else
  # Finished jobs may have dropped the field; the job records still show they ran in order.
  end_first=$(scontrol show job "$first" | tr ' ' '\n' | sed -n 's/^EndTime=//p')
  start_last=$(scontrol show job "$last" | tr ' ' '\n' | sed -n 's/^StartTime=//p')
  if [[ "$start_last" > "$end_first" || "$start_last" == "$end_first" ]]; then
    ok "evaluate started after validate ended"
  else
    fail "job order" "validate ended $end_first, evaluate started $start_last"
  fi
fi

expect_exit 0 lo repro --executor slurm
assert_eq "" "$(ran_stages)" "second Slurm repro submits nothing"
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "second Slurm repro: up to date"

# ---------------------------------------------------------------- executor from .leanops/config
mkdir -p .leanops
printf '[repro]\n    executor = slurm\n[slurm]\n    partition = %s\n' \
  "${LEANOPS_SLURM_PARTITION:-debug}" >.leanops/config
sed -i 's/^\(    max_depth:\) 3 /\1 2 /' params.yaml
expect_exit 0 lo repro
assert_eq "train evaluate" "$(ran_stages)" "param change re-runs train and evaluate on Slurm"
assert_eq 2 "$(job_ids | wc -w)" "config-selected executor submits 2 Slurm jobs"
check "the retrained model is registered as version 2" \
  grep -qx "\[train\] Registered model 'churn' version 2" "$OUT"
expect_exit 0 lo status
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "status after the Slurm run"

# ---------------------------------------------------------------- a failing job
new_repo failing
cat >dvc.yaml <<'YAML'
stages:
  first:
    cmd: echo one > one.txt
    outs: [one.txt]
  broken:
    cmd: cat one.txt > two.txt && exit 7
    deps: [one.txt]
    outs: [two.txt]
  after:
    cmd: cat two.txt > three.txt
    deps: [two.txt]
    outs: [three.txt]
YAML
git add -A && git commit -qm pipeline
expect_exit 1 lo repro --executor slurm
assert_contains "$LAST_ERR" "broken" "the error names the failed stage"
assert_contains "$LAST_OUT" "Stage 'after' was not run" "the dependent stage is reported as not run"
check "the dependent's output was never written" test ! -e three.txt
check "the completed stage is in dvc.lock" grep -q '^  first:' dvc.lock
if grep -q '^  broken:' dvc.lock; then fail "failed stage recorded in dvc.lock"; else ok "failed stage not in dvc.lock"; fi

finish
