#!/usr/bin/env python3
"""Stage `train`: logistic regression by mini-batch gradient descent, in pure Python.

    python3 pipeline/train.py data/features models/model.json

Reads FEATURES_DIR/train.csv (feature columns, then `churned`) and params.yaml section `train`:
    learning_rate  step size
    epochs         passes over the training rows
    batch_size     rows per gradient step
    l2             L2 penalty on the weights (not the bias)
    seed           seed of the per-epoch shuffle

Minimises mean log loss + l2/2 * |w|^2, starting from zero weights. Prints the training loss
after every epoch (about 10 lines for any number of epochs) and writes the model (feature
names, weights, bias, params, loss per epoch) as JSON. Same input and params: byte-identical
output.
"""
import csv
import json
import math
import os
import random
import sys
from operator import mul

sys.dont_write_bytecode = True  # no __pycache__ beside the stage programs
import params  # noqa: E402  (pipeline/params.py)



def read_features(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[-1] != "churned":
            sys.exit("train: %s: last column must be 'churned'" % path)
        xs, ys = [], []
        for row in reader:
            xs.append([float(v) for v in row[:-1]])
            ys.append(float(row[-1]))
    return header[:-1], xs, ys


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def log_loss(w, b, xs, ys, l2):
    eps = 1e-15
    total = 0.0
    for x, y in zip(xs, ys):
        p = min(max(sigmoid(b + sum(map(mul, w, x))), eps), 1.0 - eps)
        total += -math.log(p) if y else -math.log(1.0 - p)
    return total / len(xs) + 0.5 * l2 * sum(wj * wj for wj in w)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: train.py FEATURES_DIR MODEL_JSON")
    features_dir, model_path = sys.argv[1], sys.argv[2]
    p = params.load("train")
    lr, epochs, batch_size = float(p["learning_rate"]), int(p["epochs"]), int(p["batch_size"])
    l2, seed = float(p["l2"]), int(p["seed"])
    if lr <= 0 or epochs < 1 or batch_size < 1 or l2 < 0:
        sys.exit("train: params.yaml: need learning_rate > 0, epochs >= 1, batch_size >= 1, l2 >= 0")

    names, xs, ys = read_features(os.path.join(features_dir, "train.csv"))
    if not xs:
        sys.exit("train: no training rows")
    n, d = len(xs), len(names)
    w, b = [0.0] * d, 0.0
    rng = random.Random(seed)
    order = list(range(n))
    history = []
    print("train: %d rows, %d features; initial loss %.6f" % (n, d, log_loss(w, b, xs, ys, l2)))
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            g, gb = [0.0] * d, 0.0
            for i in batch:
                x = xs[i]
                err = sigmoid(b + sum(map(mul, w, x))) - ys[i]
                gb += err
                g = [gj + err * xj for gj, xj in zip(g, x)]
            step = lr / len(batch)
            decay = 1.0 - lr * l2
            w = [wj * decay - step * gj for wj, gj in zip(w, g)]
            b -= step * gb
        loss = log_loss(w, b, xs, ys, l2)
        history.append(round(loss, 6))
        if epoch % max(1, epochs // 10) == 0 or epoch == epochs:  # about 10 lines
            print("train: epoch %d/%d loss %.6f" % (epoch, epochs, loss))

    model = {
        "type": "logistic_regression",
        "features": names,
        "weights": w,
        "bias": b,
        "params": {"learning_rate": lr, "epochs": epochs, "batch_size": batch_size, "l2": l2,
                   "seed": seed},
        "train_loss": history,
    }
    os.makedirs(os.path.dirname(model_path) or ".", exist_ok=True)
    tmp = model_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
    os.replace(tmp, model_path)


if __name__ == "__main__":
    main()
