#!/usr/bin/env bash
# metrics show|diff, params diff, plots show on a repository whose dvc.yaml
# declares metrics, params and plots: DVC's tables (tabulate's plain layout,
# numbers rounded to 5 digits), DVC's JSON shapes, revisions read from git
# (dvc.yaml included), the HTML page, and the one-line errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# py EXPR: a JSON text computed by python3 (floats as Python computes them).
py() { python3 -c "import json; print(json.dumps($1))"; }

new_repo repo
cat >dvc.yaml <<'EOF'
stages:
  train:
    cmd: python train.py
    params:
      - lr
      - train.epochs
      - config/model.toml:
          - depth
    metrics:
      - metrics.json:
          cache: false
    plots:
      - loss.csv:
          x: epoch
          y: loss
          cache: false
metrics:
  - eval/summary.yaml
plots:
  - Accuracy:
      x: epoch
      y:
        acc.json: [train, val]
      title: Accuracy per epoch
EOF
printf 'lr: 0.1\ntrain:\n  epochs: 10\n  layers: [64, 32]\nseed: 1\n' >params.yaml
mkdir -p config eval
printf 'depth = 4\nwidth = 8\n' >config/model.toml
printf '{"acc": 0.9, "loss": 0.3123456, "nested": {"f1": 0.8}, "hist": [1, 2]}\n' >metrics.json
printf 'auc: 0.75\n' >eval/summary.yaml
printf 'epoch,loss\n1,0.9\n2,0.5\n3,0.3\n' >loss.csv
printf '[{"epoch": 1, "train": 0.5, "val": 0.4}, {"epoch": 2, "train": 0.7, "val": 0.6}]\n' >acc.json
git add -A >/dev/null && git commit -qm v1 && git tag v1

# ---------------------------------------------------------------- metrics show
expect_exit 0 lo metrics show
assert_eq "Path               acc    auc    loss     nested.f1
metrics.json       0.9    -      0.31235  0.8
eval/summary.yaml  -      0.75   -        -" "$LAST_OUT" "metrics show: one row per file, rounded, lists dropped"
expect_exit 0 lo metrics show --json
assert_json_eq "$LAST_OUT" '{"workspace": {"data": {
  "metrics.json": {"data": {"acc": 0.9, "loss": 0.3123456, "nested": {"f1": 0.8}}},
  "eval/summary.yaml": {"data": {"auc": 0.75}}}}}' "metrics show --json: DVC's shape"

# ---------------------------------------------------------------- nothing changed
expect_exit 0 lo metrics diff
assert_eq "" "$LAST_OUT" "metrics diff of an unchanged workspace prints nothing"
expect_exit 0 lo params diff
assert_eq "" "$LAST_OUT" "params diff of an unchanged workspace prints nothing"
expect_exit 0 lo metrics diff --json
assert_json_eq "$LAST_OUT" '{}' "metrics diff --json of an unchanged workspace is {}"

# ---------------------------------------------------------------- workspace changes
printf '{"acc": 0.95, "loss": 0.2, "nested": {"f1": 0.8}}\n' >metrics.json
printf 'lr: 0.01\ntrain:\n  epochs: 10\n  layers: [64, 16]\nseed: 2\n' >params.yaml
printf 'depth = 6\nwidth = 16\n' >config/model.toml

expect_exit 0 lo metrics diff
assert_eq "Path          Metric    HEAD     workspace    Change
metrics.json  acc       0.9      0.95         0.05
metrics.json  loss      0.31235  0.2          -0.11235" "$LAST_OUT" "metrics diff table"
expect_exit 0 lo metrics diff --json
assert_json_eq "$LAST_OUT" "$(py '{"metrics.json": {
  "acc": {"old": 0.9, "new": 0.95, "diff": 0.95 - 0.9},
  "loss": {"old": 0.3123456, "new": 0.2, "diff": 0.2 - 0.3123456}}}')" "metrics diff --json: old, new, diff"
assert_contains "$LAST_OUT" '"diff": 0.04999999999999993' "metrics diff --json: floats as Python writes them"
expect_exit 0 lo metrics diff --all
assert_line "$LAST_OUT" "metrics.json       nested.f1  0.8      0.8          0.0" "metrics diff --all shows unchanged metrics"
assert_line "$LAST_OUT" "eval/summary.yaml  auc        0.75     0.75         0.0" "metrics diff --all covers top-level metrics"

expect_exit 0 lo params diff
assert_eq "Path               Param         HEAD      workspace
config/model.toml  depth         4         6
params.yaml        lr            0.1       0.01
params.yaml        seed          1         2
params.yaml        train.layers  [64, 32]  [64, 16]" "$LAST_OUT" "params diff: declared keys, all of params.yaml, lists as text"
assert_not_contains "$LAST_OUT" "width" "params diff: undeclared keys of other files are not shown"
expect_exit 0 lo params diff --json
assert_json_eq "$LAST_OUT" "$(py '{"config/model.toml": {"depth": {"old": 4, "new": 6, "diff": 2}},
  "params.yaml": {"lr": {"old": 0.1, "new": 0.01, "diff": 0.01 - 0.1},
                  "seed": {"old": 1, "new": 2, "diff": 1},
                  "train.layers": {"old": "[64, 32]", "new": "[64, 16]"}}}')" "params diff --json"
expect_exit 0 lo params diff --all
assert_line "$LAST_OUT" "params.yaml        train.epochs  10        10" "params diff --all shows unchanged params"

# ---------------------------------------------------------------- between revisions
git commit -qam v2
expect_exit 0 lo metrics diff
assert_eq "" "$LAST_OUT" "after commit: HEAD equals the workspace"
expect_exit 0 lo metrics diff v1 HEAD
assert_line "$LAST_OUT" "Path          Metric    v1       HEAD    Change" "metrics diff A B: revision names as headers"
assert_line "$LAST_OUT" "metrics.json  acc       0.9      0.95    0.05" "metrics diff A B: values read from git"
expect_exit 0 lo params diff HEAD~1
assert_line "$LAST_OUT" "params.yaml        lr            0.1       0.01" "params diff HEAD~1 vs workspace"

# A metrics file declared only in the workspace's dvc.yaml: dvc.yaml is read per revision.
sed -i 's|^  - eval/summary.yaml$|  - eval/summary.yaml\n  - extra.json|' dvc.yaml
printf '{"new_metric": 1}\n' >extra.json
expect_exit 0 lo metrics diff --json
assert_json_eq "$LAST_OUT" '{"extra.json": {"new_metric": {"old": null, "new": 1}}}' \
  "a metrics file new in the workspace: old is null"
git checkout -q dvc.yaml && rm extra.json

# Paths are relative to the current directory, as DVC shows them.
(cd eval && lo metrics show) >"$T/sub.out" 2>&1 && ok "metrics show from a subdirectory" || fail "metrics show from a subdirectory" "$(cat "$T/sub.out")"
assert_contains "$(cat "$T/sub.out")" "../metrics.json" "metrics show from eval/: ../metrics.json"
assert_match "$(cat "$T/sub.out")" "^summary.yaml +- +0.75 +- +-$" "metrics show from eval/: summary.yaml"

# metrics show -a: a Revision column, branches included; the workspace is
# left out when it equals the current branch, as DVC does.
git branch other v1
run git symbolic-ref --short HEAD
branch=$LAST_OUT
expect_exit 0 lo metrics show -a --json
assert_json_eq "$(printf '%s' "$LAST_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(sorted(d)))')" \
  "$(py "sorted(['$branch', 'other'])")" "metrics show -a: every branch, no workspace equal to HEAD"
printf '{"acc": 0.5}\n' >metrics.json
expect_exit 0 lo metrics show -a --json
assert_json_eq "$(printf '%s' "$LAST_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(sorted(d)))')" \
  "$(py "sorted(['$branch', 'other', 'workspace'])")" "metrics show -a: a changed workspace is shown"
git checkout -q metrics.json
expect_exit 0 lo metrics show -a
assert_match "$LAST_OUT" "^Revision +Path +acc" "metrics show -a: a Revision column"
assert_match "$LAST_OUT" "^other +metrics.json +0.9 " "metrics show -a: the other branch's values"
assert_match "$LAST_OUT" "^$branch +metrics.json +0.95 " "metrics show -a: the current branch's values"

# ---------------------------------------------------------------- plots show
expect_exit 0 lo plots show
assert_eq "file://$PWD/dvc_plots/index.html" "$LAST_OUT" "plots show prints the page's file URL"
assert_exists dvc_plots/index.html "plots show writes dvc_plots/index.html"
html=$(cat dvc_plots/index.html)
assert_contains "$html" "<svg" "the page has inline SVG charts"
assert_eq 2 "$(grep -o '<svg' dvc_plots/index.html | wc -l | tr -d ' ')" "one chart per plot (loss.csv, Accuracy)"
assert_contains "$html" "Accuracy per epoch" "the title prop is used"
assert_contains "$html" "<polyline" "linear plots are drawn as lines"
assert_not_contains "$html" "<script" "the page has no scripts"
assert_not_contains "$html" 'src="http' "the page loads nothing from the network"
expect_exit 0 lo plots show -o "$T/report"
assert_exists "$T/report/index.html" "plots show -o DIR writes DIR/index.html"
expect_exit 0 lo plots show --json
assert_json_eq "$(printf '%s' "$LAST_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k: [s["label"] for s in v["series"]] for k, v in d.items()}))')" \
  '{"loss.csv": ["loss"], "Accuracy": ["train", "val"]}' "plots show --json: the series of each plot"

# ---------------------------------------------------------------- errors
printf '{"acc": 0.9,\n  oops\n}\n' >metrics.json
expect_exit 3 lo metrics show
assert_contains "$LAST_ERR" "metrics.json:2:" "bad metrics file: the error names the file and line"
expect_exit 3 lo metrics diff
assert_contains "$LAST_ERR" "metrics.json" "bad metrics file in the workspace: metrics diff fails naming it"
git checkout -q metrics.json
printf 'lr: [1, 2\n' >params.yaml
expect_exit 3 lo params diff
assert_contains "$LAST_ERR" "params.yaml:" "bad params file: the error names it"
git checkout -q params.yaml
expect_exit 3 lo metrics diff no-such-rev
assert_contains "$LAST_ERR" "no-such-rev" "unknown revision: named in the error"
expect_exit 2 lo metrics diff --bogus
expect_exit 2 lo metrics

mkdir -p "$T/noscm" && cd "$T/noscm" && lo init --no-scm >/dev/null
printf 'metrics:\n  - m.json\n' >dvc.yaml
printf '{"a": 1}\n' >m.json
expect_exit 0 lo metrics show
assert_line "$LAST_OUT" "m.json  1" "metrics show works without git"
expect_exit 3 lo metrics diff
assert_contains "$LAST_ERR" "git" "metrics diff without git: the error says git is needed"

finish
