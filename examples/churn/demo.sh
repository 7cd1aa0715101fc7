#!/usr/bin/env bash
# End-to-end demo: version the churn data with leanops, push it to a local
# remote, lose the cache and the data, pull it back and check every byte.
#
#   bash examples/churn/demo.sh [ROWS]        (default 200000 rows)
#
# Uses build/leanops and build/churn-gen; works in a fresh temp directory.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
LEANOPS=${LEANOPS_BIN:-$repo_root/build/leanops}
CHURN_GEN=${CHURN_GEN:-$repo_root/build/churn-gen}
rows=${1:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/leanops-churn-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cd "$work"
mkdir project remote
cd project
git init -q
git config user.email demo@example.com
git config user.name demo

step "Create a repository (same files as 'dvc init')"
run "$LEANOPS" init

step "Generate the churn data: a training snapshot and a drifted production batch"
mkdir -p data/production
run "$CHURN_GEN" --rows "$rows" --seed 7 --out data/churn.csv
run "$CHURN_GEN" --rows $((rows / 4)) --seed 8 --drift --out data/production/batch-001.csv
run "$CHURN_GEN" --rows $((rows / 4)) --seed 9 --drift --out data/production/batch-002.csv
head -3 data/churn.csv

step "Track a file and a directory"
run "$LEANOPS" add data/churn.csv data/production
cat data/churn.csv.dvc
run git add data/churn.csv.dvc data/production.dvc data/.gitignore .dvc/config .dvc/.gitignore .dvcignore
run git commit -qm "Track churn data with leanops"

step "Status: nothing changed"
run "$LEANOPS" status

step "Push to a local remote"
run "$LEANOPS" remote add -d storage "$work/remote"
run "$LEANOPS" push
run "$LEANOPS" status --cloud

step "Lose the cache and the data"
sums_before=$(md5sum data/churn.csv data/production/*.csv)
run rm -rf .dvc/cache data/churn.csv data/production
run "$LEANOPS" status

step "Pull them back"
run "$LEANOPS" pull
sums_after=$(md5sum data/churn.csv data/production/*.csv)
if [ "$sums_before" != "$sums_after" ]; then
  echo "demo: FAILED: pulled data differs from the original" >&2
  exit 1
fi
printf '%s\n' "$sums_after"
run "$LEANOPS" status
run "$LEANOPS" ls

step "Demo finished: the churn data round-tripped byte-identical"
