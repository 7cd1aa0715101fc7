#!/usr/bin/env bash
# push/pull through an S3 remote (shared/services/s3.sh: s3rver behind a real SigV4 check).
# Skipped (77) unless LEANOPS_S3_ENDPOINT is set; to run it by hand:
#   envs=$(bash ../shared/services/s3.sh start) && eval "$envs"
set -euo pipefail
if [ -z "${LEANOPS_S3_ENDPOINT:-}" ]; then
  echo "test_s3: skipped: LEANOPS_S3_ENDPOINT is not set (start ../shared/services/s3.sh)"
  exit 77
fi
. "$(dirname "$0")/lib.sh"

EP=$LEANOPS_S3_ENDPOINT
BUCKET=${LEANOPS_S3_BUCKET:-leanops}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${LEANOPS_S3_ACCESS_KEY:-leanops}}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${LEANOPS_S3_SECRET_KEY:-leanops-secret}}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${LEANOPS_S3_REGION:-us-east-1}}
REGION=$AWS_DEFAULT_REGION
PREFIX="leanops-test/$(date +%s)-$$-$RANDOM"

s3curl() {
  curl -sS --fail-with-body -m 30 --aws-sigv4 "aws:amz:$REGION:s3" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
# s3_keys PREFIX: every key under PREFIX (ListObjectsV2, paginated).
s3_keys() {
  local prefix=$1 token="" body enc
  enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$prefix")
  while :; do
    if [ -n "$token" ]; then
      local t
      t=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$token")
      body=$(s3curl "$EP/$BUCKET?continuation-token=$t&list-type=2&prefix=$enc")
    else
      body=$(s3curl "$EP/$BUCKET?list-type=2&prefix=$enc")
    fi
    printf '%s' "$body" | grep -o '<Key>[^<]*</Key>' | sed 's/<Key>//; s/<\/Key>//' || true
    if printf '%s' "$body" | grep -q '<IsTruncated>true</IsTruncated>'; then
      token=$(printf '%s' "$body" | grep -o '<NextContinuationToken>[^<]*' | sed 's/.*>//')
    else
      break
    fi
  done
}
s3_key_of() { printf '%s/files/md5/%s/%s' "$PREFIX" "${1:0:2}" "${1:2}"; }
s3_cleanup() {
  local k
  for k in $(s3_keys "$PREFIX/" 2>/dev/null); do
    s3curl -X DELETE "$EP/$BUCKET/$k" >/dev/null 2>&1 || true
  done
}

if ! s3curl -o /dev/null "$EP/$BUCKET?list-type=2&max-keys=1"; then
  fail "S3 service at $EP answers a signed ListObjectsV2"
  finish
fi

new_repo s3
expect_exit 0 lo remote add -d s3r "s3://$BUCKET/$PREFIX"
expect_exit 0 lo remote modify s3r endpointurl "$EP"
cfg=$(cat .dvc/config)
assert_line "$cfg" "    url = s3://$BUCKET/$PREFIX" "s3 url in .dvc/config"
assert_line "$cfg" "    endpointurl = $EP" "endpointurl in .dvc/config"

printf 'hello s3\n' >hello.txt
head -c 12000000 /dev/urandom >big.bin    # > 8 MiB: multipart-sized
mkdir -p ds/sub
for i in 1 2 3 4 5; do head -c $((i * 3000)) /dev/urandom >ds/f$i.bin; done
printf 'nested\n' >ds/sub/n.txt
printf 'caf\xc3\xa9\n' >"ds/sub/caf"$'\u00e9'".txt"
mkdir -p "$T/orig" && cp -a hello.txt big.bin ds "$T/orig/"
lo add hello.txt big.bin ds >/dev/null 2>&1
ncache=$(count_objects .dvc/cache)
hm=$(md5_of hello.txt)
doid=$(dir_oid ds)

expect_exit 0 lo status --cloud --json
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d.get("hello.txt")=="new" else 1)' "$LAST_OUT"; then
  ok "status --cloud before push: hello.txt new"
else
  fail "status --cloud before push: hello.txt new" "$LAST_OUT"
fi

expect_exit 0 lo push
assert_contains "$LAST_OUT" "pushed" "push reports pushed files"
keys=$(s3_keys "$PREFIX/")
assert_eq "$ncache" "$(printf '%s\n' "$keys" | grep -c . || true)" "one S3 object per cache object"
assert_line "$keys" "$(s3_key_of "$hm")" "file object at s3://bucket/prefix/files/md5/xx/..."
assert_line "$keys" "$(s3_key_of "$doid")" ".dir object on S3"
s3curl -o "$T/dl.txt" "$EP/$BUCKET/$(s3_key_of "$hm")" || true
assert_same_file "$T/dl.txt" hello.txt "S3 object has identical bytes"
s3curl -o "$T/dl.big" "$EP/$BUCKET/$(s3_key_of "$(md5_of big.bin)")" || true
assert_same_file "$T/dl.big" big.bin "large S3 object has identical bytes"

expect_exit 0 lo push
assert_contains "$LAST_OUT" "Everything is up to date." "second push: Everything is up to date."
expect_exit 0 lo status --cloud
assert_eq "Cache and remote 's3r' are in sync." "$LAST_OUT" "status --cloud in sync with S3"

# round trip
chmod -R u+w .dvc/cache
rm -rf .dvc/cache hello.txt big.bin ds
expect_exit 0 lo pull
assert_same_file hello.txt "$T/orig/hello.txt" "pull from S3: file byte-identical"
assert_same_file big.bin "$T/orig/big.bin" "pull from S3: large file byte-identical"
assert_eq "$(tree_digest "$T/orig/ds")" "$(tree_digest ds 2>/dev/null)" "pull from S3: dir identical"
check_odb .dvc/cache "cache objects fetched from S3 match their names"
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after S3 pull"

# credentials from the remote's options instead of the environment
expect_exit 0 lo remote modify --local s3r access_key_id "$AWS_ACCESS_KEY_ID"
expect_exit 0 lo remote modify --local s3r secret_access_key "$AWS_SECRET_ACCESS_KEY"
chmod u+w "$(cache_obj "$hm")"
rm -f "$(cache_obj "$hm")" hello.txt
expect_exit 0 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$LEANOPS_BIN" pull hello.txt.dvc
assert_same_file hello.txt "$T/orig/hello.txt" "pull with credentials from config.local"
rm -f .dvc/config.local

# wrong secret: a clean single-line error, exit 4
printf 'never uploaded\n' >nope.txt
lo add nope.txt >/dev/null 2>&1
start=$(date +%s)
expect_exit 4 env AWS_SECRET_ACCESS_KEY=wrong-secret "$LEANOPS_BIN" push
if s3_keys "$PREFIX/" | grep -qxF "$(s3_key_of "$(md5_of nope.txt)")"; then
  fail "nothing uploaded with a wrong secret"
else
  ok "nothing uploaded with a wrong secret"
fi
[ $(($(date +%s) - start)) -lt 60 ] && ok "wrong secret fails within 60 s" || fail "wrong secret fails within 60 s"
chmod u+w "$(cache_obj "$hm")"
rm -f "$(cache_obj "$hm")"   # so that fetch needs the remote
expect_exit 4 env AWS_SECRET_ACCESS_KEY=wrong-secret "$LEANOPS_BIN" fetch
assert_missing "$(cache_obj "$hm")" "nothing fetched with a wrong secret"
expect_exit 0 lo fetch
assert_same_file "$(cache_obj "$hm")" "$T/orig/hello.txt" "fetch with the right secret"
expect_exit 4 env AWS_SECRET_ACCESS_KEY=wrong-secret "$LEANOPS_BIN" status --cloud
# unreachable endpoint
expect_exit 0 lo remote add dead "s3://$BUCKET/$PREFIX"
expect_exit 0 lo remote modify dead endpointurl http://127.0.0.1:9
start=$(date +%s)
expect_exit 4 lo push -r dead
[ $(($(date +%s) - start)) -lt 90 ] && ok "unreachable endpoint fails within 90 s" || fail "unreachable endpoint fails within 90 s"

expect_exit 0 lo push
assert_line "$(s3_keys "$PREFIX/")" "$(s3_key_of "$(md5_of nope.txt)")" "push with the right secret uploads"

s3_cleanup
finish
