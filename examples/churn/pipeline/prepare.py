#!/usr/bin/env python3
"""Stage `prepare`: clean the raw churn CSV and split it into train and test.

    python3 pipeline/prepare.py data/churn.csv data/prepared

Reads params.yaml (section `prepare`) from the working directory:
    split     fraction of the rows that go to test.csv (0 < split < 1)
    seed      seed of the sample and the split
    max_rows  keep a seeded random sample of at most this many clean rows (0: all)

Drops rows that cannot be used: wrong field count, empty or unparsable numbers, bad dates, last
activity before signup, unknown categories, a label other than 0/1. Kept rows are written as
they were read, in input order within each file. Same input and params: byte-identical output.
"""
import csv
import datetime
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the stage programs
import params  # noqa: E402  (pipeline/params.py)

HEADER = [
    "customer_id", "signup_date", "last_active_date", "plan", "region", "tenure_months",
    "monthly_charges", "total_charges", "support_calls", "age", "contract",
    "paperless_billing", "churned",
]
PLANS = {"basic", "standard", "premium", "enterprise"}
REGIONS = {"north", "south", "east", "west", "central"}
CONTRACTS = {"month-to-month", "one-year", "two-year"}



def is_good(row):
    if len(row) != len(HEADER):
        return False
    (_, signup, last_active, plan, region, tenure, monthly, total, calls, age, contract,
     paperless, churned) = row
    try:
        if datetime.date.fromisoformat(last_active) < datetime.date.fromisoformat(signup):
            return False
        if int(tenure) < 0 or int(calls) < 0 or not 0 < int(age) < 130:
            return False
        if not float(monthly) > 0 or not float(total) >= 0:
            return False
    except ValueError:  # empty cell, not a number, not a date
        return False
    return (plan in PLANS and region in REGIONS and contract in CONTRACTS
            and paperless in ("0", "1") and churned in ("0", "1"))


def write_csv(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: prepare.py INPUT_CSV OUTPUT_DIR")
    src, out_dir = sys.argv[1], sys.argv[2]
    p = params.load("prepare")
    split, seed, max_rows = float(p["split"]), int(p["seed"]), int(p.get("max_rows", 0))
    if not 0 < split < 1:
        sys.exit("prepare: params.yaml prepare.split must be between 0 and 1")

    with open(src, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != HEADER:
            sys.exit("prepare: %s: unexpected header %r" % (src, header))
        total = 0
        rows = []
        for row in reader:
            total += 1
            if is_good(row):
                rows.append(row)
    dropped = total - len(rows)

    rng = random.Random(seed)
    if 0 < max_rows < len(rows):
        keep = sorted(rng.sample(range(len(rows)), max_rows))
        rows = [rows[i] for i in keep]
    order = list(range(len(rows)))
    rng.shuffle(order)
    n_test = int(round(len(rows) * split))
    test_idx = set(order[:n_test])
    train = [r for i, r in enumerate(rows) if i not in test_idx]
    test = [r for i, r in enumerate(rows) if i in test_idx]

    os.makedirs(out_dir, exist_ok=True)
    write_csv(os.path.join(out_dir, "train.csv"), train)
    write_csv(os.path.join(out_dir, "test.csv"), test)
    print("prepare: %d rows read, %d dropped, %d used: %d train, %d test"
          % (total, dropped, len(rows), len(train), len(test)))


if __name__ == "__main__":
    main()
