#!/usr/bin/env bash
# A damaged cache object is detected before its bytes are used: checkout and
# push name it, remove it, and leave the workspace and the remote untouched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

damage() {  # damage OID: overwrite a read-only cache object with other bytes
  local p
  p=$(cache_obj "$1")
  chmod u+w "$p"
  printf 'garbage' >"$p"
}

new_repo checkout_case
printf 'hello\n' >a.txt
mkdir -p d && printf 'one\n' >d/1 && printf 'two\n' >d/2
lo add a.txt d >/dev/null
good=$(md5_of a.txt)
rm a.txt
damage "$good"
expect_exit 3 lo checkout a.txt
assert_contains "$LAST_ERR" "$good" "checkout names the corrupted object"
assert_missing "$(cache_obj "$good")" "the corrupted object is removed from the cache"
assert_missing a.txt "no corrupted bytes reach the workspace"

one=$(md5_str $'one\n')
rm -rf d
damage "$one"
expect_exit 3 lo checkout d
assert_contains "$LAST_ERR" "$one" "checkout names a corrupted file of a directory"
assert_missing d "the directory is not half checked out"

new_repo push_case
mkdir -p "$T/remote"
lo remote add -d r "$T/remote" >/dev/null
printf 'payload\n' >p.txt
lo add p.txt >/dev/null
oid=$(md5_of p.txt)
damage "$oid"
expect_exit 3 lo push
assert_contains "$LAST_ERR" "$oid" "push names the corrupted object"
assert_missing "$(obj_path "$T/remote" "$oid")" "nothing corrupted reaches the remote"
expect_exit 0 lo commit -f
expect_exit 0 lo push
assert_same_file p.txt "$(obj_path "$T/remote" "$oid")" "after commit the intact bytes are pushed"

finish
