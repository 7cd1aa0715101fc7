#!/usr/bin/env python3
"""Stage `evaluate`: score the model on the test rows.

    python3 pipeline/evaluate.py models/model.json data/features metrics.json plots/roc.csv

Writes METRICS_JSON (accuracy, precision, recall, f1 at params.yaml `evaluate.threshold`,
roc_auc, log_loss, test row count and churn rate) and ROC_CSV with the columns fpr,tpr: the
corners of the ROC curve from (0,0) to (1,1). Same input and params: byte-identical output.
"""
import csv
import json
import math
import os
import sys
from operator import mul

sys.dont_write_bytecode = True  # no __pycache__ beside the stage programs
import params  # noqa: E402  (pipeline/params.py)



def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def roc_points(scores, labels):
    """(fpr, tpr) after each distinct score, highest first, keeping only the corners."""
    pairs = sorted(zip(scores, labels), key=lambda t: -t[0])
    pos = sum(labels)
    neg = len(labels) - pos
    points = [(0, 0)]
    tp = fp = 0
    i = 0
    while i < len(pairs):
        score = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == score:
            if pairs[i][1]:
                tp += 1
            else:
                fp += 1
            i += 1
        points.append((fp, tp))
    corners = [points[0]]
    for k in range(1, len(points) - 1):
        (x0, y0), (x1, y1), (x2, y2) = corners[-1], points[k], points[k + 1]
        if (x1 - x0) * (y2 - y1) != (y1 - y0) * (x2 - x1):  # not on the line: a corner
            corners.append(points[k])
    if len(points) > 1:
        corners.append(points[-1])
    return [(fp / neg if neg else 0.0, tp / pos if pos else 0.0) for fp, tp in corners]


def roc_auc(scores, labels):
    """Mann-Whitney U with average ranks for ties."""
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2.0  # ranks i+1 .. j
        rank_sum += avg_rank * sum(label for _, label in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: evaluate.py MODEL_JSON FEATURES_DIR METRICS_JSON ROC_CSV")
    model_path, features_dir, metrics_path, roc_path = sys.argv[1:]
    threshold = float(params.load("evaluate")["threshold"])
    with open(model_path, encoding="utf-8") as f:
        model = json.load(f)
    w, b = model["weights"], model["bias"]

    with open(os.path.join(features_dir, "test.csv"), encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[:-1] != model["features"]:
            sys.exit("evaluate: test features do not match the model's features")
        scores, labels = [], []
        for row in reader:
            scores.append(sigmoid(b + sum(map(mul, w, map(float, row[:-1])))))
            labels.append(int(row[-1]))
    n = len(labels)
    if not n:
        sys.exit("evaluate: no test rows")

    tp = sum(1 for s, y in zip(scores, labels) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels) if s < threshold and y)
    tn = n - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    eps = 1e-15
    loss = -math.fsum(math.log(min(max(s, eps), 1 - eps)) if y
                      else math.log(min(max(1 - s, eps), 1 - eps))
                      for s, y in zip(scores, labels)) / n

    metrics = {
        "accuracy": round((tp + tn) / n, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "roc_auc": round(roc_auc(scores, labels), 4),
        "log_loss": round(loss, 4),
        "test_rows": n,
        "churn_rate": round(sum(labels) / n, 4),
    }
    for path in (metrics_path, roc_path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(metrics_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    os.replace(metrics_path + ".tmp", metrics_path)
    with open(roc_path + ".tmp", "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["fpr", "tpr"])
        out.writerows(("%.6f" % x, "%.6f" % y) for x, y in roc_points(scores, labels))
    os.replace(roc_path + ".tmp", roc_path)
    print("evaluate: " + ", ".join("%s %s" % kv for kv in metrics.items()))


if __name__ == "__main__":
    main()
