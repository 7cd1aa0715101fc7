#!/usr/bin/env bash
# remote configuration, push/pull/fetch to a local remote, status --cloud, corruption.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TAB=$'\t'

# ============================================================ remote config
new_repo cfg
R1="$T/store1"
R2="$T/store2"
expect_exit 0 lo remote add -d myremote "$R1"
assert_file_eq .dvc/config "[core]
    remote = myremote
['remote \"myremote\"']
    url = $R1
" ".dvc/config after 'remote add -d' is what DVC writes"
expect_exit 0 lo remote add other "$R2"
cfg=$(cat .dvc/config)
assert_line "$cfg" "['remote \"other\"']" "second remote section"
assert_line "$cfg" "    url = $R2" "second remote url"
expect_exit 0 lo remote list
assert_match "$LAST_OUT" "^myremote${TAB}${R1}[ ${TAB}]\(default\)\$" "remote list marks the default"
assert_line "$LAST_OUT" "other${TAB}${R2}" "remote list: NAME<TAB>URL"
assert_eq 2 "$(printf '%s\n' "$LAST_OUT" | grep -c .)" "remote list: one line per remote"

expect_exit 3 lo remote add other /elsewhere
assert_contains "$LAST_ERR" "other" "adding an existing remote names it"
expect_exit 0 lo remote add -f other "$T/store2b"
assert_line "$(cat .dvc/config)" "    url = $T/store2b" "remote add -f overwrites the url"
expect_exit 0 lo remote modify other url "$R2"
assert_line "$(cat .dvc/config)" "    url = $R2" "remote modify url"
expect_exit 0 lo remote modify other jobs 4
assert_line "$(cat .dvc/config)" "    jobs = 4" "remote modify adds an option"
expect_exit 0 lo remote modify --unset other jobs
assert_no_line "$(cat .dvc/config)" "    jobs = 4" "remote modify --unset removes it"
expect_exit 3 lo remote modify nosuch url /x

expect_exit 0 lo remote default
assert_eq "myremote" "$LAST_OUT" "remote default prints the default"
expect_exit 0 lo remote default other
assert_line "$(cat .dvc/config)" "    remote = other" "remote default NAME sets core.remote"
expect_exit 3 lo remote default nosuch
expect_exit 0 lo remote default --unset
assert_no_line "$(cat .dvc/config)" "    remote = other" "remote default --unset"
expect_exit 0 lo remote default other

expect_exit 0 lo remote remove other
cfg=$(cat .dvc/config)
assert_no_line "$cfg" "['remote \"other\"']" "remote remove drops the section"
assert_no_line "$cfg" "    remote = other" "removing the default remote also unsets core.remote"
assert_line "$cfg" "['remote \"myremote\"']" "other remote kept"
expect_exit 3 lo remote remove other

# --local goes to .dvc/config.local
expect_exit 0 lo remote add --local secret "$T/secret"
assert_line "$(cat .dvc/config.local 2>/dev/null)" "['remote \"secret\"']" "remote add --local writes config.local"
assert_no_line "$(cat .dvc/config)" "['remote \"secret\"']" "--local keeps .dvc/config clean"
expect_exit 0 lo remote modify --local secret access_key_id AKIA
assert_line "$(cat .dvc/config.local)" "    access_key_id = AKIA" "remote modify --local"
expect_exit 0 lo remote list
assert_contains "$LAST_OUT" "secret${TAB}$T/secret" "remote list shows local remotes"

# relative url: DVC stores it relative to .dvc/
new_repo relcfg
expect_exit 0 lo remote add -d rel ../relstore
assert_line "$(cat .dvc/config)" "    url = ../../relstore" "relative url stored relative to .dvc/ (as DVC)"
printf 'rel\n' >r.txt
lo add r.txt >/dev/null 2>&1
expect_exit 0 lo push
assert_exists "$(obj_path "$T/relstore" "$(md5_of r.txt)")" "relative remote resolves against the cwd it was given from"

# ============================================================ push / pull
new_repo work
REM="$T/remote"
lo remote add -d storage "$REM" >/dev/null
printf 'id,v\n1,a\n2,b\n' >data.csv
mkdir -p imgs/cats imgs/dogs
for i in 1 2 3; do head -c $((1000 * i)) /dev/urandom >imgs/cats/c$i.bin; done
for i in 1 2; do head -c $((777 * i)) /dev/urandom >imgs/dogs/d$i.bin; done
printf 'same\n' >imgs/cats/same.txt
printf 'same\n' >imgs/dogs/same.txt
cp data.csv "$T/data.csv.orig"
cp -a imgs "$T/imgs.orig"
lo add data.csv imgs >/dev/null 2>&1
fmd5=$(md5_of data.csv)
doid=$(dir_oid imgs)
ncache=$(count_objects .dvc/cache)

# status --cloud before push
expect_exit 0 lo status --cloud
assert_match "$LAST_OUT" "^${TAB}new: +data\.csv\$" "status --cloud: data.csv new"
expect_exit 0 lo status -c --json
if python3 - "$LAST_OUT" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
assert d.get("data.csv") == "new", d
assert all(v == "new" for v in d.values()), d
EOF
then ok "status -c --json: {\"data.csv\": \"new\", ...} all new"; else fail "status -c --json all new" "$LAST_OUT"; fi

expect_exit 0 lo push -j 2
assert_contains "$LAST_OUT" "pushed" "push prints 'N files pushed'"
assert_exists "$(obj_path "$REM" "$fmd5")" "push: file object at <remote>/files/md5/xx/..."
assert_exists "$(obj_path "$REM" "$doid")" "push: .dir object on the remote"
assert_same_file data.csv "$(obj_path "$REM" "$fmd5")" "pushed object has identical bytes"
assert_eq "$ncache" "$(count_objects "$REM")" "push: every cache object on the remote"
check_odb "$REM" "remote objects match their names"
expect_exit 0 lo push
assert_contains "$LAST_OUT" "Everything is up to date." "push again: Everything is up to date."

expect_exit 0 lo status --cloud
assert_eq "Cache and remote 'storage' are in sync." "$LAST_OUT" "status --cloud in sync"
expect_exit 0 lo status --cloud --json
assert_json_eq "$LAST_OUT" '{}' "status --cloud --json in sync is {}"
expect_exit 0 lo status -c -r storage
assert_eq "Cache and remote 'storage' are in sync." "$LAST_OUT" "status -c -r NAME"

# the demo loop: lose cache and data, pull back
chmod -R u+w .dvc/cache
rm -rf .dvc/cache data.csv imgs
expect_exit 0 lo pull
assert_same_file data.csv "$T/data.csv.orig" "pull restores data.csv byte-identical"
assert_eq "$(tree_digest "$T/imgs.orig")" "$(tree_digest imgs 2>/dev/null)" "pull restores the directory exactly"
assert_eq "$ncache" "$(count_objects .dvc/cache)" "pull refills the cache"
check_odb .dvc/cache "pulled cache objects match their names"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after pull"
expect_exit 0 lo pull
assert_contains "$LAST_OUT" "Everything is up to date." "pull again: Everything is up to date."

# fetch, then checkout
chmod -R u+w .dvc/cache
rm -rf .dvc/cache data.csv imgs
expect_exit 0 lo fetch
assert_contains "$LAST_OUT" "fetched" "fetch prints 'N files fetched'"
assert_missing data.csv "fetch does not touch the workspace"
assert_eq "$ncache" "$(count_objects .dvc/cache)" "fetch fills the cache"
expect_exit 0 lo checkout
assert_same_file data.csv "$T/data.csv.orig" "checkout after fetch restores data.csv"
assert_eq "$(tree_digest "$T/imgs.orig")" "$(tree_digest imgs 2>/dev/null)" "checkout after fetch restores the dir"

# push --json
printf 'json me\n' >j.txt
lo add j.txt >/dev/null 2>&1
expect_exit 0 lo push --json
if python3 -c 'import json,sys; json.loads(sys.argv[1])' "$LAST_OUT" 2>/dev/null; then ok "push --json prints JSON"; else fail "push --json prints JSON" "$LAST_OUT"; fi

# targeted push/pull
printf 'only me\n' >solo.txt
lo add solo.txt >/dev/null 2>&1
expect_exit 0 lo push solo.txt.dvc
assert_exists "$(obj_path "$REM" "$(md5_of solo.txt)")" "push TARGET uploads that output"
rm solo.txt
expect_exit 0 lo pull solo.txt.dvc
assert_eq "only me" "$(cat solo.txt 2>/dev/null)" "pull TARGET restores that output"

# -r and unknown remotes
expect_exit 0 lo push -r storage
expect_exit 3 lo push -r nosuch
assert_contains "$LAST_ERR" "nosuch" "unknown remote named in the error"
expect_exit 3 lo pull -r nosuch
expect_exit 3 lo fetch -r nosuch
expect_exit 3 lo status -c -r nosuch
lo remote default --unset >/dev/null
expect_exit 3 lo push
lo remote default storage >/dev/null

# status --cloud (DVC 3 semantics): only on the remote -> deleted; in neither -> missing
chmod u+w "$(cache_obj "$(md5_of solo.txt)")"
rm -f "$(cache_obj "$(md5_of solo.txt)")"
expect_exit 0 lo status --cloud
assert_match "$LAST_OUT" "^${TAB}deleted: +solo\.txt\$" "status --cloud: deleted when only on the remote"
printf 'ghost\n' >ghost.txt
lo add ghost.txt >/dev/null 2>&1
gm=$(md5_of ghost.txt)
chmod u+w "$(cache_obj "$gm")"
rm -f "$(cache_obj "$gm")"
expect_exit 0 lo status --cloud --json
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d.get("ghost.txt")=="missing" and d.get("solo.txt")=="deleted" else 1)' "$LAST_OUT"; then
  ok "status --cloud --json: solo.txt deleted, ghost.txt missing"
else
  fail "status --cloud --json: solo.txt deleted, ghost.txt missing" "$LAST_OUT"
fi
lo remove ghost.txt.dvc >/dev/null 2>&1 || rm -f ghost.txt.dvc
lo pull solo.txt.dvc >/dev/null 2>&1 || true

# ============================================================ corruption on the remote
new_repo corrupt
CR="$T/cremote"
lo remote add -d c "$CR" >/dev/null
head -c 4096 /dev/urandom >good.bin
head -c 4096 /dev/urandom >bad.bin
lo add good.bin bad.bin >/dev/null 2>&1
lo push >/dev/null 2>&1
bm=$(md5_of bad.bin)
gdm=$(md5_of good.bin)
bo=$(obj_path "$CR" "$bm")
chmod u+w "$bo"
head -c 4096 /dev/urandom >"$bo"   # same size, wrong bytes
chmod -R u+w .dvc/cache
rm -rf .dvc/cache bad.bin good.bin
expect_fail lo fetch
assert_contains "$LAST_ERR" "$bm" "corrupt object named in the error"
assert_missing "$(cache_obj "$bm")" "corrupt object did not enter the cache"
check_odb .dvc/cache "cache holds no corrupt object after a rejected fetch"
expect_fail lo pull
assert_missing bad.bin "corrupt object never reaches the workspace"
assert_missing "$(cache_obj "$bm")" "corrupt object still not in the cache after pull"
# truncated object (wrong size)
head -c 100 /dev/urandom >"$bo"
expect_fail lo fetch bad.bin.dvc
assert_contains "$LAST_ERR" "$bm" "truncated object named in the error"
assert_missing "$(cache_obj "$bm")" "truncated object did not enter the cache"
# the good object can still be fetched on its own
expect_exit 0 lo pull good.bin.dvc
assert_exists good.bin "good object pulled despite the corrupt one"
check_odb .dvc/cache "cache consistent after corruption tests"

finish
