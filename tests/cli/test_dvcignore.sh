#!/usr/bin/env bash
# .dvcignore: ignored files are left out of a directory's manifest (so its
# md5 is the one DVC computes), do not make status dirty, and survive checkout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

new_repo ignore
cat >>.dvcignore <<'IGN'
*.tmp
scratch/
!keep.tmp
IGN
mkdir -p data/scratch/deep data/sub
printf 'a\n' >data/a.csv
printf 'b\n' >data/sub/b.csv
printf 'junk\n' >data/x.tmp
printf 'kept\n' >data/keep.tmp
printf 'junk\n' >data/scratch/deep/y.csv

# The manifest DVC writes for the files that are not ignored.
expected=$(cd data && python3 - <<'PY'
import hashlib, json
files = ["a.csv", "keep.tmp", "sub/b.csv"]
entries = [{"md5": hashlib.md5(open(f, "rb").read()).hexdigest(), "relpath": f} for f in files]
data = json.dumps(sorted(entries, key=lambda e: e["relpath"]), sort_keys=True).encode()
print(hashlib.md5(data).hexdigest() + ".dir")
PY
)
expect_exit 0 lo add data
assert_contains "$(cat data.dvc)" "md5: $expected" "the directory hashes without the ignored files"
assert_contains "$(cat data.dvc)" "nfiles: 3" "nfiles counts only tracked files"

printf 'more junk\n' >>data/x.tmp
printf 'new\n' >data/scratch/new.csv
expect_exit 0 lo status
assert_contains "$LAST_OUT" "up to date" "changes to ignored files leave status clean"

printf 'changed\n' >data/keep.tmp
expect_exit 0 lo status
assert_contains "$LAST_OUT" "modified" "a re-included file is tracked"
expect_exit 0 lo checkout --force data
assert_file_eq data/keep.tmp $'kept\n' "checkout restores the tracked file"
assert_exists data/x.tmp "checkout keeps ignored files"
assert_exists data/scratch/new.csv "checkout keeps files in ignored directories"

finish
