#!/usr/bin/env bash
# ls, remove and gc.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

new_repo repo
printf 'keep me\n' >.gitignore   # a hand-written entry that must survive
printf 'alpha\n' >a.txt
printf 'bravo bravo\n' >b.txt
mkdir -p ds/sub data
printf 'shared\n' >ds/s1.txt          # same content as c.txt: shared object
printf 'only in ds\n' >ds/sub/u.txt
head -c 5000 /dev/urandom >ds/sub/r.bin
printf 'shared\n' >c.txt
printf 'raw\n' >data/raw.csv
lo add a.txt b.txt c.txt ds data/raw.csv >/dev/null 2>&1

am=$(md5_of a.txt)
bm=$(md5_of b.txt)
cm=$(md5_of c.txt)
doid=$(dir_oid ds)

# ---------------------------------------------------------------- ls
expect_exit 0 lo ls
assert_eq 5 "$(printf '%s\n' "$LAST_OUT" | grep -c .)" "ls: one line per output"
line_a=$(printf '%s\n' "$LAST_OUT" | awk '$1 == "a.txt"')
line_d=$(printf '%s\n' "$LAST_OUT" | awk '$1 == "ds"')
line_r=$(printf '%s\n' "$LAST_OUT" | awk '$1 == "data/raw.csv"')
assert_eq "a.txt file" "$(printf '%s' "$line_a" | awk '{print $1, $2}')" "ls: file line starts with PATH file"
assert_eq "$am" "$(printf '%s' "$line_a" | awk '{print $NF}')" "ls: file line ends with the md5"
assert_eq "ds dir $(dir_nfiles ds)" "$(printf '%s' "$line_d" | awk '{print $1, $2, $(NF-1)}')" "ls: dir line PATH dir ... NFILES MD5 (size may be human-readable)"
assert_eq "${doid%.dir}" "$(printf '%s' "$line_d" | awk '{print $NF}' | sed 's/\.dir$//')" "ls: dir line ends with the .dir md5"
assert_ne "" "$line_r" "ls: nested output listed by its repo-relative path"

expect_exit 0 lo ls --json
if python3 - "$LAST_OUT" "$am" "$doid" "$(dir_size ds)" "$(dir_nfiles ds)" <<'EOF'
import json, sys
out, am, doid, dsize, dn = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
items = json.loads(out)
assert isinstance(items, list) and len(items) == 5, items
by = {i["path"]: i for i in items}
for i in items:
    assert set(i) >= {"path", "type", "md5", "size", "nfiles", "dvcfile"}, i
a = by["a.txt"]
assert a["type"] == "file" and a["md5"] == am and a["size"] == 6 and a["dvcfile"] == "a.txt.dvc", a
d = by["ds"]
assert d["type"] == "dir" and d["md5"].removesuffix(".dir") == doid.removesuffix(".dir"), d
assert d["size"] == dsize and d["nfiles"] == dn and d["dvcfile"] == "ds.dvc", d
r = by["data/raw.csv"]
assert r["dvcfile"] == "data/raw.csv.dvc", r
EOF
then ok "ls --json: fields path/type/md5/size/nfiles/dvcfile"; else fail "ls --json fields" "$LAST_OUT"; fi

# ---------------------------------------------------------------- remove
expect_exit 0 lo remove b.txt.dvc
assert_missing b.txt.dvc "remove deletes the .dvc file"
assert_exists b.txt "remove keeps the data without --outs"
assert_file_eq .gitignore $'keep me\n/a.txt\n/c.txt\n/ds\n' "remove drops only its .gitignore entry"
expect_exit 0 lo ls
assert_no_line "$(printf '%s\n' "$LAST_OUT" | awk '{print $1}')" "b.txt" "ls no longer lists the removed output"

expect_exit 0 lo remove --outs a.txt.dvc
assert_missing a.txt.dvc "remove --outs deletes the .dvc file"
assert_missing a.txt "remove --outs deletes the data"
assert_file_eq .gitignore $'keep me\n/c.txt\n/ds\n' "remove --outs drops the .gitignore entry"

expect_exit 0 lo remove data/raw.csv.dvc
assert_missing data/.gitignore "a .gitignore left empty is deleted (as DVC does)"
assert_exists data/raw.csv "nested data kept"

# status is clean for what is left
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after remove"

# ---------------------------------------------------------------- gc
n0=$(count_objects .dvc/cache)
expect_exit 0 lo gc -w --dry
assert_eq "$n0" "$(count_objects .dvc/cache)" "gc --dry removes nothing"
assert_exists "$(cache_obj "$am")" "gc --dry keeps a removed output's object"

# a dvc.lock output keeps its object
printf 'pipeline out\n' >model.pkl
lo add model.pkl >/dev/null 2>&1
mm=$(md5_of model.pkl)
cat >dvc.lock <<EOF
schema: '2.0'
stages:
  train:
    cmd: python train.py
    outs:
    - path: model.pkl
      hash: md5
      md5: $mm
      size: $(stat -c %s model.pkl)
EOF
lo remove model.pkl.dvc >/dev/null 2>&1

n0=$(count_objects .dvc/cache)
expect_exit 0 lo gc -w -f
assert_match "$LAST_OUT" '^Removed [0-9]+ objects \(([0-9]+ bytes|[0-9.]+ [KMGT]?i?B)\) from cache\.$' "gc prints 'Removed N objects (B bytes) from cache.'"
n1=$(count_objects .dvc/cache)
reported=$(printf '%s\n' "$LAST_OUT" | sed -nE 's/^Removed ([0-9]+) objects.*/\1/p')
assert_eq 3 "$((n0 - n1))" "gc removed exactly the objects of a.txt, b.txt and raw.csv"
assert_eq "$((n0 - n1))" "$reported" "gc's count matches what disappeared"
assert_missing "$(cache_obj "$am")" "gc removed a.txt's object"
assert_missing "$(cache_obj "$bm")" "gc removed b.txt's object"
assert_exists "$(cache_obj "$cm")" "gc keeps c.txt's object (also used by ds)"
assert_exists "$(cache_obj "$doid")" "gc keeps the .dir object"
assert_exists "$(cache_obj "$(md5_of ds/sub/u.txt)")" "gc keeps the dir's files"
assert_exists "$(cache_obj "$mm")" "gc keeps objects referenced by dvc.lock"
check_odb .dvc/cache "cache consistent after gc"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after gc"
expect_exit 0 lo gc -w -f
assert_match "$LAST_OUT" '^Removed 0 objects' "second gc removes nothing"

# removing the dir: its manifest and unique files go, the shared object stays
expect_exit 0 lo remove ds.dvc
expect_exit 0 lo gc -w -f
assert_missing "$(cache_obj "$doid")" "gc removes the .dir object of a removed dir"
assert_missing "$(cache_obj "$(md5_of ds/sub/u.txt)")" "gc removes the removed dir's unique files"
assert_exists "$(cache_obj "$cm")" "gc keeps a shared object still used by c.txt"
assert_exists ds/sub/u.txt "gc never touches the workspace"

# a tracked dir whose manifest is missing from the cache: gc must refuse, not guess
mkdir -p keepdir && printf 'k1\n' >keepdir/k1 && printf 'k2\n' >keepdir/k2
lo add keepdir >/dev/null 2>&1
koid=$(dir_oid keepdir)
chmod u+w "$(cache_obj "$koid")"
rm -f "$(cache_obj "$koid")"
n0=$(count_objects .dvc/cache)
expect_exit 3 lo gc -w -f
assert_contains "$LAST_ERR" "$koid" "gc names the missing manifest"
assert_eq "$n0" "$(count_objects .dvc/cache)" "gc with a missing manifest removes nothing"
assert_exists "$(cache_obj "$(md5_of keepdir/k1)")" "files of the dir with a missing manifest kept"

# ---------------------------------------------------------------- gc --cloud
new_repo cloud
REM="$T/remote"
lo remote add -d r "$REM" >/dev/null
printf 'one\n' >one.txt
printf 'two\n' >two.txt
lo add one.txt two.txt >/dev/null 2>&1
lo push >/dev/null 2>&1
assert_eq 2 "$(count_objects "$REM")" "(setup) two objects on the remote"
lo remove two.txt.dvc >/dev/null 2>&1
expect_exit 0 lo gc -w -c -f --dry
assert_eq 2 "$(count_objects "$REM")" "gc -c --dry leaves the remote alone"
expect_exit 0 lo gc -w -c -f
assert_eq 1 "$(count_objects "$REM")" "gc -c removes the unreferenced remote object"
assert_exists "$(obj_path "$REM" "$(md5_of one.txt)")" "gc -c keeps the referenced remote object"
assert_missing "$(cache_obj "$(md5_of two.txt)")" "gc -c also cleans the cache"

finish
