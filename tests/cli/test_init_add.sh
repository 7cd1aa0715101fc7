#!/usr/bin/env bash
# init and add: the files DVC would write, byte for byte.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- init
mkdir -p "$T/nogit" && cd "$T/nogit"
expect_exit 3 lo init
assert_missing .dvc "failed init leaves no .dvc"
expect_exit 0 lo init --no-scm
assert_exists .dvc/config "--no-scm: .dvc/config"
if grep -qiE '^ *no_scm *= *true *$' .dvc/config && grep -qx '\[core\]' .dvc/config; then
  ok "--no-scm: [core] no_scm = True in .dvc/config"
else
  fail "--no-scm: [core] no_scm = True in .dvc/config" "$(cat .dvc/config)"
fi

new_repo repo
assert_exists .dvc/config ".dvc/config exists"
assert_file_eq .dvc/.gitignore $'/config.local\n/tmp\n/cache\n' ".dvc/.gitignore content"
assert_exists .dvcignore ".dvcignore exists"
expect_exit 3 lo init
expect_exit 0 lo init -f
expect_exit 0 lo init --force
assert_exists .dvc/config ".dvc/config still there after init -f"

# ---------------------------------------------------------------- add a file
printf 'id,value\n1,alpha\n2,beta\n' >data.csv
md5=$(md5_of data.csv)
size=$(stat -c %s data.csv)
expect_exit 0 lo add data.csv
assert_file_eq data.csv.dvc "outs:
- md5: $md5
  size: $size
  hash: md5
  path: data.csv
" "data.csv.dvc byte-exact"
obj=$(cache_obj "$md5")
assert_exists "$obj" "cache object at .dvc/cache/files/md5/${md5:0:2}/${md5:2}"
assert_same_file data.csv "$obj" "cache object has identical bytes"
assert_eq 444 "$(stat -c %a "$obj" 2>/dev/null)" "cache object is read-only (0444)"
assert_file_eq .gitignore $'/data.csv\n' ".gitignore gets /data.csv"
assert_same_file data.csv <(printf 'id,value\n1,alpha\n2,beta\n') "workspace file unchanged"
# git sees the .dvc file, not the data
st=$(git status --porcelain --untracked-files=all)
assert_contains "$st" "data.csv.dvc" "git sees data.csv.dvc"
assert_no_line "$st" "?? data.csv" "git ignores data.csv"

# ---------------------------------------------------------------- nested path
mkdir -p data
head -c 5000 /dev/urandom >data/raw.csv
rmd5=$(md5_of data/raw.csv)
expect_exit 0 lo add data/raw.csv
assert_file_eq data/raw.csv.dvc "outs:
- md5: $rmd5
  size: 5000
  hash: md5
  path: raw.csv
" "data/raw.csv.dvc byte-exact (path relative to the .dvc file)"
assert_file_eq data/.gitignore $'/raw.csv\n' "data/.gitignore gets /raw.csv"
assert_file_eq .gitignore $'/data.csv\n' "root .gitignore untouched by nested add"
assert_same_file data/raw.csv "$(cache_obj "$rmd5")" "nested file cached"

# add from a subdirectory (relative to cwd)
printf 'sub\n' >data/sub.txt
(cd data && lo add sub.txt >/dev/null 2>&1) && ok "add from a subdirectory" || fail "add from a subdirectory"
assert_exists data/sub.txt.dvc "data/sub.txt.dvc written next to the file"
assert_file_eq data/.gitignore $'/raw.csv\n/sub.txt\n' "data/.gitignore has both entries"

# existing .gitignore without a trailing newline: DVC adds the newline first
mkdir -p g && printf 'notes.txt' >g/.gitignore
printf 'x' >g/x.bin
expect_exit 0 lo add g/x.bin
assert_file_eq g/.gitignore $'notes.txt\n/x.bin\n' "entry appended on its own line to an existing .gitignore"

# a path that git already ignores through a pattern gets no entry (DVC: scm.ignore skips it)
mkdir -p logs && printf '*.log\n' >logs/.gitignore
printf 'log\n' >logs/run.log
expect_exit 0 lo add logs/run.log
assert_file_eq logs/.gitignore $'*.log\n' "already-ignored path: .gitignore left as is"

# copy mode: the workspace file stays writable (only the cache is read-only)
assert_eq 644 "$(stat -c %a data/raw.csv)" "workspace file keeps mode 644 after add"

# two paths in one call
printf 'one' >one.txt
printf 'two' >two.txt
expect_exit 0 lo add one.txt two.txt
assert_exists one.txt.dvc "add A B: A.dvc"
assert_exists two.txt.dvc "add A B: B.dvc"
assert_file_eq .gitignore $'/data.csv\n/one.txt\n/two.txt\n' ".gitignore after adding two files"

# empty file
: >empty.bin
expect_exit 0 lo add empty.bin
assert_file_eq empty.bin.dvc "outs:
- md5: d41d8cd98f00b204e9800998ecf8427e
  size: 0
  hash: md5
  path: empty.bin
" "empty file .dvc"
assert_exists "$(cache_obj d41d8cd98f00b204e9800998ecf8427e)" "empty file cached"

# non-ASCII file name: written as raw UTF-8, as DVC (ruamel, allow_unicode) does
printf 'u' >"caf"$'\u00e9'".txt"
expect_exit 0 lo add "caf"$'\u00e9'".txt"
assert_file_eq "caf"$'\u00e9'".txt.dvc" "outs:
- md5: $(md5_str u)
  size: 1
  hash: md5
  path: caf"$'\u00e9'".txt
" "non-ASCII name: .dvc byte-exact"

# gitignore-special characters: the entry must still ignore exactly that file
sp='my data [v1] #2!.txt'
printf 'special' >"$sp"
expect_exit 0 lo add "$sp"
if git check-ignore -q --no-index "$sp"; then ok "special-character name is git-ignored"; else fail "special-character name is git-ignored" "$(cat .gitignore)"; fi
printf 'x' >'my data v1 #2!.txt'
if git check-ignore -q --no-index 'my data v1 #2!.txt'; then fail "gitignore entry does not ignore other files" "$(cat .gitignore)"; else ok "gitignore entry does not ignore other files"; fi
rm -f 'my data v1 #2!.txt'
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "# (PyYAML missing: YAML round-trip check not run)"
elif python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1] + ".dvc")); sys.exit(0 if d["outs"][0]["path"] == sys.argv[1] else 1)' "$sp"; then
  ok "special-character name round-trips through the .dvc YAML"
else
  fail "special-character name round-trips through the .dvc YAML" "$(cat "$sp.dvc")"
fi
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean with special-character names"

# empty directory: DVC's oid is md5("[]") + ".dir"
mkdir -p emptydir
expect_exit 0 lo add emptydir
assert_file_eq emptydir.dvc "outs:
- md5: d751713988987e9331980363e24189ce.dir
  size: 0
  nfiles: 0
  hash: md5
  path: emptydir
" "empty directory .dvc (md5 of '[]')"
assert_file_eq "$(cache_obj d751713988987e9331980363e24189ce.dir)" "[]" "empty manifest cached"

# ---------------------------------------------------------------- add a directory
mkdir -p ds/sub/deeper "ds/donn"$'\u00e9'"es" ds/a
printf 'hello\n' >ds/hello.txt
printf 'same\n' >ds/dup1.txt
printf 'same\n' >ds/sub/dup2.txt
head -c 100000 /dev/urandom >ds/sub/deeper/blob.bin
printf 'accent\n' >"ds/donn"$'\u00e9'"es/caf"$'\u00e9'".txt"
printf 'smile\n' >"ds/"$'\U0001F600'".txt"
printf 'dash\n' >ds/a-b.txt   # "a-b.txt" sorts before "a/x.txt" as a string
printf 'slash\n' >ds/a/x.txt
: >ds/sub/empty
mkdir -p ds/empty_subdir/deeper   # empty directories are not part of the manifest
manifest=$(dir_manifest ds)
doid=$(dir_oid ds)
dsize=$(dir_size ds)
dn=$(dir_nfiles ds)
assert_contains "$manifest" '\u00e9' "(self-check) expected manifest escapes non-ASCII"
expect_exit 0 lo add ds
assert_file_eq ds.dvc "outs:
- md5: $doid
  size: $dsize
  nfiles: $dn
  hash: md5
  path: ds
" "ds.dvc byte-exact (.dir oid = md5 of DVC's manifest)"
dobj=$(cache_obj "$doid")
assert_exists "$dobj" ".dir object in cache"
assert_file_eq "$dobj" "$manifest" ".dir object holds exactly the manifest bytes"
missing=0
while IFS= read -r -d '' f; do
  m=$(md5_of "$f")
  cmp -s "$f" "$(cache_obj "$m")" || { missing=$((missing + 1)); echo "    # not cached: $f"; }
done < <(find ds -type f -print0)
assert_eq 0 "$missing" "every file of the directory is in the cache"
check_odb .dvc/cache "every cache object's content matches its name"
assert_line "$(cat .gitignore)" "/ds" ".gitignore gets /ds"
# the duplicate content is stored once
assert_eq 1 "$(find .dvc/cache/files/md5 -name "$(md5_str $'same\n' | cut -c3-)" | wc -l | tr -d ' ')" "duplicate content stored once"

# ---------------------------------------------------------------- re-add is a no-op
before_f=$(cat data.csv.dvc)
before_d=$(cat ds.dvc)
mt_f=$(mtime_ns data.csv.dvc)
mt_d=$(mtime_ns ds.dvc)
nobj=$(count_objects .dvc/cache)
gi=$(cat .gitignore)
sleep 0.05
expect_exit 0 lo add data.csv
expect_exit 0 lo add ds
assert_eq "$before_f" "$(cat data.csv.dvc)" "re-add file: .dvc content identical"
assert_eq "$before_d" "$(cat ds.dvc)" "re-add dir: .dvc content identical"
assert_eq "$mt_f" "$(mtime_ns data.csv.dvc)" "re-add file: .dvc not rewritten (mtime)"
assert_eq "$mt_d" "$(mtime_ns ds.dvc)" "re-add dir: .dvc not rewritten (mtime)"
assert_eq "$nobj" "$(count_objects .dvc/cache)" "re-add: no new cache objects"
assert_eq "$gi" "$(cat .gitignore)" "re-add: .gitignore has no duplicate entries"

# ---------------------------------------------------------------- re-add after a change
printf '3,gamma\n' >>data.csv
md5b=$(md5_of data.csv)
expect_exit 0 lo add data.csv
assert_file_eq data.csv.dvc "outs:
- md5: $md5b
  size: $(stat -c %s data.csv)
  hash: md5
  path: data.csv
" "re-add after a change records the new md5"
assert_exists "$obj" "old version stays in the cache"
assert_same_file data.csv "$(cache_obj "$md5b")" "new version cached"

# -j and --json accepted
printf 'jjj' >j.txt
expect_exit 0 lo add -j 2 j.txt
printf 'kkk' >k.txt
expect_exit 0 lo add --json k.txt
if [ -n "$LAST_OUT" ]; then
  if python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$LAST_OUT" 2>/dev/null; then
    ok "add --json prints valid JSON"
  else
    fail "add --json prints valid JSON" "$LAST_OUT"
  fi
fi

finish
