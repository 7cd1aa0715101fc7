#!/usr/bin/env bash
# gc keeps what the workspace references and, with -a/-T/-A, what git
# branches, tags or commits reference; everything else goes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

new_repo history
git commit -qm init --allow-empty
printf 'version one\n' >data.csv
mkdir -p images && printf 'p1\n' >images/1.png
lo add data.csv images >/dev/null
git add data.csv.dvc images.dvc .gitignore .dvc/config .dvcignore .dvc/.gitignore
git commit -qm v1
git tag v1
v1=$(md5_of data.csv)
img1=$(md5_of images/1.png)

git checkout -q -b experiment
printf 'version two\n' >data.csv
lo add data.csv >/dev/null
git commit -qam v2
v2=$(md5_of data.csv)

printf 'version three\n' >data.csv
lo add data.csv >/dev/null
git commit -qam v3
v3=$(md5_of data.csv)

git checkout -q master 2>/dev/null || git checkout -q main
lo checkout data.csv >/dev/null
printf 'version four\n' >data.csv
lo add data.csv >/dev/null   # the workspace: v4, not committed
v4=$(md5_of data.csv)

expect_exit 0 lo gc -A --dry
assert_contains "$LAST_OUT" "Would remove 0 objects" "-A keeps every committed version"
expect_exit 0 lo gc -a
assert_exists "$(cache_obj "$v1")" "-a keeps the version on master"
assert_exists "$(cache_obj "$v3")" "-a keeps the head of another branch"
assert_missing "$(cache_obj "$v2")" "-a drops a version no branch head points at"
assert_exists "$(cache_obj "$v4")" "-a keeps the workspace version"
expect_exit 0 lo gc -T
assert_exists "$(cache_obj "$v1")" "-T keeps the tagged version"
assert_exists "$(cache_obj "$img1")" "-T keeps the tagged directory's files"
assert_exists "$(cache_obj "$v4")" "-T keeps the workspace version"
assert_missing "$(cache_obj "$v3")" "-T drops an untagged branch head"
expect_exit 0 lo gc
assert_missing "$(cache_obj "$v1")" "plain gc keeps only the workspace"
assert_exists "$(cache_obj "$img1")" "plain gc keeps the workspace's directory"

finish
