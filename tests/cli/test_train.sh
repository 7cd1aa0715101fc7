#!/usr/bin/env bash
# `leanops train`, `predict` and `evaluate` end to end on churn data: training
# from flags and from a params.yaml section, the MLmodel directory (read back
# by Python's xgboost), byte-identical retraining, the run and the registered
# version, scoring by models:/NAME@ALIAS, the evaluation gate, and errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CHURN_GEN=${CHURN_GEN:-$(dirname "$LEANOPS_BIN")/churn-gen}
PY=/usr/bin/python3
"$PY" -c 'import xgboost' 2>/dev/null || skip_all "Python's xgboost (python3-xgboost) is not installed"

new_repo proj
"$CHURN_GEN" --rows 6000 --seed 1 --out churn.csv
"$CHURN_GEN" --rows 2000 --seed 2 --out fresh.csv
export SOURCE_DATE_EPOCH=1700000000

# --- flags only: inferred task and features, holdout metrics, a logged run ---
expect_exit 0 lo train --data churn.csv --target churned --metrics metrics.json --plots roc.csv
assert_contains "$LAST_OUT" "note: task: binary (inferred from 'churned'" "the task is inferred"
assert_contains "$LAST_OUT" "left out text column(s) with more than 50 distinct values: customer_id" \
  "an ID column is left out with a note"
assert_contains "$LAST_OUT" "Trained xgboost (binary) on 4800 rows; evaluated on holdout (20% of the rows, stratified): 1200 rows" \
  "the summary names the model, the split and the row counts"
assert_match "$LAST_OUT" "roc_auc +0\.[6-9]" "ROC AUC is printed"
assert_match "$LAST_OUT" "logged as run [0-9a-f]{32}" "a run is logged"
for f in MLmodel model.xgb leanops.json input_example.json; do
  assert_exists "model/$f" "the model directory has $f"
done
check "metrics.json holds the six classification metrics" "$PY" -c '
import json, sys
m = json.load(open("metrics.json"))
assert list(m) == ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"], m
assert 0.5 < m["roc_auc"] <= 1'
assert_eq "fpr,tpr,threshold" "$(head -1 roc.csv)" "the ROC curve is a CSV with fpr,tpr,threshold"

expect_exit 0 lo runs list
assert_contains "$LAST_OUT" "FINISHED" "the run is FINISHED in the store"
expect_exit 0 lo train --data churn.csv --target churned --no-log --out m2
assert_not_contains "$LAST_OUT" "logged as run" "--no-log logs no run"

# --- MLmodel as MLflow reads it, and the booster read by Python's xgboost ---
check "MLmodel's xgboost flavor is what mlflow.xgboost.load_model reads" "$PY" -c '
import yaml
m = yaml.safe_load(open("model/MLmodel"))
x = m["flavors"]["xgboost"]
assert x["data"] == "model.xgb" and x["model_class"] == "xgboost.core.Booster", x
assert x["model_format"] == "xgb" and x["code"] is None, x
assert m["flavors"]["leanops"]["task"] == "binary"
assert m["saved_input_example_info"]["pandas_orient"] == "split"
import json
names = [c["name"] for c in json.loads(m["signature"]["inputs"])]
assert "customer_id" not in names and "tenure_months" in names, names
assert len(m["model_uuid"]) == 32 and len(m["run_id"]) == 32'

# A model on two numeric columns (no transforms): Python's xgboost on the raw
# columns must give the probabilities leanops gives.
cat >numeric.yaml <<'YAML'
data: {train: churn.csv, target: churned}
features:
  numeric: [tenure_months, monthly_charges]
model: {type: xgboost, n_estimators: 20, max_depth: 3}
YAML
expect_exit 0 lo train --config numeric.yaml --out numeric --no-log
expect_exit 0 lo predict --model numeric --data fresh.csv --out numeric_preds.csv
assert_contains "$LAST_OUT" "Wrote 2000 predictions to numeric_preds.csv" "predict says how many rows it scored"
check "Python's xgboost loads model.xgb and predicts the same probabilities" "$PY" -c '
import csv, xgboost as xgb, numpy as np
b = xgb.Booster(model_file="numeric/model.xgb")
assert b.feature_names == ["tenure_months", "monthly_charges"], b.feature_names
rows = list(csv.DictReader(open("fresh.csv")))
num = lambda v: float(v) if v else np.nan
x = np.array([[num(r["tenure_months"]), num(r["monthly_charges"])] for r in rows], dtype=np.float32)
p = b.predict(xgb.DMatrix(x, feature_names=b.feature_names))
ours = np.array([float(r["probability"]) for r in csv.DictReader(open("numeric_preds.csv"))])
assert len(ours) == len(p) and np.allclose(ours, p, rtol=0, atol=1e-7), abs(ours - p).max()'
expect_exit 0 lo predict --model numeric/model.xgb --data fresh.csv --out bare_preds.csv
check "a bare booster file scores the columns its feature names name" \
  "$PY" -c '
import csv
a = [r["probability"] for r in csv.DictReader(open("numeric_preds.csv"))]
b = [r["probability"] for r in csv.DictReader(open("bare_preds.csv"))]
assert a == b'

# --- reproducibility: same data, config and seed give the same bytes ---
expect_exit 0 lo train --data churn.csv --target churned --no-log --out r1 -j 1
expect_exit 0 lo train --data churn.csv --target churned --no-log --out r2 -j 2
for f in model.xgb leanops.json MLmodel input_example.json; do
  assert_same_file r1/$f r2/$f "retraining gives a byte-identical $f (1 and 2 threads)"
done
expect_exit 0 lo train --data churn.csv --target churned --no-log --out r3 --set seed=9
check "another seed gives another model" bash -c '! cmp -s r1/model.xgb r3/model.xgb'

# --- config in params.yaml, every model type ---
cat >params.yaml <<'YAML'
prepare: {split: 0.2}
train:
  data:
    train: churn.csv
    target: churned
    id_columns: [customer_id]
  features:
    auto: true
    numeric:
      total_charges: {impute: median, log1p: true}
    datetime:
      signup_date: {parts: [year, month]}
  model: {type: random_forest, n_estimators: 40, max_depth: 8}
YAML
expect_exit 0 lo train --config params.yaml:train --out forest --no-log
assert_contains "$LAST_OUT" "Trained random_forest (binary)" "a params.yaml section configures training"
assert_not_contains "$LAST_OUT" "customer_id" "an id column is not a feature and needs no note"
expect_exit 3 lo train --config params.yaml:train --model logistic --out logistic --no-log
assert_contains "$LAST_ERR" "params.yaml: model.n_estimators: not a hyperparameter of model type logistic (accepted: C, max_iter, tol," \
  "--model overrides model.type, and the section's forest hyperparameters are refused for it"
expect_exit 0 lo train --config params.yaml:train --model logistic --out logistic --no-log \
  --set model='{type: logistic, C: 0.5}'
assert_contains "$LAST_OUT" "Trained logistic (binary)" "--set replaces the whole model section"
expect_exit 0 lo train --data churn.csv --target monthly_charges --model linear --out linear --no-log \
  --set data.ignore_columns='[churned, total_charges]'
assert_contains "$LAST_OUT" "Trained linear (regression)" "a numeric target with fractions is regression"
assert_match "$LAST_OUT" "r2 +0\.[0-9]+" "regression prints R2"
expect_exit 0 lo train --data churn.csv --target plan --out plans --no-log --set model.n_estimators=10
assert_contains "$LAST_OUT" "(multiclass)" "a text target with four values is multiclass"
expect_exit 0 lo predict --model plans --data fresh.csv
assert_eq "prediction,probability_basic,probability_enterprise,probability_premium,probability_standard" \
  "$(head -1 <<<"$LAST_OUT")" "multiclass predictions have one probability column per class"

# --- registry: register, alias, predict by models:/ URI, the evaluation gate ---
expect_exit 0 lo train --data churn.csv --target churned --register churn --experiment churn
assert_contains "$LAST_OUT" "Registered model 'churn' version 1" "--register creates a version"
expect_exit 0 lo models alias churn production 1
expect_exit 0 lo predict --model models:/churn@production --data fresh.csv --out preds.csv --keep customer_id
assert_eq "customer_id,prediction,probability" "$(head -1 preds.csv)" "--keep copies input columns first"
assert_eq 2001 "$(wc -l <preds.csv)" "one prediction per input row"
assert_eq "$(sed -n 2p fresh.csv | cut -d, -f1)" "$(sed -n 2p preds.csv | cut -d, -f1)" "rows stay in input order"

expect_exit 0 lo train --data churn.csv --target churned --out weak --no-log \
  --set model.n_estimators=1 --set model.max_depth=1
expect_exit 1 lo evaluate --model weak --data fresh.csv --baseline models:/churn@production --metric auc
assert_contains "$LAST_ERR" "candidate roc_auc" "a worse candidate fails the gate (exit 1)"
assert_contains "$LAST_ERR" "is worse than the baseline's" "the gate says why"
expect_exit 0 lo evaluate --model models:/churn/1 --data fresh.csv --baseline weak --metric roc_auc --metrics eval.json
assert_contains "$LAST_OUT" "Gate passed: roc_auc" "a better candidate passes"
check "evaluate writes the metrics JSON" "$PY" -c 'import json; assert "roc_auc" in json.load(open("eval.json"))'
expect_exit 3 lo predict --model models:/churn/99999999999999999999 --data fresh.csv --out x.csv
assert_contains "$LAST_ERR" "version 99999999999999999999 is out of range" "a huge version number is a data error"

# --- errors: one line, the right exit code, what to fix ---
expect_exit 2 lo train --data churn.csv --target churned --no-log --set 'model={a: ['
assert_contains "$LAST_ERR" "--set model={a: [: the value is not valid YAML" "a bad --set value names the flag"
printf 'tenure_months,plan\n3,basic\n' >partial.csv
expect_exit 3 lo predict --model model --data partial.csv
assert_contains "$LAST_ERR" "missing column(s) signup_date, last_active_date" "a signature mismatch names the missing columns"
expect_exit 3 lo train --data churn.csv --target churned --no-log --set model.max_dept=3
assert_contains "$LAST_ERR" "model.max_dept: not a hyperparameter of model type xgboost (accepted: n_estimators" \
  "an unknown hyperparameter lists the accepted ones"
expect_exit 3 lo train --data churn.csv --target churn --no-log
assert_contains "$LAST_ERR" "target column 'churn' is not in the data (columns: customer_id," \
  "an unknown target lists the columns"
expect_exit 2 lo train --data churn.csv --target churned --set max_depth
expect_exit 2 lo train --data churn.csv --no-log
assert_contains "$LAST_ERR" "no target" "a missing target is a usage error"
expect_exit 3 lo train --data churn.csv --target churned --model svm --no-log
expect_exit 3 lo predict --model nowhere --data fresh.csv
expect_exit 2 lo evaluate --model model --data fresh.csv --metric precison
assert_contains "$LAST_ERR" "not a metric (known: accuracy" "an unknown metric lists the known ones"
expect_exit 2 lo evaluate --model model --data fresh.csv --threshold 1.5
assert_contains "$LAST_ERR" "expected a probability between 0 and 1" "a threshold outside (0, 1) is refused"
cut -d, -f1-12 fresh.csv >nolabel.csv
expect_exit 3 lo evaluate --model model --data nolabel.csv
assert_contains "$LAST_ERR" "has no column 'churned' (the target to compare with" \
  "evaluating data without the target says so (it is not a signature mismatch)"
expect_exit 3 lo train --data churn.csv --target churned --model linear --no-log
assert_contains "$LAST_ERR" "'linear' is for regression" "a model type that does not fit the task is refused"

finish
