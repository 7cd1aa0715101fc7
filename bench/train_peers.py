"""Python peers for bench/train.sh: what a user would otherwise write.

Subcommands (each prints one JSON object on stdout):
  rf      pandas read_csv + preprocessing + sklearn RandomForestClassifier fit,
          then predict_proba on the held-out file (timed alone and with its read
          + preprocessing) and ROC AUC there.
  xgb     pandas read_csv + preprocessing + xgb.train (hist), ROC AUC on held-out.
  xgbrf   the booster leanops builds for random_forest (XGBoost random-forest mode),
          trained from Python, to separate library time from leanops' own.
  optuna  Optuna TPE over the XGBoost search space of the leanops tune config,
          trials scored by ROC AUC on a fixed validation file.

The training file is split as `leanops train` splits it by default (a stratified 80/20
holdout, seed 42) and the model is fitted on the 80 %, so both sides fit the same number of
rows; the peers' holdout is not scored (--holdout 0 fits on every row).

Preprocessing (the same as leanops' inferred transforms): drop customer_id; one-hot
plan, region, contract with the training file's categories; signup_date and
last_active_date to year, month, day_of_week; NaN imputed with the training medians
for scikit-learn (XGBoost takes NaN as missing, as leanops does).
Run with Debian's /usr/bin/python3 (python3-sklearn, -xgboost, -optuna, -pandas).
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

TARGET = "churned"
CATEGORICAL = ["plan", "region", "contract"]
DATES = ["signup_date", "last_active_date"]
DROP = ["customer_id"]


class Prep:
    """Fitted on the training frame, applied to any frame."""

    def fit(self, df):
        self.categories = {c: sorted(df[c].dropna().unique()) for c in CATEGORICAL}
        return self

    def transform(self, df, impute=None):
        y = df[TARGET].to_numpy() if TARGET in df else None
        x = df.drop(columns=[c for c in DROP + [TARGET] if c in df])
        for c in DATES:
            d = pd.to_datetime(x.pop(c), format="%Y-%m-%d")
            x[c + "_year"] = d.dt.year
            x[c + "_month"] = d.dt.month
            x[c + "_day_of_week"] = d.dt.dayofweek
        for c in CATEGORICAL:
            col = pd.Categorical(x.pop(c), categories=self.categories[c])
            dummies = pd.get_dummies(col, prefix=c, dtype=np.float32)
            dummies.index = x.index
            x = pd.concat([x, dummies], axis=1)
        x = x.astype(np.float32)
        if impute == "fit":
            self.medians = x.median()
        if impute is not None:
            x = x.fillna(self.medians)
        return x, y


def holdout(a, x, y):
    """The 80 % a model is fitted on (same size as leanops' default stratified holdout)."""
    if a.holdout <= 0:
        return x, y
    from sklearn.model_selection import train_test_split
    x, _, y, _ = train_test_split(x, y, test_size=a.holdout, stratify=y, random_state=a.seed)
    return x, y


def now():
    return time.perf_counter()


def cmd_rf(a):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score

    t0 = now()
    df = pd.read_csv(a.train)
    t1 = now()
    prep = Prep().fit(df)
    x, y = prep.transform(df, impute="fit")
    x, y = holdout(a, x, y)
    t2 = now()
    rf = RandomForestClassifier(n_estimators=a.n_estimators, n_jobs=a.jobs, random_state=a.seed)
    rf.fit(x, y)
    t3 = now()
    out = {"read_s": t1 - t0, "prep_s": t2 - t1, "fit_s": t3 - t2, "total_s": t3 - t0,
           "rows": len(df), "fit_rows": len(y), "features": x.shape[1]}
    del df, x, y
    # Batch scoring of the held-out file: predict_proba alone, and with read + prep.
    t4 = now()
    test = pd.read_csv(a.test)
    xt, yt = prep.transform(test, impute="apply")
    t5 = now()
    p = rf.predict_proba(xt)[:, 1]
    t6 = now()
    out.update({"predict_rows": len(test), "predict_proba_s": t6 - t5,
                "predict_with_read_s": t6 - t4, "auc": float(roc_auc_score(yt, p))})
    print(json.dumps(out))


def xgb_data(a, impute=None):
    import xgboost as xgb
    t0 = now()
    df = pd.read_csv(a.train)
    t1 = now()
    prep = Prep().fit(df)
    x, y = prep.transform(df, impute=impute)
    x, y = holdout(a, x, y)
    dtrain = xgb.DMatrix(x, label=y, nthread=a.jobs)
    t2 = now()
    return prep, dtrain, t0, t1, t2, len(y)


def xgb_finish(a, prep, booster, out):
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    test = pd.read_csv(a.test)
    xt, yt = prep.transform(test)
    p = booster.predict(xgb.DMatrix(xt, nthread=a.jobs))
    out["auc"] = float(roc_auc_score(yt, p))
    print(json.dumps(out))


def cmd_xgb(a):
    import xgboost as xgb
    prep, dtrain, t0, t1, t2, n = xgb_data(a)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": a.max_depth,
              "eta": a.learning_rate, "nthread": a.jobs, "seed": a.seed}
    booster = xgb.train(params, dtrain, num_boost_round=a.n_estimators)
    t3 = now()
    xgb_finish(a, prep, booster, {"read_s": t1 - t0, "prep_s": t2 - t1, "fit_s": t3 - t2,
                                  "total_s": t3 - t0, "fit_rows": n})


def cmd_xgbrf(a):
    import xgboost as xgb
    prep, dtrain, t0, t1, t2, n = xgb_data(a)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": a.max_depth,
              "eta": 1.0, "nthread": a.jobs, "seed": a.seed, "num_parallel_tree": a.n_estimators,
              "subsample": a.subsample, "colsample_bynode": a.colsample_bynode,
              "min_child_weight": a.min_child_weight, "reg_lambda": a.reg_lambda}
    booster = xgb.train(params, dtrain, num_boost_round=1)
    t3 = now()
    xgb_finish(a, prep, booster, {"read_s": t1 - t0, "prep_s": t2 - t1, "fit_s": t3 - t2,
                                  "total_s": t3 - t0, "fit_rows": n})


def cmd_optuna(a):
    import optuna
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    t0 = now()
    train = pd.read_csv(a.train)
    valid = pd.read_csv(a.test)
    prep = Prep().fit(train)
    x, y = prep.transform(train)
    xv, yv = prep.transform(valid)
    dtrain = xgb.DMatrix(x, label=y, nthread=a.jobs)
    dvalid = xgb.DMatrix(xv, nthread=a.jobs)

    def objective(trial):
        params = {"objective": "binary:logistic", "tree_method": "hist", "nthread": a.jobs,
                  "seed": a.seed,
                  "max_depth": trial.suggest_int("max_depth", 2, 10),
                  "eta": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
                  "subsample": trial.suggest_float("subsample", 0.5, 1.0),
                  "min_child_weight": trial.suggest_float("min_child_weight", 1, 10, log=True)}
        booster = xgb.train(params, dtrain, num_boost_round=100)
        return roc_auc_score(yv, booster.predict(dvalid))

    t1 = now()
    results = []
    for seed in a.seeds:
        t2 = now()
        study = optuna.create_study(direction="maximize",
                                    sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective, n_trials=a.trials)
        results.append({"seed": seed, "best": study.best_value, "params": study.best_params,
                        "study_s": now() - t2})
    print(json.dumps({"read_prep_s": t1 - t0, "studies": results}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("rf", "xgb", "xgbrf", "optuna"):
        p = sub.add_parser(name)
        p.add_argument("--train", required=True)
        p.add_argument("--test", required=True)
        p.add_argument("--jobs", type=int, default=2)
        p.add_argument("--seed", type=int, default=42)
        p.add_argument("--n-estimators", type=int, default=100)
        p.add_argument("--max-depth", type=int, default=6)
        p.add_argument("--learning-rate", type=float, default=0.3)
        p.add_argument("--subsample", type=float, default=0.632)
        p.add_argument("--colsample-bynode", type=float, default=5 / 27)
        p.add_argument("--min-child-weight", type=float, default=1.0)
        p.add_argument("--reg-lambda", type=float, default=1e-5)
        p.add_argument("--holdout", type=float, default=0.2 if name != "optuna" else 0.0)
        p.add_argument("--trials", type=int, default=30)
        p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    a = ap.parse_args()
    {"rf": cmd_rf, "xgb": cmd_xgb, "xgbrf": cmd_xgbrf, "optuna": cmd_optuna}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
