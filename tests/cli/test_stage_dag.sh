#!/usr/bin/env bash
# `stage add` (dvc.yaml text as `dvc stage add` writes it), `stage list`, `dag` (text, dot,
# mermaid) and the pipeline part of `status` (text and --json).
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

# pad20 STATE PATH: a status line's "state:" column padded to 20, then the path.
pad20() { printf '%-20s%s' "$1" "$2"; }

# ================================================================ stage add: new dvc.yaml
new_repo add
expect_exit 0 lo stage add -n prepare -d src/prep.py -d data.txt -o prepared -p prep.scale,prep.seed \
  python src/prep.py data.txt prepared
assert_line "$LAST_OUT" "Added stage 'prepare' in 'dvc.yaml'" "stage add says what it added"
assert_file_eq dvc.yaml "stages:
  prepare:
    cmd: python src/prep.py data.txt prepared
    deps:
    - data.txt
    - src/prep.py
    params:
    - prep.scale
    - prep.seed
    outs:
    - prepared
" "stage add creates dvc.yaml (DVC's layout: deps sorted, params keys, outs)"
assert_file_eq .gitignore $'/prepared\n' "stage add: cached output added to .gitignore"
assert_missing dvc.lock "stage add does not run the stage"
assert_missing prepared "stage add does not create the output"

# every kind of output and the params forms; the command keeps its own flags
expect_exit 0 lo stage add -n train -d prepared -o model.bin -O log.txt -M metrics.json -m scores.json \
  --plots roc.csv --plots-no-cache loss.csv --outs-persist ckpt -p train.lr -p other.yaml:b,a \
  -p whole.toml: --always-changed --desc "Train it" sh train.sh --lr 0.1
cp dvc.yaml "$T/add.yaml" 2>/dev/null || rm -f "$T/add.yaml"
assert_file_eq dvc.yaml "stages:
  prepare:
    cmd: python src/prep.py data.txt prepared
    deps:
    - data.txt
    - src/prep.py
    params:
    - prep.scale
    - prep.seed
    outs:
    - prepared
  train:
    desc: Train it
    cmd: sh train.sh --lr 0.1
    deps:
    - prepared
    params:
    - train.lr
    - other.yaml:
      - a
      - b
    - whole.toml:
    outs:
    - ckpt:
        persist: true
    - log.txt:
        cache: false
    - model.bin
    metrics:
    - metrics.json:
        cache: false
    - scores.json
    plots:
    - loss.csv:
        cache: false
    - roc.csv
    always_changed: true
" "stage add appends: -O/-M/--plots-no-cache write cache: false, --outs-persist persist: true, params forms"
gi=$(cat .gitignore 2>/dev/null || true)
for p in /prepared /model.bin /ckpt /scores.json /roc.csv; do
  assert_line "$gi" "$p" ".gitignore has cached output $p"
done
for p in /log.txt /metrics.json /loss.csv; do
  assert_no_line "$gi" "$p" ".gitignore does not have uncached output $p"
done
expect_exit 0 lo stage list
assert_eq "$(printf '%-20s%s\n%-20s%s' prepare 'Outputs prepared' train 'Train it')" "$LAST_OUT" \
  "stage list after two stage adds"

# duplicate name
expect_exit 3 lo stage add -n prepare -d data.txt echo again
assert_contains "$LAST_ERR" "prepare" "duplicate stage name: error names it"
assert_contains "$LAST_ERR" "already exists" "duplicate stage name: error says it exists"
assert_same_file "$T/add.yaml" dvc.yaml "duplicate stage name: dvc.yaml unchanged"

# -f replaces in place
expect_exit 0 lo stage add -f -n prepare -d data.txt -o prepared python src/prep2.py
assert_file_eq dvc.yaml "stages:
  prepare:
    cmd: python src/prep2.py
    deps:
    - data.txt
    outs:
    - prepared
  train:
    desc: Train it
    cmd: sh train.sh --lr 0.1
    deps:
    - prepared
    params:
    - train.lr
    - other.yaml:
      - a
      - b
    - whole.toml:
    outs:
    - ckpt:
        persist: true
    - log.txt:
        cache: false
    - model.bin
    metrics:
    - metrics.json:
        cache: false
    - scores.json
    plots:
    - loss.csv:
        cache: false
    - roc.csv
    always_changed: true
" "stage add -f replaces the stage in place, the rest untouched"
assert_eq 1 "$(grep -cx '/prepared' .gitignore 2>/dev/null)" "stage add -f: .gitignore entry not duplicated"

# usage errors
cp dvc.yaml "$T/usage.yaml" 2>/dev/null || rm -f "$T/usage.yaml"
expect_exit 2 lo stage add -n nocmd -d data.txt
expect_exit 2 lo stage add -d data.txt echo hi
expect_exit 2 lo stage add -n bad/name echo hi
expect_exit 2 lo stage add -n bad@name echo hi
expect_exit 2 lo stage
expect_exit 2 lo stage add -n nocmd2 -o x.txt
assert_same_file "$T/usage.yaml" dvc.yaml "usage errors leave dvc.yaml unchanged"

# ================================================================ stage add into an existing, commented dvc.yaml
new_repo existing
cat >dvc.yaml <<'EOF'
# Pipeline of the test project.
stages:
  # the first stage
  first:
    cmd: echo 1 > one.txt  # inline comment
    outs:
    - one.txt
metrics:
- summary.json
EOF
expect_exit 0 lo stage add -n second -d one.txt -o two.txt cat one.txt
assert_file_eq dvc.yaml "# Pipeline of the test project.
stages:
  # the first stage
  first:
    cmd: echo 1 > one.txt  # inline comment
    outs:
    - one.txt
  second:
    cmd: cat one.txt
    deps:
    - one.txt
    outs:
    - two.txt
metrics:
- summary.json
" "stage add into an existing dvc.yaml keeps comments and the keys after stages"
expect_exit 3 lo stage add -n first echo dup
assert_contains "$LAST_ERR" "first" "duplicate of a stage written by hand: exit 3"

# a file indented by 4 keeps its indentation (in a sub-directory)
new_repo indent4
mkdir -p four && cd four
cat >dvc.yaml <<'EOF'
stages:
    one:
        cmd: echo 1 > one.txt
        outs:
        - one.txt
EOF
expect_exit 0 lo stage add -n two -d one.txt -O two.txt cat one.txt
assert_file_eq dvc.yaml "stages:
    one:
        cmd: echo 1 > one.txt
        outs:
        - one.txt
    two:
        cmd: cat one.txt
        deps:
        - one.txt
        outs:
        - two.txt:
            cache: false
" "stage add in a subdirectory, into a 4-space-indented dvc.yaml"
assert_missing .gitignore "uncached output: no .gitignore written"
expect_exit 0 lo stage list
assert_eq "$(printf '%-20s%s\n%-20s%s' four/dvc.yaml:one 'Outputs one.txt' four/dvc.yaml:two 'Outputs two.txt')" \
  "$LAST_OUT" "stage list names stages of a sub-directory dvc.yaml by file:name"
cd ..

# whole-file and per-file params are usable by repro
new_repo params
printf 'a: 1\nb: {c: 2}\n' >params.yaml
printf '[t]\nw = 7\nz = "q"\n' >cfg.toml
printf '{"j": 1, "k": 2}\n' >cfg.json
expect_exit 0 lo stage add -n p -p a,b.c -p cfg.toml: -p cfg.json:k -o p.txt echo p ">" p.txt
assert_file_eq dvc.yaml "stages:
  p:
    cmd: echo p > p.txt
    params:
    - a
    - b.c
    - cfg.json:
      - k
    - cfg.toml:
    outs:
    - p.txt
" "stage add -p KEYS, -p FILE:KEYS, -p FILE: (whole file)"
expect_exit 0 lo repro
lock=$(cat dvc.lock 2>/dev/null || true)
assert_contains "$lock" $'      params.yaml:\n        a: 1\n        b.c: 2\n' "repro: params.yaml keys in dvc.lock"
assert_contains "$lock" $'      cfg.json:\n        k: 2\n' "repro: cfg.json key in dvc.lock"
assert_contains "$lock" "cfg.toml:" "repro: the whole-file cfg.toml in dvc.lock"
printf '[t]\nw = 7\nz = "r"\n' >cfg.toml
expect_exit 0 lo status
assert_contains "$LAST_OUT" "cfg.toml:" "status: any key of a whole-file params file counts"
expect_exit 0 lo repro
assert_contains "$LAST_OUT" "Running stage 'p':" "repro: whole-file params change re-runs the stage"

# ================================================================ a 4-stage diamond: list, dag
new_repo diamond
printf 'data\n' >data.txt
printf 'a:\n  x: 1\n' >params.yaml
cat >dvc.yaml <<'EOF'
stages:
  a:
    cmd: cp data.txt a.txt
    deps:
    - data.txt
    params:
    - a.x
    outs:
    - a.txt
  b:
    cmd: cat a.txt a.txt > b.txt
    deps:
    - a.txt
    outs:
    - b.txt
  c:
    desc: The c stage
    cmd: cat a.txt > c.txt
    deps:
    - a.txt
    outs:
    - c.txt
  d:
    cmd: cat b.txt c.txt > d.txt && echo 1 > d.json
    deps:
    - b.txt
    - c.txt
    outs:
    - d.txt
    metrics:
    - d.json:
        cache: false
EOF
git add -A && git commit -qm diamond

expect_exit 0 lo stage list
assert_eq "$(printf '%-20s%s\n' a 'Outputs a.txt' b 'Outputs b.txt' c 'The c stage' d 'Outputs d.txt, d.json')" \
  "$LAST_OUT" "stage list: one line per stage (desc, or its outputs)"
expect_exit 0 lo stage list --json
assert_json_eq "$LAST_OUT" '[{"name": "a", "description": "Outputs a.txt"},
  {"name": "b", "description": "Outputs b.txt"}, {"name": "c", "description": "The c stage"},
  {"name": "d", "description": "Outputs d.txt, d.json"}]' "stage list --json"

expect_exit 0 lo dag
assert_eq "+ a
  -> b
  -> c
+ b
  -> d
+ c
  -> d
+ d" "$LAST_OUT" "dag text for the diamond"
expect_exit 0 lo dag --dot
assert_eq 'strict digraph  {
"a";
"b";
"c";
"d";
"a" -> "b";
"a" -> "c";
"b" -> "d";
"c" -> "d";
}' "$LAST_OUT" "dag --dot for the diamond"
expect_exit 0 lo dag --mermaid
assert_eq "flowchart TD
	node0[\"a\"]
	node1[\"b\"]
	node2[\"c\"]
	node3[\"d\"]
	node0-->node1
	node0-->node2
	node1-->node3
	node2-->node3" "$LAST_OUT" "dag --mermaid for the diamond"
expect_exit 0 lo dag b
assert_eq "+ a
  -> b
+ b" "$LAST_OUT" "dag b: b and its upstream only"
expect_exit 0 lo dag --dot d
assert_contains "$LAST_OUT" '"c" -> "d";' "dag --dot d: the whole diamond"
expect_exit 3 lo dag nosuch
assert_contains "$LAST_ERR" "nosuch" "dag with an unknown stage: exit 3 naming it"
dotted=$(lo dag --dot 2>/dev/null || true)
if command -v dot >/dev/null; then
  if printf '%s\n' "$dotted" | dot -Tsvg >/dev/null 2>&1; then ok "graphviz accepts dag --dot"; else fail "graphviz accepts dag --dot"; fi
fi

# ================================================================ status of the pipeline
expect_exit 0 lo status
assert_eq "a:
	never run
b:
	never run
c:
	never run
d:
	never run" "$LAST_OUT" "status: never-run stages"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"a": ["never run"], "b": ["never run"], "c": ["never run"], "d": ["never run"]}' \
  "status --json: never-run stages"

expect_exit 0 lo repro
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status after repro: up to date"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{}' "status --json after repro: {}"

# changed dep
printf 'data 2\n' >data.txt
expect_exit 0 lo status
assert_eq "a:
	changed deps:
		$(pad20 modified: data.txt)" "$LAST_OUT" "status: modified dep (downstream stages not listed yet)"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"a": [{"changed deps": {"data.txt": "modified"}}]}' "status --json: modified dep"
printf 'data\n' >data.txt
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status: dep restored, up to date again"

# changed param
printf 'a:\n  x: 2\n' >params.yaml
expect_exit 0 lo status
assert_eq "a:
	changed deps:
		params.yaml:
			$(pad20 modified: a.x)" "$LAST_OUT" "status: changed param (params.yaml: modified: a.x)"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"a": [{"changed deps": {"params.yaml": {"modified": ["a.x"]}}}]}' \
  "status --json: changed param"
printf 'a:\n  x: 1\n' >params.yaml

# changed command
cp dvc.yaml "$T/diamond.yaml" 2>/dev/null || rm -f "$T/diamond.yaml"
sed -i 's/cmd: cat a.txt a.txt > b.txt/cmd: cat a.txt a.txt a.txt > b.txt/' dvc.yaml
expect_exit 0 lo status
assert_eq "b:
	changed command" "$LAST_OUT" "status: changed command"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"b": ["changed command"]}' "status --json: changed command"
cp "$T/diamond.yaml" dvc.yaml

# deleted output: c's out, and d's dep
rm c.txt
expect_exit 0 lo status
assert_eq "c:
	changed outs:
		$(pad20 deleted: c.txt)
d:
	changed deps:
		$(pad20 deleted: c.txt)" "$LAST_OUT" "status: deleted output (and the dependent's deleted dep)"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"c": [{"changed outs": {"c.txt": "deleted"}}],
  "d": [{"changed deps": {"c.txt": "deleted"}}]}' "status --json: deleted output"

# status STAGE: that stage only (as `dvc status STAGE` without --with-deps)
printf 'data 3\n' >data.txt
expect_exit 0 lo status
assert_line "$LAST_OUT" "a:" "(setup) a, c and d changed"
expect_exit 0 lo status c
assert_eq "c:
	changed outs:
		$(pad20 deleted: c.txt)" "$LAST_OUT" "status c: only stage c is reported"
expect_exit 0 lo status --json c
assert_json_eq "$LAST_OUT" '{"c": [{"changed outs": {"c.txt": "deleted"}}]}' "status --json c: only stage c"
expect_exit 0 lo status a
assert_eq "a:
	changed deps:
		$(pad20 modified: data.txt)" "$LAST_OUT" "status a: only stage a"
expect_exit 0 lo status b
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status b: b itself is up to date (its upstream a is not)"
expect_exit 0 lo status --json b
assert_json_eq "$LAST_OUT" '{}' "status --json b: {}"
expect_exit 0 lo status dvc.yaml:c
assert_line "$LAST_OUT" "c:" "status dvc.yaml:c reports c"
assert_no_line "$LAST_OUT" "b:" "status dvc.yaml:c does not report b"

# bring it up to date again
expect_exit 0 lo repro
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status up to date after the last repro"

# a frozen stage is not reported
sed -i 's/^  d:$/  d:\n    frozen: true/' dvc.yaml
printf 'x\n' >>c.txt
rm -f d.txt
expect_exit 0 lo status
assert_no_line "$LAST_OUT" "d:" "status skips a frozen stage"
assert_line "$LAST_OUT" "c:" "status still reports the other changed stage"

# ---------------------------------------------------------------- command words as DVC joins them
new_repo quoting
echo x >in.txt
expect_exit 0 lo stage add -n q -d in.txt -o copy.txt sh -c 'cat in.txt > copy.txt'
assert_line "$(cat dvc.yaml)" '    cmd: sh -c "cat in.txt > copy.txt"' "a word with spaces is double-quoted"
expect_exit 0 lo repro
assert_eq "x" "$(cat copy.txt)" "the joined command runs as meant"
expect_exit 0 lo stage add -f -n q -d in.txt -o copy.txt 'cat in.txt > copy.txt'
assert_line "$(cat dvc.yaml)" '    cmd: cat in.txt > copy.txt' "a single argument is the command as written"

finish
