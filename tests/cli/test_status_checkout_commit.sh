#!/usr/bin/env bash
# status, checkout and commit on files and directories; cache link types.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TAB=$'\t'
mkdir -p "$T/orig"

# ====================================================================== files
new_repo files
printf 'id,value\n1,alpha\n2,beta\n' >data.csv
cp data.csv "$T/orig/data.csv"
md5a=$(md5_of data.csv)
lo add data.csv >/dev/null 2>&1

expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean message"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{}' "status --json clean is {}"

# ---- modified
printf '3,gamma\n' >>data.csv
cp data.csv "$T/orig/data_mod.csv"
expect_exit 0 lo status
assert_line "$LAST_OUT" "data.csv.dvc:" "modified: stage line"
assert_line "$LAST_OUT" "${TAB}changed outs:" "modified: 'changed outs:' indented by one tab"
assert_match "$LAST_OUT" "^${TAB}${TAB}modified: +data\.csv\$" "modified: out line indented by two tabs"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"data.csv.dvc": [{"changed outs": {"data.csv": "modified"}}]}' "status --json modified"
expect_exit 0 lo status data.csv.dvc
assert_match "$LAST_OUT" "modified: +data\.csv\$" "status TARGET.dvc reports the change"

# ---- checkout refuses to drop uncached modifications
expect_exit 3 lo checkout
assert_contains "$LAST_ERR" "data.csv" "refusal names the file"
assert_same_file data.csv "$T/orig/data_mod.csv" "refused checkout leaves the modified file alone"
expect_exit 3 lo checkout data.csv.dvc
assert_same_file data.csv "$T/orig/data_mod.csv" "refused targeted checkout leaves the file alone"
expect_exit 0 lo checkout --force
assert_same_file data.csv "$T/orig/data.csv" "checkout --force restores byte-identical"
assert_match "$LAST_OUT" '^M +data\.csv$' "checkout prints 'M       data.csv'"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{}' "clean after checkout --force"

# ---- deleted
rm data.csv
expect_exit 0 lo status
assert_match "$LAST_OUT" "^${TAB}${TAB}deleted: +data\.csv\$" "status shows deleted"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"data.csv.dvc": [{"changed outs": {"data.csv": "deleted"}}]}' "status --json deleted"
expect_exit 0 lo checkout
assert_same_file data.csv "$T/orig/data.csv" "checkout restores a deleted file byte-identical"
assert_match "$LAST_OUT" '^A +data\.csv$' "checkout prints 'A       data.csv'"
assert_eq 644 "$(stat -c %a data.csv)" "restored file is writable (mode 644, copy mode)"
expect_exit 0 lo checkout
assert_not_contains "$LAST_OUT" "data.csv" "second checkout changes nothing"

# ---- commit
printf 'v2 content\n' >data.csv
cp data.csv "$T/orig/data_v2.csv"
md5b=$(md5_of data.csv)
cp data.csv.dvc "$T/orig/data_v1.dvc"
expect_exit 0 lo commit data.csv.dvc
assert_file_eq data.csv.dvc "outs:
- md5: $md5b
  size: $(stat -c %s data.csv)
  hash: md5
  path: data.csv
" "commit records the new md5/size in data.csv.dvc"
assert_same_file data.csv "$(cache_obj "$md5b")" "commit caches the new content"
assert_eq 444 "$(stat -c %a "$(cache_obj "$md5b")" 2>/dev/null)" "committed object is read-only"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after commit"
assert_same_file data.csv "$T/orig/data_v2.csv" "commit leaves the workspace content"

# commit without targets commits every changed out
printf 'v3\n' >data.csv
expect_exit 0 lo commit
assert_contains "$(cat data.csv.dvc)" "md5: $(md5_of data.csv)" "commit without targets records the change"
assert_exists "$(cache_obj "$(md5_of data.csv)")" "commit without targets caches the content"
cp data.csv "$T/orig/data_v3.csv"

# ---- "git checkout" of an older .dvc: the workspace content is in the cache, no --force needed
cp "$T/orig/data_v1.dvc" data.csv.dvc
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"data.csv.dvc": [{"changed outs": {"data.csv": "modified"}}]}' "older .dvc: status modified"
expect_exit 0 lo checkout
assert_same_file data.csv "$T/orig/data.csv" "checkout switches to the old version (current content was cached)"

# ---- not in cache
chmod u+w "$(cache_obj "$md5a")" 2>/dev/null || true
rm -f "$(cache_obj "$md5a")"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"data.csv.dvc": [{"changed outs": {"data.csv": "not in cache"}}]}' "status --json: not in cache"
expect_exit 0 lo status
assert_match "$LAST_OUT" "^${TAB}${TAB}not in cache: +data\.csv\$" "status text: not in cache"

# ---- missing cache object on checkout
rm data.csv
expect_exit 3 lo checkout
assert_contains "$LAST_ERR" "data.csv" "missing object: error names the path"
assert_contains "$LAST_ERR" "$md5a" "missing object: error names the md5"
assert_missing data.csv "missing object: nothing written"

# ================================================================ directories
new_repo dirs
mkdir -p ds/sub
printf 'aaa\n' >ds/a.txt
printf 'bbb\n' >ds/b.txt
printf 'ccc\n' >ds/sub/c.txt
head -c 20000 /dev/urandom >ds/sub/d.bin
cp -a ds "$T/orig/ds"
lo add ds >/dev/null 2>&1
orig_digest=$(tree_digest "$T/orig/ds")
doid=$(dir_oid ds)

expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "dir: status clean"

# extra file whose content is in the cache: checkout removes it
cp ds/a.txt ds/extra.txt
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"ds.dvc": [{"changed outs": {"ds": "modified"}}]}' "dir: added file -> modified"
expect_exit 0 lo status
assert_match "$LAST_OUT" "^${TAB}${TAB}modified: +ds/?\$" "dir: status text modified"
expect_exit 0 lo checkout
assert_missing ds/extra.txt "dir checkout removes the extra file"
assert_eq "$orig_digest" "$(tree_digest ds)" "dir restored exactly after extra file"

# extra file with new content: removed with --force
printf 'brand new\n' >ds/sub/new.txt
expect_exit 0 lo checkout --force
assert_missing ds/sub/new.txt "dir checkout --force removes an uncached extra file"
assert_eq "$orig_digest" "$(tree_digest ds)" "dir restored exactly (--force)"

# deleted file inside
rm ds/b.txt
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"ds.dvc": [{"changed outs": {"ds": "modified"}}]}' "dir: deleted file -> modified"
expect_exit 0 lo checkout
assert_same_file ds/b.txt "$T/orig/ds/b.txt" "dir checkout restores the deleted file"
assert_eq "$orig_digest" "$(tree_digest ds)" "dir restored exactly after delete"

# modified file inside (not cached): refused without --force
printf 'changed\n' >ds/sub/c.txt
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"ds.dvc": [{"changed outs": {"ds": "modified"}}]}' "dir: modified file -> modified"
expect_exit 3 lo checkout
assert_eq "changed" "$(cat ds/sub/c.txt)" "refused dir checkout keeps the modified file"
expect_exit 0 lo checkout --force
assert_eq "$orig_digest" "$(tree_digest ds)" "dir checkout --force restores the modified file"

# whole directory deleted
rm -rf ds
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"ds.dvc": [{"changed outs": {"ds": "deleted"}}]}' "dir deleted -> deleted"
expect_exit 0 lo checkout
assert_eq "$orig_digest" "$(tree_digest ds)" "deleted dir restored exactly"

# a subdirectory of a tracked dir deleted as a whole
rm -rf ds/sub
expect_exit 0 lo checkout
assert_eq "$orig_digest" "$(tree_digest ds)" "checkout recreates a deleted subdirectory"

# commit a changed directory
printf 'CCC\n' >ds/sub/c.txt
printf 'eee\n' >ds/e.txt
rm ds/a.txt
newoid=$(dir_oid ds)
expect_exit 0 lo commit ds.dvc
assert_file_eq ds.dvc "outs:
- md5: $newoid
  size: $(dir_size ds)
  nfiles: $(dir_nfiles ds)
  hash: md5
  path: ds
" "dir commit writes the new .dir oid, size, nfiles"
assert_file_eq "$(cache_obj "$newoid")" "$(dir_manifest ds)" "dir commit caches the new manifest"
assert_same_file ds/e.txt "$(cache_obj "$(md5_of ds/e.txt)")" "dir commit caches new files"
assert_exists "$(cache_obj "$doid")" "old manifest kept in cache"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "dir: status clean after commit"
check_odb .dvc/cache "dir repo: every cache object matches its name"

# a file object of a tracked dir missing from the cache
em=$(md5_of ds/e.txt)
chmod u+w "$(cache_obj "$em")"
rm -f "$(cache_obj "$em")"
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"ds.dvc": [{"changed outs": {"ds": "not in cache"}}]}' "dir with a missing file object: not in cache"
rm -rf ds
expect_exit 3 lo checkout
assert_contains "$LAST_ERR" "$em" "dir checkout with a missing object names its md5"

# ================================================================ pointer files written by DVC
new_repo compat
mkdir -p nested
printf 'nested data\n' >nested/n.txt
nm=$(md5_of nested/n.txt)
lo add nested/n.txt >/dev/null 2>&1
rm nested/n.txt nested/n.txt.dvc nested/.gitignore
# a root-level pointer whose path goes into a subdirectory, with extra DVC fields
cat >top.dvc <<EOF
# written by hand, as DVC allows
outs:
- md5: $nm
  size: 12
  hash: md5
  path: nested/n.txt
  desc: a description DVC keeps
  type: raw
  labels:
  - a
meta:
  owner: someone
EOF
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{"top.dvc": [{"changed outs": {"nested/n.txt": "deleted"}}]}' "DVC pointer with extra fields: status"
expect_exit 0 lo checkout
assert_eq "nested data" "$(cat nested/n.txt 2>/dev/null)" "DVC pointer with a nested path: checkout"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "DVC pointer with extra fields: clean after checkout"
expect_exit 0 lo ls --json
assert_contains "$LAST_OUT" "nested/n.txt" "ls lists the nested path of a root-level pointer"

# commit rewrites the pointer but keeps DVC's annotations
printf 'nested data v2\n' >nested/n.txt
expect_exit 0 lo commit top.dvc
top=$(cat top.dvc)
assert_contains "$top" "md5: $(md5_of nested/n.txt)" "commit of a DVC pointer records the new md5"
assert_contains "$top" "desc: a description DVC keeps" "commit keeps the output's desc (as DVC)"
assert_contains "$top" "owner: someone" "commit keeps the top-level meta (as DVC)"
assert_contains "$top" "path: nested/n.txt" "commit keeps the nested path"

# ================================================================ link types
inode() { stat -c %i "$1"; }

new_repo hard
printf '[cache]\n    type = hardlink\n' >>.dvc/config
printf 'hard data\n' >h.bin
mkdir -p hd/s && printf 'x1\n' >hd/x1 && printf 'x2\n' >hd/s/x2
expect_exit 0 lo add h.bin hd
ho=$(cache_obj "$(md5_of h.bin)")
assert_eq "$(inode "$ho")" "$(inode h.bin)" "hardlink: add links the file to its cache object"
assert_eq "$(inode "$(cache_obj "$(md5_of hd/s/x2)")")" "$(inode hd/s/x2)" "hardlink: dir files linked"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "hardlink: status clean"
rm -f h.bin hd/x1
expect_exit 0 lo checkout
assert_eq "$(inode "$ho")" "$(inode h.bin 2>/dev/null)" "hardlink: checkout recreates a hardlink"
assert_eq "$(inode "$(cache_obj "$(md5_of hd/x1)")")" "$(inode hd/x1 2>/dev/null)" "hardlink: checkout relinks dir file"
assert_eq "hard data" "$(cat h.bin)" "hardlink: content intact"
# switch to copy and relink
sed -i 's/type = hardlink/type = copy/' .dvc/config
expect_exit 0 lo checkout --relink
assert_ne "$(inode "$ho")" "$(inode h.bin)" "checkout --relink with type=copy makes an independent copy"
assert_same_file h.bin "$ho" "relinked copy has the same bytes"

new_repo sym
printf '[cache]\n    type = symlink\n' >>.dvc/config
printf 'sym data\n' >s.bin
mkdir -p sd && printf 'y1\n' >sd/y1
expect_exit 0 lo add s.bin sd
so=$(realpath "$(cache_obj "$(md5_of s.bin)")")
check "symlink: add replaces the file by a symlink" test -L s.bin
assert_eq "$so" "$(realpath s.bin)" "symlink: points at the cache object"
check "symlink: dir file is a symlink" test -L sd/y1
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "symlink: status clean"
rm -f s.bin
rm -rf sd
expect_exit 0 lo checkout
check "symlink: checkout recreates a symlink" test -L s.bin
assert_eq "$so" "$(realpath s.bin 2>/dev/null)" "symlink: checkout target is the cache object"
assert_eq "y1" "$(cat sd/y1 2>/dev/null)" "symlink: dir restored"
check "symlink: restored dir file is a symlink" test -L sd/y1

finish
