#!/usr/bin/python3
"""Reference values for src/train/{metrics,linear}_test.cc from scikit-learn.

Run with the system Python (sklearn 1.2.1): /usr/bin/python3 tests/train/sklearn_reference.py
The datasets are formulas of the row number, written identically in the tests,
so no data files are needed. Output is C++ initialiser text to paste.
"""
import warnings

import numpy as np
import sklearn
from sklearn import linear_model, metrics

warnings.simplefilter("ignore")


def arr(values):
    return "{" + ", ".join(repr(float(v)) for v in np.ravel(values)) + "}"


def show(name, value):
    print(f"  {name} = {arr(value) if np.ndim(value) else repr(float(value))}")


# --- metrics datasets (metrics_test.cc) ---
N = 30
idx = np.arange(N)
y_bin = ((idx * 7) % 11 < 5).astype(float)
p_bin = ((idx * 13) % 17) / 16.0  # ties, and exact 0 and 1 (log_loss clipping)
w = 1 + (idx % 4) * 0.5

K = 3
y_mc = ((idx * 5 + idx // 7) % 3).astype(float)
raw = np.array([[1 + (i * (c + 3) * 7) % 10 + (4 if c == y_mc[i] else 0) for c in range(K)]
                for i in range(N)], dtype=float)
p_mc = raw / raw.sum(axis=1, keepdims=True)

y_reg = 0.5 * idx - 3 + (idx * 7) % 5
pred_reg = 0.45 * idx - 2 + ((idx * 3) % 4) * 0.5


def binary(weights, threshold):
    pred = (p_bin >= threshold).astype(float)
    kw = dict(sample_weight=weights)
    return [metrics.accuracy_score(y_bin, pred, **kw),
            metrics.precision_score(y_bin, pred, zero_division=0, **kw),
            metrics.recall_score(y_bin, pred, zero_division=0, **kw),
            metrics.f1_score(y_bin, pred, zero_division=0, **kw),
            metrics.roc_auc_score(y_bin, p_bin, **kw),
            metrics.log_loss(y_bin, p_bin, **kw)]


def multiclass(weights):
    pred = p_mc.argmax(axis=1).astype(float)
    kw = dict(sample_weight=weights)
    return [metrics.accuracy_score(y_mc, pred, **kw),
            metrics.precision_score(y_mc, pred, average="macro", zero_division=0, **kw),
            metrics.recall_score(y_mc, pred, average="macro", zero_division=0, **kw),
            metrics.f1_score(y_mc, pred, average="macro", zero_division=0, **kw),
            metrics.roc_auc_score(y_mc, p_mc, multi_class="ovr", average="macro", **kw),
            metrics.log_loss(y_mc, p_mc, **kw)]


def regression(weights):
    kw = dict(sample_weight=weights)
    return [metrics.mean_absolute_error(y_reg, pred_reg, **kw),
            metrics.mean_squared_error(y_reg, pred_reg, squared=False, **kw),
            metrics.r2_score(y_reg, pred_reg, **kw)]


print(f"// sklearn {sklearn.__version__}, numpy {np.__version__}")
print("metrics:")
show("binary", binary(None, 0.5))
show("binary_weighted", binary(w, 0.5))
show("binary_threshold_0_3", binary(None, 0.3))
show("multiclass", multiclass(None))
show("multiclass_weighted", multiclass(w))
show("regression", regression(None))
show("regression_weighted", regression(w))
for name, kw in [("roc", {}), ("roc_weighted", {"sample_weight": w})]:
    fpr, tpr, thr = metrics.roc_curve(y_bin, p_bin, **kw)
    show(name + "_fpr", fpr)
    show(name + "_tpr", tpr)
    show(name + "_thresholds", thr)
print(f"  log_loss eps(auto) = {np.finfo(np.float64).eps!r}")

# --- linear model datasets (linear_test.cc) ---


def features(n):
    i = np.arange(n)
    return np.column_stack([(i % 7) - 3.0, ((i * 3) % 11) / 5.0, ((i * i) % 13) / 6.0 - 1.0])


def noise(n):
    i = np.arange(n)
    return ((i * 5) % 7 - 3) * 0.1


def sample_weights(n):
    return 1 + (np.arange(n) % 4) * 0.5


def ridge_data():
    X = features(25)
    y = X @ np.array([1.5, -2.0, 0.5]) + 3 + noise(25)
    return X, y


def binary_data():
    X = features(40)
    i = np.arange(40)
    score = X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + ((i * 7) % 9 - 4) * 0.4
    return X, (score > 0).astype(float)


def multinomial_data():
    X = features(45)
    i = np.arange(45)
    scores = np.column_stack([X[:, 0], X[:, 1] - 1, -X[:, 0] + X[:, 2]])
    scores[:, 0] += ((i * 7) % 5 - 2) * 0.6
    scores[:, 1] += ((i * 3) % 4 - 1.5) * 0.6
    return X, scores.argmax(axis=1).astype(float)


def logistic(X, y, C, weights):
    # sklearn's default tol (1e-4) stops lbfgs early; the references are
    # the optimum itself, so solve tightly, and cross-check two solvers.
    fits = [linear_model.LogisticRegression(C=C, solver=s, tol=1e-12, max_iter=100000)
            .fit(X, y, sample_weight=weights) for s in ("lbfgs", "newton-cg")]
    a, b = (np.r_[f.coef_.ravel(), f.intercept_] for f in fits)
    assert np.max(np.abs(a - b)) < 1e-4, (a, b)  # lbfgs stalls 1e-6..1e-5 away
    return fits[1]


print("linear:")
X, y = ridge_data()
for name, alpha, weights in [("ridge_alpha_1", 1.0, None), ("ridge_alpha_0", 0.0, None),
                             ("ridge_alpha_2_weighted", 2.0, sample_weights(25))]:
    m = linear_model.Ridge(alpha=alpha).fit(X, y, sample_weight=weights)
    show(name + "_coef", m.coef_)
    show(name + "_intercept", m.intercept_)
X, y = binary_data()
print(f"  binary classes: {np.bincount(y.astype(int))}")
for name, C, weights in [("logistic_c_1", 1.0, None), ("logistic_c_0_1", 0.1, None),
                         ("logistic_c_1_weighted", 1.0, sample_weights(40))]:
    m = logistic(X, y, C, weights)
    show(name + "_coef", m.coef_)
    show(name + "_intercept", m.intercept_)
    show(name + "_proba_row_0_and_1", m.predict_proba(X[:2]))
X, y = multinomial_data()
print(f"  multinomial classes: {np.bincount(y.astype(int))}")
for name, C, weights in [("multinomial_c_1", 1.0, None),
                         ("multinomial_c_0_5_weighted", 0.5, sample_weights(45))]:
    m = logistic(X, y, C, weights)
    show(name + "_coef", m.coef_)
    show(name + "_intercept", m.intercept_)
    show(name + "_proba_row_0_and_1", m.predict_proba(X[:2]))
