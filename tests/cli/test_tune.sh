#!/usr/bin/env bash
# `leanops tune`: a seeded search over a params.yaml training section, trials
# as child runs of one parent run, median pruning, the best values written
# back into params.yaml with its comments kept, and config errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CHURN_GEN=${CHURN_GEN:-$(dirname "$LEANOPS_BIN")/churn-gen}
PY=/usr/bin/python3

new_repo proj
"$CHURN_GEN" --rows 4000 --seed 3 --out churn.csv
cat >params.yaml <<'YAML'
# Churn model
train:
  data:
    train: churn.csv
    target: churned
    id_columns: [customer_id]
  model:
    type: xgboost
    n_estimators: 30
    max_depth: 6        # how deep each tree grows
    learning_rate: 0.3
YAML
cat >tune.yaml <<'YAML'
base: params.yaml:train
metric: roc_auc
trials: 8
jobs: 1
seed: 5
startup_trials: 4
space:
  model.max_depth: {type: int, low: 2, high: 8}
  model.learning_rate: {type: float, low: 0.01, high: 0.3, log: true}
  model.grow_policy: {type: categorical, choices: [depthwise, lossguide]}
YAML

expect_exit 0 lo tune --config tune.yaml --json --no-log
first=$LAST_OUT
check "8 trials, each value in its range, the best is the highest" "$PY" -c '
import json, sys
r = json.loads(sys.argv[1])
t = r["trials"]
assert len(t) == 8, len(t)
for x in t:
    p = x["params"]
    assert 2 <= p["model.max_depth"] <= 8 and isinstance(p["model.max_depth"], int), p
    assert 0.01 <= p["model.learning_rate"] <= 0.3, p
    assert p["model.grow_policy"] in ("depthwise", "lossguide"), p
values = [x["value"] for x in t if x["value"] is not None]
assert r["best_value"] == max(values), (r["best_value"], values)' "$first"
expect_exit 0 lo tune --config tune.yaml --json --no-log
check "the same seed draws the same trials (one job)" "$PY" -c '
import json, sys
a, b = (json.loads(x)["trials"] for x in sys.argv[1:3])
assert [x["params"] for x in a] == [x["params"] for x in b]' "$first" "$LAST_OUT"
expect_exit 0 lo tune --config tune.yaml --json --no-log --seed 6 --sampler random
check "another seed draws other trials" "$PY" -c '
import json, sys
a, b = (json.loads(x)["trials"] for x in sys.argv[1:3])
assert [x["params"] for x in a] != [x["params"] for x in b]' "$first" "$LAST_OUT"

# Logged: a parent run and a child run per trial; best values written back.
printf 'output: params.yaml:train\n' >>tune.yaml
expect_exit 0 lo tune --config tune.yaml --experiment tuning --trials 6
assert_contains "$LAST_OUT" "6 trials (" "the summary counts the trials"
assert_contains "$LAST_OUT" "Written to params.yaml:train" "the best values are written back"
parent=$(sed -n 's/^Logged as run \([0-9a-f]*\) .*/\1/p' <<<"$LAST_OUT")
assert_match "$parent" "^[0-9a-f]{32}$" "the parent run is named"
expect_exit 0 lo runs list --experiment tuning --json
check "six child runs name the parent; the parent holds the best params" "$PY" -c '
import json, sys
runs = json.loads(sys.argv[1])
runs = runs["runs"] if isinstance(runs, dict) else runs
parent = sys.argv[2]
def tags(r):
    t = r["data"].get("tags", [])
    return {x["key"]: x["value"] for x in t} if isinstance(t, list) else t
children = [r for r in runs if tags(r).get("mlflow.parentRunId") == parent]
assert len(children) == 6, len(children)
p = [r for r in runs if r["info"]["run_id"] == parent][0]
params = p["data"]["params"]
params = {x["key"]: x["value"] for x in params} if isinstance(params, list) else params
assert "best.model.max_depth" in params, params
assert p["info"]["status"] == "FINISHED"' "$LAST_OUT" "$parent"
check "params.yaml keeps its comments and holds the best values" "$PY" -c '
import yaml
text = open("params.yaml").read()
assert text.startswith("# Churn model\n"), text
assert "# how deep each tree grows" in text, text
p = yaml.safe_load(text)["train"]["model"]
assert "grow_policy" in p and 2 <= p["max_depth"] <= 8, p'
expect_exit 0 lo train --config params.yaml:train --no-log --out tuned
assert_contains "$LAST_OUT" "Trained xgboost" "the tuned params train"

# Errors.
printf 'base: params.yaml:train\nspace:\n  model.max_depth: {type: int, low: 8, high: 2}\n' >bad.yaml
expect_exit 3 lo tune --config bad.yaml
assert_contains "$LAST_ERR" "space.model.max_depth: low 8 must be below high 2" "a bad range names the key"
printf 'base: nowhere.yaml\nspace:\n  model.max_depth: {type: int, low: 2, high: 3}\n' >bad2.yaml
expect_exit 3 lo tune --config bad2.yaml --no-log
assert_contains "$LAST_ERR" "config file 'nowhere.yaml' does not exist" "a missing base is named"
printf 'base: params.yaml:train\nspace:\n  model.max_dept: {type: int, low: 2, high: 3}\n' >bad3.yaml
expect_exit 3 lo tune --config bad3.yaml --no-log
assert_contains "$LAST_ERR" "not a hyperparameter of model type xgboost" "a misspelt key fails before any trial"

finish
