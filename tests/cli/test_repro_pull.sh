#!/usr/bin/env bash
# `repro --pull`: a fresh clone with an empty cache fetches the .dvc-tracked
# inputs and the pipeline outputs recorded in dvc.lock from the remote, and
# checks the outputs out instead of running the stages. Also: push/pull/ls
# treat stage outputs as tracked data.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ran_stages() { sed -n "s/^Running stage '\([^']*\)':.*/\1/p" "$OUT" | paste -sd' ' -; }

new_repo origin
origin=$PWD
mkdir -p "$T/remote" data
printf 'a,b\n1,2\n3,4\n' >data/raw.csv
expect_exit 0 lo add data/raw.csv
expect_exit 0 lo remote add -d storage "$T/remote"
cat >dvc.yaml <<'YAML'
stages:
  double:
    cmd: mkdir -p out && sed 's/$/,x/' data/raw.csv > out/doubled.csv && echo ran >> ../runs.log
    deps: [data/raw.csv]
    outs: [out]
  count:
    cmd: wc -l < out/doubled.csv > count.txt
    deps: [out]
    outs: [count.txt]
YAML
expect_exit 0 lo repro
assert_eq "double count" "$(ran_stages)" "first repro runs both stages"
expect_exit 0 lo ls
assert_match "$LAST_OUT" "^out +dir " "ls lists the stage's directory output"
assert_match "$LAST_OUT" "^count.txt +file " "ls lists the stage's file output"
expect_exit 0 lo push
assert_contains "$LAST_OUT" "pushed" "push sends the pipeline outputs too"
git add -A && git commit -qm pipeline

# A clone: git files only, empty cache, no data.
cd "$T"
git clone -q "$origin" clone
cd clone
check "the clone has no output yet" test ! -e out/doubled.csv
expect_exit 0 lo status
assert_contains "$LAST_OUT" "double:" "status in the clone lists the stage"
rm -f ../runs.log
expect_exit 0 lo repro --pull
assert_eq "" "$(ran_stages)" "repro --pull runs no stage"
assert_contains "$LAST_OUT" "checking out outputs" "outputs are checked out of the pulled cache"
check "the input was pulled" test -f data/raw.csv
assert_eq "$(sed 's/$/,x/' data/raw.csv)" "$(cat out/doubled.csv)" "the stage output is the recorded one"
check "the command never ran" test ! -e ../runs.log
expect_exit 0 lo status
assert_contains "$LAST_OUT" "Data and pipelines are up to date." "clone up to date after repro --pull"

# pull alone restores outputs by stage name or path.
rm -rf out count.txt
expect_exit 0 lo pull count
check "pull STAGE restores its output" test -f count.txt
check "pull STAGE leaves other stages' outputs" test ! -e out
expect_exit 0 lo checkout out
check "checkout OUTPUT restores a stage output" test -f out/doubled.csv
expect_exit 3 lo commit double
assert_contains "$LAST_ERR" "pipeline output" "commit refuses a stage (repro records it)"
finish
