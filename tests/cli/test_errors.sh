#!/usr/bin/env bash
# Exit codes and the one-line error contract.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- version / help / usage
expect_exit 0 lo --version
assert_eq "leanops 0.1.0" "$LAST_OUT" "--version prints 'leanops 0.1.0'"
expect_exit 0 lo --help
assert_contains "$LAST_OUT" "add" "--help lists the add command"
assert_contains "$LAST_OUT" "checkout" "--help lists the checkout command"
for c in init add status checkout commit remove gc remote push pull fetch ls; do
  run lo "$c" --help
  if [ "$LAST_RC" = 0 ] && [ -n "$LAST_OUT" ]; then ok "$c --help exits 0 with text"; else fail "$c --help exits 0 with text" "rc=$LAST_RC err=$LAST_ERR"; fi
done

mkdir -p "$T/plain" && cd "$T/plain"
expect_exit 2 lo frobnicate
expect_exit 2 lo
expect_exit 2 lo status --no-such-flag
expect_exit 2 lo add --bogus x
expect_exit 2 lo checkout -j notanumber
expect_exit 2 lo remote
expect_exit 2 lo remote add onlyname

# ---------------------------------------------------------------- not a repo
expect_exit 3 lo status
assert_not_contains "$LAST_ERR" "Data and pipelines" "not a repo: no status output"
printf 'x' >x.txt
expect_exit 3 lo add x.txt
assert_missing x.txt.dvc "not a repo: nothing written"
expect_exit 3 lo checkout
expect_exit 3 lo ls
expect_exit 3 lo remote list
expect_exit 3 lo push

# ---------------------------------------------------------------- path errors
new_repo repo
printf 'hi\n' >ok.txt
expect_exit 3 lo add missing.txt
assert_contains "$LAST_ERR" "missing.txt" "missing path named"
assert_missing missing.txt.dvc "missing path: no .dvc"
expect_exit 3 lo add ok.txt missing.txt
printf 'outside\n' >"$T/outside.txt"
expect_exit 3 lo add ../outside.txt
assert_contains "$LAST_ERR" "outside.txt" "outside path named"
assert_missing "$T/outside.txt.dvc" "outside path: no .dvc written"
expect_exit 3 lo add "$T/outside.txt"
expect_exit 3 lo add .dvc/config
expect_exit 3 lo add .git/HEAD

# path already tracked by git
printf 'code\n' >tracked.py
git add tracked.py && git commit -qm "add tracked.py"
expect_exit 3 lo add tracked.py
assert_contains "$LAST_ERR" "tracked.py" "git-tracked path named"
assert_missing tracked.py.dvc "git-tracked: no .dvc"
assert_no_line "$(cat .gitignore 2>/dev/null)" "/tracked.py" "git-tracked: not added to .gitignore"

# a directory that contains a git-tracked file
mkdir -p src && printf 'x\n' >src/a.py && git add src/a.py && git commit -qm src
expect_exit 3 lo add src

# overlapping outputs
mkdir -p tr/sub && printf 'a\n' >tr/sub/a.txt && printf 'b\n' >tr/b.txt
lo add tr >/dev/null 2>&1
expect_exit 3 lo add tr/sub/a.txt
assert_missing tr/sub/a.txt.dvc "add inside a tracked dir: no .dvc written"
mkdir -p outer && printf 'o\n' >outer/o.txt
lo add outer/o.txt >/dev/null 2>&1
expect_exit 3 lo add outer
assert_missing outer.dvc "add of a dir holding a tracked output: no .dvc written"

# ---------------------------------------------------------------- malformed .dvc file
lo add ok.txt >/dev/null 2>&1
printf 'outs:\n- md5: [unclosed\n  size: 3\n  path: ok.txt\n' >ok.txt.dvc
expect_exit 3 lo status
assert_contains "$LAST_ERR" "ok.txt.dvc" "bad YAML: error names the .dvc file"
assert_match "$LAST_ERR" 'ok\.txt\.dvc(:| line )[0-9]+|line [0-9]+' "bad YAML: error names the line (file:LINE or 'line N')"
expect_exit 3 lo checkout
assert_contains "$LAST_ERR" "ok.txt.dvc" "bad YAML on checkout: file named"
expect_exit 3 lo ls

# valid YAML, invalid schema
printf 'outs:\n- size: 3\n' >ok.txt.dvc
expect_exit 3 lo status
assert_contains "$LAST_ERR" "ok.txt.dvc" "missing path/md5 field: .dvc file named"
printf 'just a string\n' >ok.txt.dvc
expect_exit 3 lo status
assert_contains "$LAST_ERR" "ok.txt.dvc" "non-mapping .dvc: file named"
rm ok.txt.dvc

# ---------------------------------------------------------------- malformed .dvc/config
cp .dvc/config "$T/config.bak"
printf "[core]\n    remote = x\n['remote \"x\"'\n    url = /tmp/x\n" >.dvc/config
expect_exit 3 lo status
assert_contains "$LAST_ERR" ".dvc/config" "bad config: error names .dvc/config"
assert_match "$LAST_ERR" '\.dvc/config(:| line )3([^0-9]|$)|line 3([^0-9]|$)' "bad config: error gives line 3 (file:LINE)"
printf "[core]\nthis is not a key value pair\n" >.dvc/config
expect_exit 3 lo push
assert_contains "$LAST_ERR" ".dvc/config" "bad config line: .dvc/config named"
assert_match "$LAST_ERR" '\.dvc/config(:| line )2([^0-9]|$)|line 2([^0-9]|$)' "bad config line: line 2 (file:LINE)"
cp "$T/config.bak" .dvc/config
printf "[core\n" >.dvc/config.local
expect_exit 3 lo status
assert_contains "$LAST_ERR" "config.local" "bad config.local named"
rm .dvc/config.local

# remote named in config but missing
printf '[core]\n    remote = ghost\n' >.dvc/config
printf 'p\n' >p.txt
lo add p.txt >/dev/null 2>&1
expect_exit 3 lo push
assert_contains "$LAST_ERR" "ghost" "default remote that does not exist is named"
cp "$T/config.bak" .dvc/config

# commit of an output that no longer exists
printf 'gone\n' >gone.txt
lo add gone.txt >/dev/null 2>&1
rm gone.txt
expect_exit 3 lo commit gone.txt.dvc
assert_contains "$LAST_ERR" "gone.txt" "commit of a deleted output names it"

# ---------------------------------------------------------------- remove / checkout targets
expect_exit 3 lo remove nosuch.dvc
expect_exit 3 lo checkout nosuch.dvc
expect_exit 3 lo status nosuch.dvc

finish
