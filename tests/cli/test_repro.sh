#!/usr/bin/env bash
# `leanops repro` with real shell commands as stages: run order, dvc.lock content (hashes
# recomputed here with md5sum/python3), what re-runs after a dep, param or cmd change, the
# flags (-f, -s, --downstream, --dry, -j, -k, --no-run-cache), failures, persist, frozen,
# always_changed, the run cache, foreach/matrix, ${} interpolation, wdir, .gitignore, dvc.yaml
# errors (cycle, duplicate out, unknown key, missing dep) and Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# lib.sh's assert_line/assert_no_line/assert_match pipe printf into `grep -q`: when grep
# exits on a match before printf has written everything, printf dies of SIGPIPE and, under
# pipefail, the check flips. Same checks, reading from a here-string instead.
assert_line() {
  if grep -qxF -- "$2" <<<"$1"; then ok "$3"; else
    fail "$3" "expected a line: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"; fi
}
assert_no_line() {
  if grep -qxF -- "$2" <<<"$1"; then
    fail "$3" "unexpected line: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"; else ok "$3"; fi
}
assert_match() {
  if grep -qE -- "$2" <<<"$1"; then ok "$3"; else
    fail "$3" "expected a line matching: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"; fi
}

command -v python3 >/dev/null || skip_all "python3 not found"

# ran_stages: the stages the last command ran ("Running stage 'x':" lines), space-separated.
ran_stages() {
  cat "$OUT" "$ERR" | sed -n "s/^Running stage '\([^']*\)':.*/\1/p" | paste -sd' ' -
}
# sorted_ran: the same, sorted (for stages whose relative order is free).
sorted_ran() { ran_stages | tr ' ' '\n' | LC_ALL=C sort | paste -sd' ' -; }

# lock_entry STAGE: the lines of STAGE's entry in ./dvc.lock, without its key line (empty
# when absent).
lock_entry() {
  python3 - "$1" <<'EOF'
import re, sys
want, name, out = sys.argv[1], None, []
try:
    lines = open("dvc.lock", encoding="utf-8").readlines()
except OSError:
    lines = []
for line in lines:
    m = re.match(r"^  ([^ #][^:]*):\s*$", line)
    if m or not line.startswith(" "):
        name = m.group(1) if m else None
        continue
    if name == want:
        out.append(line)
sys.stdout.write("".join(out))
EOF
}

# lock_stages: the stage names in ./dvc.lock, in file order.
lock_stages() { sed -n 's/^  \([^ #][^:]*\):\s*$/\1/p' dvc.lock 2>/dev/null | paste -sd' ' -; }

# snap SRC DST: copy SRC to DST; DST is removed when SRC is missing (never aborts).
snap() { cp "$1" "$2" 2>/dev/null || rm -f "$2"; }

# float_lt A B: A < B as numbers.
float_lt() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$1" "$2"; }
float_le() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$1" "$2"; }

# ================================================================ order and dvc.lock content
new_repo basic
printf 'alpha\nbeta\n' >data.txt
cat >params.yaml <<'EOF'
prep:
  scale: 2
  name: first
EOF
# `build` is defined first but depends on `prepare`: the order comes from the graph.
cat >dvc.yaml <<'EOF'
stages:
  build:
    cmd: mkdir -p built && cp prepared.txt built/a.txt && echo b > built/b.txt
    deps:
    - prepared.txt
    outs:
    - built
  prepare:
    cmd: cp data.txt prepared.txt
    deps:
    - data.txt
    params:
    - prep.scale
    outs:
    - prepared.txt
EOF
git add -A && git commit -qm pipeline

expect_exit 0 lo repro
assert_eq "prepare build" "$(ran_stages)" "repro runs stages in dependency order (prepare before build)"
assert_line "$LAST_OUT" "> cp data.txt prepared.txt" "repro prints the command it runs"
assert_line "$LAST_OUT" "Updating lock file 'dvc.lock'" "repro says it updates dvc.lock"
assert_eq "Use \`leanops push\` to send your updates to remote storage." "$(tail -n1 "$OUT")" \
  "repro that ran something ends with the push hint"
assert_same_file data.txt prepared.txt "prepare's output written"
assert_same_file data.txt built/a.txt "build's output written"
dmd5=$(md5_of data.txt)
dsize=$(stat -c %s data.txt)
boid=$(dir_oid built)
bsize=$(dir_size built 2>/dev/null || true)
assert_file_eq dvc.lock "schema: '2.0'
stages:
  prepare:
    cmd: cp data.txt prepared.txt
    deps:
    - path: data.txt
      hash: md5
      md5: $dmd5
      size: $dsize
    params:
      params.yaml:
        prep.scale: 2
    outs:
    - path: prepared.txt
      hash: md5
      md5: $dmd5
      size: $dsize
  build:
    cmd: mkdir -p built && cp prepared.txt built/a.txt && echo b > built/b.txt
    deps:
    - path: prepared.txt
      hash: md5
      md5: $dmd5
      size: $dsize
    outs:
    - path: built
      hash: md5
      md5: $boid
      size: $bsize
      nfiles: 2
" "dvc.lock byte-exact (schema 2.0, md5/size, .dir md5 + nfiles, params values)"
assert_exists "$(cache_obj "$dmd5")" "cached output prepared.txt is in the cache"
assert_exists "$(cache_obj "$boid")" "directory output's manifest is in the cache"
assert_file_eq "$(cache_obj "$boid")" "$(dir_manifest built)" "directory manifest bytes as DVC writes them"
assert_exists "$(cache_obj "$(md5_of built/b.txt)")" "a file inside the directory output is cached"
check_odb .dvc/cache "cache objects match their names after repro"
assert_file_eq .gitignore $'/prepared.txt\n/built\n' "cached outputs are added to .gitignore"
check "git ignores prepared.txt" git check-ignore -q prepared.txt
check "git ignores built/" git check-ignore -q built
st=$(git status --porcelain --untracked-files=all)
assert_contains "$st" "dvc.lock" "git sees dvc.lock"
assert_no_line "$st" "?? prepared.txt" "git does not see prepared.txt"

# second repro: nothing runs, nothing is rewritten
snap dvc.lock "$T/basic.lock"
m1=$(mtime_ns prepared.txt || true)
m2=$(mtime_ns built/a.txt || true)
m3=$(mtime_ns dvc.lock || true)
sleep 0.05
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "second repro runs nothing"
assert_line "$LAST_OUT" "Stage 'prepare' didn't change, skipping" "second repro: prepare didn't change"
assert_line "$LAST_OUT" "Stage 'build' didn't change, skipping" "second repro: build didn't change"
assert_eq "Data and pipelines are up to date." "$(tail -n1 "$OUT")" "second repro: up to date"
assert_not_contains "$LAST_OUT" "Updating lock file" "second repro does not update dvc.lock"
assert_same_file "$T/basic.lock" dvc.lock "dvc.lock byte-identical after a no-op repro"
assert_eq "$m1 $m2 $m3" "$(mtime_ns prepared.txt) $(mtime_ns built/a.txt) $(mtime_ns dvc.lock)" \
  "no-op repro leaves outputs' and dvc.lock's mtimes unchanged"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after repro"

# an unrelated params.yaml key changes: nothing runs
sed -i 's/name: first/name: second/' params.yaml
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "change of an untracked params.yaml key runs nothing"
assert_same_file "$T/basic.lock" dvc.lock "dvc.lock unchanged after an untracked key changed"

# the tracked param changes: prepare re-runs; its output is the same, so build does not
sed -i 's/scale: 2/scale: 3/' params.yaml
expect_exit 0 lo repro
assert_eq "prepare" "$(ran_stages)" "tracked param change re-runs the stage (same output: downstream skipped)"
assert_line "$(cat dvc.lock)" "        prep.scale: 3" "dvc.lock records the new param value"
assert_line "$LAST_OUT" "Stage 'build' didn't change, skipping" "downstream stage with unchanged input skipped"

# ================================================================ what re-runs after a change
new_repo chain
printf 'in 1\n' >in.txt
printf 'extra 1\n' >b_extra.txt
printf 'd 1\n' >d_in.txt
cat >dvc.yaml <<'EOF'
stages:
  a:
    cmd: cp in.txt a.txt
    deps:
    - in.txt
    outs:
    - a.txt
  b:
    cmd: cat a.txt b_extra.txt > b.txt
    deps:
    - a.txt
    - b_extra.txt
    outs:
    - b.txt
  c:
    cmd: cat b.txt > c.txt
    deps:
    - b.txt
    outs:
    - c.txt
  d:
    cmd: cp d_in.txt d.txt
    deps:
    - d_in.txt
    outs:
    - d.txt
EOF
expect_exit 0 lo repro
assert_eq "a b c d" "$(ran_stages)" "chain: first repro runs a b c d"
assert_eq "a b c d" "$(lock_stages)" "chain: dvc.lock holds the 4 stages"
assert_file_eq c.txt $'in 1\nextra 1\n' "chain: c.txt content"

printf 'in 2\n' >in.txt
expect_exit 0 lo repro
assert_eq "a b c" "$(ran_stages)" "dep of a changed: a, b, c re-run (not d)"
assert_line "$LAST_OUT" "Stage 'd' didn't change, skipping" "independent stage d skipped"
assert_file_eq c.txt $'in 2\nextra 1\n' "c.txt follows the new input"
assert_line "$(lock_entry a)" "      md5: $(md5_of in.txt)" "dvc.lock: new md5 of in.txt"

printf 'extra 2\n' >b_extra.txt
expect_exit 0 lo repro
assert_eq "b c" "$(ran_stages)" "dep of b changed: b and c re-run"

printf 'd 2\n' >d_in.txt
expect_exit 0 lo repro
assert_eq "d" "$(ran_stages)" "dep of d changed: only d re-runs"

# cmd change
sed -i 's/cmd: cat b.txt > c.txt/cmd: cat b.txt b.txt > c.txt/' dvc.yaml
expect_exit 0 lo repro
assert_eq "c" "$(ran_stages)" "cmd change re-runs only that stage"
assert_line "$(lock_entry c)" "    cmd: cat b.txt b.txt > c.txt" "dvc.lock records the new cmd"
assert_file_eq c.txt $'in 2\nextra 2\nin 2\nextra 2\n' "new cmd's output"

# --force
snap dvc.lock "$T/chain.lock"
expect_exit 0 lo repro --force
assert_eq "a b c d" "$(ran_stages)" "repro --force runs every stage"
assert_same_file "$T/chain.lock" dvc.lock "forced re-run of deterministic commands: dvc.lock identical"
expect_exit 0 lo repro -f c
assert_eq "a b c" "$(ran_stages)" "repro -f c runs c and its upstream stages"
expect_exit 0 lo repro -f -s c
assert_eq "c" "$(ran_stages)" "repro -f -s c runs only c"

# -s / --single-item: only the target, upstream not examined
printf 'in 3\n' >in.txt
expect_exit 0 lo repro -s c
assert_eq "" "$(ran_stages)" "repro -s c with a changed upstream dep: c's own inputs unchanged, nothing runs"
assert_not_contains "$LAST_OUT" "Stage 'a'" "repro -s c does not look at a"
expect_exit 0 lo repro --single-item a
assert_eq "a" "$(ran_stages)" "repro -s a runs a only"
assert_file_eq c.txt $'in 2\nextra 2\nin 2\nextra 2\n' "repro -s a: c.txt not rebuilt"
expect_exit 0 lo repro c
assert_eq "b c" "$(ran_stages)" "repro c then brings b and c up to date"

# --downstream
printf 'extra 3\n' >b_extra.txt
printf 'd 3\n' >d_in.txt
expect_exit 0 lo repro --downstream b
assert_eq "b c" "$(ran_stages)" "repro --downstream b runs b and c, not a or d"
assert_not_contains "$LAST_OUT" "Stage 'd'" "--downstream b does not look at d"
expect_exit 0 lo repro
assert_eq "d" "$(ran_stages)" "d still pending after --downstream b"

# --dry: reports, changes nothing
printf 'in 4\n' >in.txt
snap dvc.lock "$T/chain.lock"
snap c.txt "$T/c.before"
ma=$(mtime_ns a.txt || true)
expect_exit 0 lo repro --dry
assert_eq "" "$(ran_stages)" "--dry runs nothing"
assert_match "$LAST_OUT" "^Would run stage 'a' \(.*in.txt.*\)$" "--dry: a would run, naming the changed dep"
assert_match "$LAST_OUT" "^Would run stage 'b' " "--dry: b would run (upstream would run)"
assert_match "$LAST_OUT" "^Would run stage 'c' " "--dry: c would run"
assert_line "$LAST_OUT" "Stage 'd' didn't change, skipping" "--dry: d didn't change"
assert_same_file "$T/chain.lock" dvc.lock "--dry leaves dvc.lock unchanged"
assert_same_file "$T/c.before" c.txt "--dry leaves outputs unchanged"
assert_eq "$ma" "$(mtime_ns a.txt)" "--dry does not touch a.txt"
expect_exit 0 lo repro
assert_eq "a b c" "$(ran_stages)" "after --dry, repro runs what --dry announced"

# ================================================================ params files: yaml, other yaml, JSON, TOML
new_repo params
cat >params.yaml <<'EOF'
train:
  lr: 0.1
  epochs: 10
EOF
cat >other.yaml <<'EOF'
k: one
unused: 1
EOF
cat >cfg.json <<'EOF'
{"j": {"v": 5, "w": "x"}}
EOF
cat >cfg.toml <<'EOF'
[t]
w = 7
z = "q"
EOF
cat >dvc.yaml <<'EOF'
stages:
  p_lr:
    cmd: echo lr > p_lr.txt
    params:
    - train.lr
    outs:
    - p_lr.txt
  p_epochs:
    cmd: echo epochs > p_epochs.txt
    params:
    - train.epochs
    outs:
    - p_epochs.txt
  p_other:
    cmd: echo other > p_other.txt
    params:
    - other.yaml:
      - k
    outs:
    - p_other.txt
  p_json:
    cmd: echo json > p_json.txt
    params:
    - cfg.json:
      - j.v
    outs:
    - p_json.txt
  p_toml:
    cmd: echo toml > p_toml.txt
    params:
    - cfg.toml:
      - t.w
    outs:
    - p_toml.txt
EOF
expect_exit 0 lo repro
assert_eq "p_lr p_epochs p_other p_json p_toml" "$(ran_stages)" "params: first repro runs the 5 stages"
assert_eq "    cmd: echo other > p_other.txt
    params:
      other.yaml:
        k: one
    outs:
    - path: p_other.txt
      hash: md5
      md5: $(md5_str $'other\n')
      size: 6" "$(lock_entry p_other)" "dvc.lock entry with a param from another YAML file"
assert_contains "$(lock_entry p_json)" $'    params:\n      cfg.json:\n        j.v: 5\n' "dvc.lock records a JSON param"
assert_contains "$(lock_entry p_toml)" $'    params:\n      cfg.toml:\n        t.w: 7\n' "dvc.lock records a TOML param"
assert_contains "$(lock_entry p_lr)" $'      params.yaml:\n        train.lr: 0.1\n' "dvc.lock records train.lr"

sed -i 's/lr: 0.1/lr: 0.2/' params.yaml
expect_exit 0 lo repro
assert_eq "p_lr" "$(ran_stages)" "params.yaml train.lr changed: only the stage using it runs"
assert_contains "$(lock_entry p_lr)" "train.lr: 0.2" "dvc.lock has the new train.lr"
sed -i 's/epochs: 10/epochs: 11/' params.yaml
expect_exit 0 lo repro
assert_eq "p_epochs" "$(ran_stages)" "params.yaml train.epochs changed: only its stage runs"
sed -i 's/unused: 1/unused: 2/' other.yaml
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "untracked key of other.yaml changed: nothing runs"
sed -i 's/k: one/k: two/' other.yaml
expect_exit 0 lo repro
assert_eq "p_other" "$(ran_stages)" "other.yaml k changed: only its stage runs"
printf '{"j": {"v": 5, "w": "y"}}\n' >cfg.json
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "untracked JSON key changed: nothing runs"
printf '{"j": {"v": 6, "w": "y"}}\n' >cfg.json
expect_exit 0 lo repro
assert_eq "p_json" "$(ran_stages)" "JSON param j.v changed: only its stage runs"
assert_contains "$(lock_entry p_json)" "j.v: 6" "dvc.lock has the new JSON value"
sed -i 's/z = "q"/z = "r"/' cfg.toml
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "untracked TOML key changed: nothing runs"
sed -i 's/w = 7/w = 8/' cfg.toml
expect_exit 0 lo repro
assert_eq "p_toml" "$(ran_stages)" "TOML param t.w changed: only its stage runs"
assert_contains "$(lock_entry p_toml)" "t.w: 8" "dvc.lock has the new TOML value"
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "params: nothing left to run"

# ================================================================ -j: independent stages run at once
new_repo jobs
cat >dvc.yaml <<EOF
stages:
  s1:
    cmd: date +%s.%N > $T/s1.start && sleep 1 && date +%s.%N > $T/s1.end && echo 1 > s1.txt
    outs:
    - s1.txt
  s2:
    cmd: date +%s.%N > $T/s2.start && sleep 1 && date +%s.%N > $T/s2.end && echo 2 > s2.txt
    outs:
    - s2.txt
EOF
expect_exit 0 lo repro
if float_le "$(cat "$T/s1.end")" "$(cat "$T/s2.start")" || float_le "$(cat "$T/s2.end")" "$(cat "$T/s1.start")"; then
  ok "without -j the two stages run one after the other"
else
  fail "without -j the two stages run one after the other" "s1 $(cat "$T/s1.start")..$(cat "$T/s1.end") s2 $(cat "$T/s2.start")..$(cat "$T/s2.end")"
fi
rm -f "$T"/s[12].start "$T"/s[12].end
expect_exit 0 lo repro -j 2 -f
assert_eq "s1 s2" "$(sorted_ran)" "-j 2 -f runs both stages"
if float_lt "$(cat "$T/s1.start")" "$(cat "$T/s2.end")" && float_lt "$(cat "$T/s2.start")" "$(cat "$T/s1.end")"; then
  ok "-j 2: the two 'sleep 1' stages overlap in time (timestamps from the commands)"
else
  fail "-j 2: the two 'sleep 1' stages overlap in time" "s1 $(cat "$T/s1.start")..$(cat "$T/s1.end") s2 $(cat "$T/s2.start")..$(cat "$T/s2.end")"
fi
assert_eq "s1 s2" "$(lock_stages | tr ' ' '\n' | LC_ALL=C sort | paste -sd' ' -)" "-j 2: both lock entries written"

# ================================================================ failures, -k
new_repo fail
printf 'ok\n' >mode.txt
printf 'p1\n' >pre_in.txt
cat >dvc.yaml <<'EOF'
stages:
  pre:
    cmd: cp pre_in.txt pre.txt
    deps:
    - pre_in.txt
    outs:
    - pre.txt
  mid:
    cmd: test "$(cat mode.txt)" = ok && cp pre.txt mid.txt
    deps:
    - pre.txt
    - mode.txt
    outs:
    - mid.txt
  post:
    cmd: cp mid.txt post.txt
    deps:
    - mid.txt
    outs:
    - post.txt
EOF
expect_exit 0 lo repro
assert_eq "pre mid post" "$(ran_stages)" "fail repo: first repro runs all"
snap dvc.lock "$T/fail.lock"
lock_mid=$(lock_entry mid)
lock_post=$(lock_entry post)
printf 'p2\n' >pre_in.txt
printf 'fail\n' >mode.txt
run lo repro
assert_eq 1 "$LAST_RC" "a failing stage makes repro exit 1"
assert_eq "pre mid" "$(ran_stages)" "stages before the failure ran, the dependent did not"
assert_match "$(tail -n1 "$ERR")" "^leanops: error: .*'mid'" "last stderr line is 'leanops: error:' naming the failed stage"
assert_eq 1 "$(grep -c '^leanops: error: ' "$ERR")" "exactly one 'leanops: error:' line"
assert_match "$LAST_OUT$LAST_ERR" "Stage 'post' was not run" "the dependent stage is reported as not run"
assert_line "$(lock_entry pre)" "      md5: $(md5_of pre_in.txt)" "earlier stage's lock entry updated and kept"
assert_eq "$lock_mid" "$(lock_entry mid)" "failed stage's lock entry unchanged"
assert_eq "$lock_post" "$(lock_entry post)" "skipped stage's lock entry unchanged"
assert_missing mid.txt "failed stage's output was removed before the run and not recreated"
expect_exit 0 lo status
assert_contains "$LAST_OUT" "mid:" "status after the failure shows the failed stage"
printf 'ok\n' >mode.txt
expect_exit 0 lo repro
assert_eq "mid post" "$(ran_stages)" "after the fix only mid and post run"

# -k: the independent branch still runs
new_repo keep
cat >dvc.yaml <<'EOF'
stages:
  bad:
    cmd: echo about to fail && exit 3
    outs:
    - bad.txt
  good:
    cmd: echo good > good.txt
    outs:
    - good.txt
  after_bad:
    cmd: cp bad.txt after.txt
    deps:
    - bad.txt
    outs:
    - after.txt
EOF
run lo repro
assert_eq 1 "$LAST_RC" "without -k: exit 1"
assert_eq "bad" "$(ran_stages)" "without -k: nothing runs after the failure"
assert_missing good.txt "without -k: the independent stage was not run"
assert_match "$(tail -n1 "$ERR")" "^leanops: error: .*'bad'.*exit code 3" "error names the stage and its exit code"
assert_contains "$LAST_OUT" "[bad] about to fail" "the stage's output is shown, prefixed with its name"
run lo repro -k
assert_eq 1 "$LAST_RC" "-k with a failing branch: exit 1"
assert_eq "bad good" "$(ran_stages)" "-k: the independent branch runs after the failure"
assert_exists good.txt "-k: independent stage's output written"
assert_missing after.txt "-k: the failed stage's dependent did not run"
assert_match "$LAST_OUT$LAST_ERR" "Stage 'after_bad' was not run" "-k: dependent reported as not run"
assert_eq "good" "$(lock_stages)" "-k: only the succeeded stage is in dvc.lock"
run lo repro --keep-going
assert_eq 1 "$LAST_RC" "--keep-going: exit 1 again"
assert_eq "bad" "$(ran_stages)" "--keep-going: good is up to date, bad fails again"

# declared output not created
new_repo noout
cat >dvc.yaml <<'EOF'
stages:
  forgetful:
    cmd: echo not writing anything
    outs:
    - never.txt
EOF
run lo repro
assert_eq 1 "$LAST_RC" "a declared output not created: exit 1"
assert_match "$(tail -n1 "$ERR")" "^leanops: error: .*forgetful.*never.txt" "error names the stage and the missing output"
assert_missing dvc.lock "no dvc.lock written for a stage that did not create its output"

# ================================================================ persist, frozen, always_changed
new_repo flags
cat >dvc.yaml <<EOF
stages:
  acc:
    cmd: (test -e acc.txt && echo present || echo absent) > $T/acc_seen; echo run >> acc.txt
    outs:
    - acc.txt:
        persist: true
  fresh:
    cmd: (test -e fresh.txt && echo present || echo absent) > $T/fresh_seen; echo run >> fresh.txt
    outs:
    - fresh.txt
  cold:
    cmd: echo cold > cold.txt
    outs:
    - cold.txt
    frozen: true
  always:
    cmd: echo tick >> $T/always.count && echo a > always.txt
    outs:
    - always.txt
    always_changed: true
  nocache:
    cmd: echo nc > nc.txt
    outs:
    - nc.txt:
        cache: false
EOF
expect_exit 0 lo repro
assert_eq "acc fresh always nocache" "$(ran_stages)" "flags: first repro (frozen stage not run)"
assert_line "$(lock_entry nocache)" "      md5: $(md5_str $'nc\n')" "cache: false output still has its md5 in dvc.lock"
assert_no_line "$(cat .gitignore 2>/dev/null || true)" "/nc.txt" "cache: false output not added to .gitignore"
assert_line "$(cat .gitignore 2>/dev/null || true)" "/acc.txt" "cached persist output added to .gitignore"
assert_line "$LAST_OUT" "Stage 'cold' is frozen, skipping" "frozen stage reported as skipped"
assert_missing cold.txt "frozen stage's command not run"
assert_not_contains "$(lock_stages)" "cold" "frozen stage not in dvc.lock"
expect_exit 0 lo repro -f acc fresh
assert_eq "acc fresh" "$(sorted_ran)" "repro -f acc fresh runs both"
assert_file_eq "$T/acc_seen" $'present\n' "persist output kept before the run"
assert_file_eq acc.txt $'run\nrun\n' "persist output accumulated"
assert_file_eq "$T/fresh_seen" $'absent\n' "non-persist output removed before the run"
assert_file_eq fresh.txt $'run\n' "non-persist output rewritten from scratch"
assert_line "$(lock_entry acc)" "      md5: $(md5_of acc.txt)" "dvc.lock has the accumulated persist output's md5"
assert_file_eq "$T/always.count" $'tick\n' "always_changed: ran once so far"
expect_exit 0 lo repro
assert_eq "always" "$(ran_stages)" "always_changed stage runs on every repro (others skipped)"
expect_exit 0 lo repro
assert_file_eq "$T/always.count" $'tick\ntick\ntick\n' "always_changed: ran on each of 3 repros"
assert_missing cold.txt "frozen stage still not run"

# ================================================================ run cache
new_repo runcache
printf 'input\n' >rc_in.txt
printf 'rc:\n  v: 1\n' >params.yaml
cat >dvc.yaml <<EOF
stages:
  rcs:
    cmd: echo run >> $T/rc.count && cat rc_in.txt params.yaml > rc_out.txt
    deps:
    - rc_in.txt
    params:
    - rc.v
    outs:
    - rc_out.txt
EOF
expect_exit 0 lo repro
assert_file_eq "$T/rc.count" $'run\n' "run cache: first run"
snap rc_out.txt "$T/rc_out.v1"
snap dvc.lock "$T/rc.lock.v1"
printf 'rc:\n  v: 2\n' >params.yaml
expect_exit 0 lo repro
assert_eq "rcs" "$(ran_stages)" "run cache: param changed, stage runs"
assert_file_eq "$T/rc.count" $'run\nrun\n' "run cache: second run"
printf 'rc:\n  v: 1\n' >params.yaml
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "run cache: param changed back, stage not run"
assert_file_eq "$T/rc.count" $'run\nrun\n' "run cache: the command did not run"
assert_match "$LAST_OUT" "^Stage 'rcs' is cached - skipping run, checking out outputs" "run cache: restore reported"
assert_same_file "$T/rc_out.v1" rc_out.txt "run cache: output restored with the v1 content"
assert_same_file "$T/rc.lock.v1" dvc.lock "run cache: dvc.lock back to the v1 entry"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "run cache: status clean after the restore"
printf 'rc:\n  v: 2\n' >params.yaml
expect_exit 0 lo repro --no-run-cache
assert_eq "rcs" "$(ran_stages)" "--no-run-cache: the stage runs although the same inputs ran before"
assert_file_eq "$T/rc.count" $'run\nrun\nrun\n' "--no-run-cache: the command ran"
# deleted output: checked out of the cache, not run
snap dvc.lock "$T/rc.lock.v2"
snap rc_out.txt "$T/rc_out.v2"
rm rc_out.txt
expect_exit 0 lo status
assert_contains "$LAST_OUT" "deleted:" "status shows the deleted output"
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "deleted output: stage not run"
assert_file_eq "$T/rc.count" $'run\nrun\nrun\n' "deleted output: command did not run"
assert_match "$LAST_OUT" "^Stage 'rcs' is cached - skipping run, checking out outputs" "deleted output: checked out of the cache"
assert_same_file "$T/rc_out.v2" rc_out.txt "deleted output restored"
assert_same_file "$T/rc.lock.v2" dvc.lock "deleted output: dvc.lock unchanged"
# modified output: also restored from the cache
printf 'garbage\n' >rc_out.txt
expect_exit 0 lo repro
assert_eq "" "$(ran_stages)" "modified output: stage not run"
assert_same_file "$T/rc_out.v2" rc_out.txt "modified output restored from the cache"

# ================================================================ foreach, matrix, ${} interpolation, wdir
new_repo expand
cat >params.yaml <<'EOF'
greet:
  msg: hello
  n: 3
langs:
- en
- fr
EOF
mkdir -p sub
printf 'sub input\n' >sub/in.txt
cat >dvc.yaml <<'EOF'
stages:
  gen:
    foreach:
    - a
    - b
    do:
      cmd: echo ${item} > gen_${item}.txt
      outs:
      - gen_${item}.txt
  lang:
    foreach: ${langs}
    do:
      cmd: echo ${item} > lang_${item}.txt
      outs:
      - lang_${item}.txt
  mx:
    matrix:
      m: [x, y]
      k: [1, 2]
    cmd: echo ${item.m}${item.k} > mx_${item.m}_${item.k}.txt
    outs:
    - mx_${item.m}_${item.k}.txt
  interp:
    cmd: echo ${greet.msg} ${greet.n} > greet.txt
    outs:
    - greet.txt
  inwd:
    wdir: sub
    cmd: cat in.txt in.txt > out.txt
    deps:
    - in.txt
    outs:
    - out.txt
EOF
expect_exit 0 lo repro
assert_eq "gen@a gen@b lang@en lang@fr mx@x-1 mx@x-2 mx@y-1 mx@y-2 interp inwd" "$(ran_stages)" \
  "foreach/matrix stages run as name@item"
assert_file_eq gen_a.txt $'a\n' "foreach: gen@a output"
assert_file_eq gen_b.txt $'b\n' "foreach: gen@b output"
assert_file_eq lang_fr.txt $'fr\n' "foreach over \${langs} from params.yaml"
assert_file_eq mx_y_2.txt $'y2\n' "matrix: mx@y-2 output"
lock=$(cat dvc.lock 2>/dev/null || true)
assert_line "$lock" "  gen@a:" "dvc.lock has gen@a"
assert_line "$lock" "  mx@y-2:" "dvc.lock has mx@y-2"
assert_line "$(lock_entry gen@b)" "    cmd: echo b > gen_b.txt" "dvc.lock records the interpolated foreach cmd"
assert_file_eq greet.txt $'hello 3\n' "\${} interpolation from params.yaml in cmd"
assert_line "$(lock_entry interp)" "    cmd: echo hello 3 > greet.txt" "dvc.lock records the interpolated cmd"
assert_file_eq sub/out.txt $'sub input\nsub input\n' "wdir: the command ran in sub/"
assert_missing out.txt "wdir: nothing written at the top"
assert_eq "    cmd: cat in.txt in.txt > out.txt
    deps:
    - path: in.txt
      hash: md5
      md5: $(md5_of sub/in.txt)
      size: $(stat -c %s sub/in.txt)
    outs:
    - path: out.txt
      hash: md5
      md5: $(md5_of sub/out.txt)
      size: $(stat -c %s sub/out.txt)" "$(lock_entry inwd)" "wdir: dvc.lock paths relative to wdir"
assert_file_eq sub/.gitignore $'/out.txt\n' "wdir: output ignored in sub/.gitignore"
gi=$(cat .gitignore 2>/dev/null || true)
assert_line "$gi" "/gen_a.txt" ".gitignore has a foreach output"
assert_line "$gi" "/mx_x_1.txt" ".gitignore has a matrix output"
expect_exit 0 lo repro gen@b
assert_eq "" "$(ran_stages)" "repro gen@b: up to date"
expect_exit 0 lo repro -f gen
assert_eq "gen@a gen@b" "$(ran_stages)" "repro -f gen runs every gen@ instance"
# a param used through ${} changes the command
sed -i 's/msg: hello/msg: salut/' params.yaml
expect_exit 0 lo repro
assert_eq "interp" "$(ran_stages)" "interpolated value changed: the stage's cmd changed, it re-runs"
assert_file_eq greet.txt $'salut 3\n' "new interpolated value used"

# ================================================================ dvc.yaml errors
new_repo errors
printf 'x\n' >x.txt
cat >dvc.yaml <<'EOF'
stages:
  a:
    cmd: cp x.txt y.txt
    deps:
    - x.txt
    - z.txt
    outs:
    - y.txt
  b:
    cmd: cp y.txt z.txt
    deps:
    - y.txt
    outs:
    - z.txt
EOF
expect_exit 3 lo repro
assert_contains "$LAST_ERR" "cycle" "cycle: error says cycle"
assert_contains "$LAST_ERR" "a -> b -> a" "cycle: error names the cycle"
assert_missing y.txt "cycle: nothing ran"
expect_exit 3 lo dag
assert_contains "$LAST_ERR" "a -> b -> a" "dag also reports the cycle"

cat >dvc.yaml <<'EOF'
stages:
  one:
    cmd: echo 1 > same.txt
    outs:
    - same.txt
  two:
    cmd: echo 2 > same.txt
    outs:
    - same.txt
EOF
expect_exit 3 lo repro
assert_contains "$LAST_ERR" "same.txt" "duplicate output: error names the path"
assert_contains "$LAST_ERR" "'one'" "duplicate output: error names the first stage"
assert_contains "$LAST_ERR" "'two'" "duplicate output: error names the second stage"
assert_missing same.txt "duplicate output: nothing ran"

cat >dvc.yaml <<'EOF'
stages:
  a:
    cmd: echo a > a.txt
    outz:
    - a.txt
EOF
expect_exit 3 lo repro
assert_match "$LAST_ERR" "^leanops: error: dvc.yaml:4:5: .*outz" "unknown key: error at dvc.yaml:4:5 naming the key"
expect_exit 3 lo status
assert_contains "$LAST_ERR" "dvc.yaml:4:5" "status reports the bad dvc.yaml too"

cat >dvc.yaml <<'EOF'
stages:
  a:
    cmd: cat missing.txt > a.txt
    deps:
    - missing.txt
    outs:
    - a.txt
EOF
# A missing dependency is what the stage asked for failing: exit 1, one clean error line.
expect_exit 1 lo repro
assert_contains "$LAST_ERR" "missing.txt" "missing dep: error names the file"
assert_contains "$LAST_ERR" "'a'" "missing dep: error names the stage"
assert_eq "" "$(ran_stages)" "missing dep: command not run"
assert_missing dvc.lock "missing dep: no dvc.lock"

cat >dvc.yaml <<'EOF'
stages:
  a:
    cmd: echo a > a.txt
    outs:
    - a.txt
EOF
expect_exit 3 lo repro nosuchstage
assert_contains "$LAST_ERR" "nosuchstage" "unknown target: error names it"
rm dvc.yaml
expect_exit 3 lo repro
assert_contains "$LAST_ERR" "dvc.yaml" "no dvc.yaml: error says so"
expect_exit 2 lo repro --no-such-flag
expect_exit 2 lo repro -j 0

# ================================================================ Ctrl-C
new_repo interrupt
printf 'q\n' >q_in.txt
cat >dvc.yaml <<EOF
stages:
  quick:
    cmd: cp q_in.txt q.txt
    deps:
    - q_in.txt
    outs:
    - q.txt
  slow:
    cmd: echo \$\$ > $T/slow.pid; exec sleep 1000
    deps:
    - q.txt
    outs:
    - slow.txt
EOF
expect_exit 0 lo repro quick
assert_eq "quick" "$(lock_stages)" "interrupt: quick stage locked first"
printf 'q2\n' >q_in.txt
snap dvc.lock "$T/int.lock"
rm -f "$T/slow.pid"
"$LEANOPS_BIN" repro -s slow >"$T/int.out" 2>"$T/int.err" &
LP=$!
register_bg "$LP"
sp=""
for _ in $(seq 1 400); do
  if [ -s "$T/slow.pid" ]; then
    sp=$(cat "$T/slow.pid")
    kill -0 "$sp" 2>/dev/null && break
  fi
  sleep 0.05
done
if [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null; then ok "interrupt: the stage's sleep is running (pid $sp)"; else fail "interrupt: the stage's sleep is running" "$(cat "$T/int.out" "$T/int.err")"; fi
kill -INT "$LP" 2>/dev/null || true
rc=0
wait "$LP" || rc=$?
assert_eq 130 "$rc" "SIGINT to leanops repro: exit 130"
gone=0
for _ in $(seq 1 100); do
  if ! kill -0 "$sp" 2>/dev/null; then gone=1; break; fi
  sleep 0.05
done
if [ "$gone" = 1 ]; then
  ok "SIGINT: the stage's sleep process is gone"
else
  fail "SIGINT: the stage's sleep process is gone" "pid $sp alive"
  kill -9 "$sp" 2>/dev/null || true
fi
assert_match "$(tail -n1 "$T/int.err")" "^leanops: error: .*interrupted" "SIGINT: last stderr line says interrupted"
assert_same_file "$T/int.lock" dvc.lock "SIGINT: dvc.lock unchanged"
assert_missing slow.txt "SIGINT: no output for the stopped stage"
if flock -n .dvc/tmp/lock true; then ok "SIGINT: repository lock released"; else fail "SIGINT: repository lock released"; fi
# SIGTERM behaves the same
rm -f "$T/slow.pid"
"$LEANOPS_BIN" repro -s slow >"$T/int.out" 2>"$T/int.err" &
LP=$!
register_bg "$LP"
sp=""
for _ in $(seq 1 400); do
  if [ -s "$T/slow.pid" ]; then
    sp=$(cat "$T/slow.pid")
    kill -0 "$sp" 2>/dev/null && break
  fi
  sleep 0.05
done
kill -TERM "$LP" 2>/dev/null || true
rc=0
wait "$LP" || rc=$?
assert_eq 130 "$rc" "SIGTERM to leanops repro: exit 130"
gone=0
for _ in $(seq 1 100); do
  if ! kill -0 "$sp" 2>/dev/null; then gone=1; break; fi
  sleep 0.05
done
if [ "$gone" = 1 ]; then
  ok "SIGTERM: the stage's sleep process is gone"
else
  fail "SIGTERM: the stage's sleep process is gone" "pid $sp alive"
  kill -9 "$sp" 2>/dev/null || true
fi
assert_same_file "$T/int.lock" dvc.lock "SIGTERM: dvc.lock unchanged"
# the interrupted pipeline completes afterwards
sed -i 's/exec sleep 1000/echo done > slow.txt/' dvc.yaml
expect_exit 0 lo repro
assert_eq "quick slow" "$(ran_stages)" "after the interrupt, repro completes the pipeline"

finish
