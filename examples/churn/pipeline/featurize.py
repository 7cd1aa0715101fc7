#!/usr/bin/env python3
"""Stage `featurize`: turn the prepared rows into numeric feature tables.

    python3 pipeline/featurize.py data/prepared data/features

Writes OUTPUT_DIR/train.csv and OUTPUT_DIR/test.csv (feature columns, then `churned`) and
OUTPUT_DIR/scaler.json (the feature names and the train mean/std of each numeric column).

Features: tenure_months, monthly_charges, total_charges, support_calls, age, days_inactive
(days from last_active_date to 2025-01-01), paperless_billing, and one-hot columns for plan,
region and contract. With params.yaml `featurize.scale: true` the six numeric columns are
standardised with the mean and standard deviation of the *train* rows (test rows use the same
statistics). Same input and params: byte-identical output.
"""
import csv
import datetime
import json
import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the stage programs
import params  # noqa: E402  (pipeline/params.py)

REFERENCE_DATE = datetime.date(2025, 1, 1)
NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_calls", "age",
           "days_inactive"]
CATEGORIES = [
    ("plan", ["basic", "standard", "premium", "enterprise"]),
    ("region", ["north", "south", "east", "west", "central"]),
    ("contract", ["month-to-month", "one-year", "two-year"]),
]
FEATURES = (NUMERIC + ["paperless_billing"]
            + ["%s=%s" % (col, v) for col, values in CATEGORIES for v in values])



def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def numeric_values(r):
    inactive = (REFERENCE_DATE - datetime.date.fromisoformat(r["last_active_date"])).days
    return [float(r["tenure_months"]), float(r["monthly_charges"]), float(r["total_charges"]),
            float(r["support_calls"]), float(r["age"]), float(inactive)]


def fmt(v):
    s = "%.6f" % v
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def write_features(path, rows, mean, std):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FEATURES + ["churned"])
        for r in rows:
            nums = [(x - m) / s for x, m, s in zip(numeric_values(r), mean, std)]
            onehot = [1 if r[col] == v else 0 for col, values in CATEGORIES for v in values]
            w.writerow([fmt(x) for x in nums] + [r["paperless_billing"]] + onehot
                       + [r["churned"]])
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: featurize.py PREPARED_DIR OUTPUT_DIR")
    in_dir, out_dir = sys.argv[1], sys.argv[2]
    scale = bool(params.load("featurize")["scale"])
    train = read_rows(os.path.join(in_dir, "train.csv"))
    test = read_rows(os.path.join(in_dir, "test.csv"))
    if not train:
        sys.exit("featurize: no training rows")

    mean, std = [0.0] * len(NUMERIC), [1.0] * len(NUMERIC)
    if scale:
        cols = list(zip(*(numeric_values(r) for r in train)))
        mean = [math.fsum(c) / len(c) for c in cols]
        std = [math.sqrt(math.fsum((x - m) ** 2 for x in c) / len(c)) or 1.0
               for c, m in zip(cols, mean)]

    os.makedirs(out_dir, exist_ok=True)
    write_features(os.path.join(out_dir, "train.csv"), train, mean, std)
    write_features(os.path.join(out_dir, "test.csv"), test, mean, std)
    scaler = {"features": FEATURES, "numeric": NUMERIC, "scaled": scale,
              "mean": mean, "std": std, "reference_date": REFERENCE_DATE.isoformat()}
    with open(os.path.join(out_dir, "scaler.json"), "w", encoding="utf-8") as f:
        json.dump(scaler, f, indent=2)
        f.write("\n")
    print("featurize: %d features, %d train rows, %d test rows, scale=%s"
          % (len(FEATURES), len(train), len(test), str(scale).lower()))


if __name__ == "__main__":
    main()
