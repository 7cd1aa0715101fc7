#!/usr/bin/env bash
# Run artifacts through a tracking server's artifact proxy: `leanops server`
# keeps new runs' artifacts at mlflow-artifacts:/ URIs, and the CLI pointed at
# it with an http:// tracking URI uploads, lists and downloads them byte for
# byte over /api/2.0/mlflow-artifacts, as MLflow's client does.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

unset LEANOPS_TRACKING_URI MLFLOW_TRACKING_URI

"$LEANOPS_BIN" server --port 0 --backend-store-uri "sqlite:///$T/server.db" \
  --artifacts-destination "$T/destination" >"$T/server.out" 2>"$T/server.err" &
register_bg $!
URL=""
for _ in $(seq 1 300); do
  URL=$(sed -n 's|^leanops server listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$|\1|p' "$T/server.out")
  [ -n "$URL" ] && break
  sleep 0.1
done
assert_ne "" "$URL" "the server starts"
export LEANOPS_TRACKING_URI=$URL

new_repo proxy
mkdir -p model
printf 'flavors: {}\n' >model/MLmodel
head -c 300000 /dev/urandom >model/weights.bin
printf 'a b\n' >"notes with space.txt"

expect_exit 0 lo runs log --experiment px --metric auc=0.9 --artifact model \
  --artifact "notes with space.txt:docs" --register churn --json
RUN=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["run_id"])' "$LAST_OUT")
ARTIFACT_URI=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["artifact_uri"])' "$LAST_OUT")
assert_eq "mlflow-artifacts:/1/$RUN/artifacts" "$ARTIFACT_URI" "new runs keep artifacts behind the proxy"
assert_eq "$(md5_of model/weights.bin)" \
  "$(md5_of "$T/destination/1/$RUN/artifacts/model/weights.bin")" \
  "the upload went through the server into its destination"

expect_exit 0 lo artifacts list "$RUN"
assert_contains "$LAST_OUT" "model/" "list shows the model directory"
expect_exit 0 lo artifacts list "$RUN" model --json
assert_contains "$LAST_OUT" '"file_size": 300000' "list gives file sizes"

expect_exit 0 lo artifacts get "$RUN" model -o "$T/got"
assert_eq "$(md5_of model/weights.bin)" "$(md5_of "$T/got/weights.bin")" "a directory downloads byte for byte"
expect_exit 0 lo artifacts get "$RUN" "docs/notes with space.txt" -o "$T/notes.txt"
assert_eq "a b" "$(cat "$T/notes.txt")" "names with spaces travel percent-encoded"

expect_exit 3 lo artifacts get "$RUN" model/missing.bin -o "$T/missing"
assert_contains "$LAST_ERR" "not found" "a missing artifact is a data error"
[ ! -e "$T/missing" ] && ok "nothing is left for a failed download" || fail "a failed download left a file"

# The same run read from the server's database directly cannot reach the proxy.
expect_exit 3 lo artifacts list "$RUN" --tracking-uri "sqlite:///$T/server.db"
assert_contains "$LAST_ERR" "--tracking-uri http://host:port" "a proxied run needs the server's URI"

finish
