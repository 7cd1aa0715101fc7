#!/usr/bin/env bash
# kill -9 safety: add, commit, push, pull and checkout killed at several points.
# After each kill: every object with a final name (cache and remote) holds the
# bytes its name says, the workspace is not damaged, and running the same
# command again succeeds and leaves the right result.
#
#   LEANOPS_CRASH_MB      total size of the data set (default 200)
#   LEANOPS_CRASH_DELAYS  kill delays in seconds (default "0.05 0.15 0.3 0.5")
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MB=${LEANOPS_CRASH_MB:-200}
DELAYS=${LEANOPS_CRASH_DELAYS:-"0.05 0.15 0.3 0.5"}
NFILES=300

# gen_data DIR: NFILES files in 10 subdirectories, MB megabytes in total:
# 3 large files (60% of the bytes) and many small ones.
gen_data() {
  python3 - "$1" "$MB" "$NFILES" <<'EOF'
import os, random, sys
root, mb, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20240611)
total = mb * 1024 * 1024
big = int(total * 0.6) // 3
small_total = total - 3 * big
for i in range(n):
    d = os.path.join(root, "d%02d" % (i % 10))
    os.makedirs(d, exist_ok=True)
    if i < 3:
        size = big
    else:
        size = max(1, int(small_total / (n - 3) * rnd.uniform(0.5, 1.5)))
    with open(os.path.join(d, "f%03d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
EOF
}

# mutate_data DIR ROUND: rewrite a large file and 30 small ones, add a file.
mutate_data() {
  python3 - "$1" "$2" <<'EOF'
import os, sys
root, r = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs)
big = [p for p in files if os.path.basename(p) in ("f000.bin", "f001.bin", "f002.bin")]
small = [p for p in files if p not in big]
targets = [big[r % len(big)]] + small[(r * 30) % len(small):][:30]
for p in targets:
    size = os.path.getsize(p)
    os.chmod(p, 0o644)
    os.unlink(p)  # break any link to the cache
    with open(p, "wb") as f:
        f.write(os.urandom(size))
with open(os.path.join(root, "new_%d.bin" % r), "wb") as f:
    f.write(os.urandom(100000))
EOF
}

# missing_on ROOT: prints the oids referenced by the manifest of DIR (and the
# manifest itself) that ROOT lacks.
missing_on() {
  python3 - "$1" "$2" <<'EOF'
import hashlib, json, os, sys
root, manifest = sys.argv[1], sys.argv[2]
items = json.loads(manifest)
oids = {i["md5"] for i in items}
oids.add(hashlib.md5(manifest.encode()).hexdigest() + ".dir")
for o in sorted(oids):
    if not os.path.isfile(os.path.join(root, "files", "md5", o[:2], o[2:])):
        print(o)
EOF
}

# kill_during DELAY CMD...: start leanops CMD, SIGKILL it after DELAY seconds.
KILLED=0
kill_during() {
  local delay=$1
  shift
  "$LEANOPS_BIN" "$@" >"$T/killed.out" 2>"$T/killed.err" &
  local pid=$!
  register_bg "$pid"
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then KILLED=$((KILLED + 1)); fi
  wait "$pid" 2>/dev/null || true
}

jitter() { python3 -c "import random,sys; print('%.3f' % (float(sys.argv[1]) * random.uniform(0.8, 1.2)))" "$1"; }

REM="$T/remote"
new_repo crash
lo remote add -d r "$REM" >/dev/null
mkdir -p data
gen_data data
digest=$(tree_digest data)
manifest=$(dir_manifest data)
doid=$(dir_oid data)
echo "# data: $(dir_nfiles data) files, $(dir_size data) bytes"

# ---------------------------------------------------------------- add
round=0
for d in $DELAYS; do
  round=$((round + 1))
  chmod -R u+w .dvc/cache 2>/dev/null || true
  rm -rf .dvc/cache data.dvc .gitignore
  kill_during "$(jitter "$d")" add data
  check_odb .dvc/cache "add killed after ~${d}s: no corrupt cache object"
  assert_eq "$digest" "$(tree_digest data)" "add killed after ~${d}s: workspace intact"
  expect_exit 0 lo add --no-wait data
  assert_contains "$(cat data.dvc 2>/dev/null)" "md5: $doid" "add rerun (~${d}s): data.dvc has the right .dir oid"
  assert_eq "" "$(missing_on .dvc/cache "$manifest")" "add rerun (~${d}s): every object in the cache"
  check_odb .dvc/cache "add rerun (~${d}s): cache consistent"
done
expect_exit 0 lo status
assert_eq "Data and pipelines are up to date." "$LAST_OUT" "status clean after the add rounds"

# ---------------------------------------------------------------- commit
round=0
for d in $DELAYS; do
  round=$((round + 1))
  mutate_data data "$round"
  digest=$(tree_digest data)
  manifest=$(dir_manifest data)
  doid=$(dir_oid data)
  kill_during "$(jitter "$d")" commit data.dvc
  check_odb .dvc/cache "commit killed after ~${d}s: no corrupt cache object"
  assert_eq "$digest" "$(tree_digest data)" "commit killed after ~${d}s: workspace intact"
  expect_exit 0 lo commit --no-wait data.dvc
  assert_contains "$(cat data.dvc 2>/dev/null)" "md5: $doid" "commit rerun (~${d}s): data.dvc has the new oid"
  assert_eq "" "$(missing_on .dvc/cache "$manifest")" "commit rerun (~${d}s): every object in the cache"
  check_odb .dvc/cache "commit rerun (~${d}s): cache consistent"
  expect_exit 0 lo status --json
  assert_json_eq "$LAST_OUT" '{}' "commit rerun (~${d}s): status clean"
done
cp data.dvc "$T/data.dvc.last"

# ---------------------------------------------------------------- push
for d in $DELAYS; do
  chmod -R u+w "$REM" 2>/dev/null || true
  rm -rf "$REM"
  kill_during "$(jitter "$d")" push
  check_odb "$REM" "push killed after ~${d}s: no corrupt remote object"
  expect_exit 0 lo push --no-wait
  assert_eq "" "$(missing_on "$REM" "$manifest")" "push rerun (~${d}s): every object on the remote"
  check_odb "$REM" "push rerun (~${d}s): remote consistent"
done
# killed while pushing on top of a partial remote, twice, then finish
kill_during 0.2 push
kill_during 0.2 push
expect_exit 0 lo push
check_odb "$REM" "remote consistent after repeated killed pushes"

# ---------------------------------------------------------------- pull
for d in $DELAYS; do
  chmod -R u+w .dvc/cache data 2>/dev/null || true
  rm -rf .dvc/cache data
  kill_during "$(jitter "$d")" pull
  check_odb .dvc/cache "pull killed after ~${d}s: no corrupt cache object"
  expect_exit 0 lo pull --no-wait
  assert_eq "$digest" "$(tree_digest data 2>/dev/null)" "pull rerun (~${d}s): workspace matches"
  if [ "$LAST_RC" != 0 ]; then
    echo "# recovering with pull --force"
    lo pull --force >/dev/null 2>&1 || lo checkout --force >/dev/null 2>&1 || true
  fi
  check_odb .dvc/cache "pull rerun (~${d}s): cache consistent"
  expect_exit 0 lo status --json
  assert_json_eq "$LAST_OUT" '{}' "pull rerun (~${d}s): status clean"
done

# ---------------------------------------------------------------- checkout
# alternate: restore a deleted workspace / switch between two committed versions
first_dvc="$T/data.dvc.first"
mutate_data data 99
lo commit data.dvc >/dev/null 2>&1
cp data.dvc "$first_dvc"
digest_first=$(tree_digest data)
digest_last=$digest
i=0
for d in $DELAYS; do
  i=$((i + 1))
  if [ $((i % 2)) = 1 ]; then
    chmod -R u+w data 2>/dev/null || true
    rm -rf data
    what="deleted workspace"
  else
    what="version switch"
    if cmp -s data.dvc "$first_dvc"; then cp "$T/data.dvc.last" data.dvc; else cp "$first_dvc" data.dvc; fi
  fi
  if cmp -s data.dvc "$first_dvc"; then want=$digest_first; else want=$digest_last; fi
  kill_during "$(jitter "$d")" checkout
  check_odb .dvc/cache "checkout ($what) killed after ~${d}s: cache untouched"
  expect_exit 0 lo checkout --no-wait
  assert_eq "$want" "$(tree_digest data 2>/dev/null)" "checkout rerun ($what, ~${d}s): workspace matches"
  if [ "$LAST_RC" != 0 ]; then
    # keep the rounds independent: recover with --force before the next one
    echo "# recovering with checkout --force"
    lo checkout --force >/dev/null 2>&1 || true
  fi
done

# final: a last checkout and status agree
expect_exit 0 lo checkout
expect_exit 0 lo status --json
assert_json_eq "$LAST_OUT" '{}' "final status clean"
check_odb .dvc/cache "final cache consistent"
check_odb "$REM" "final remote consistent"
tmpleft=$( (find .dvc/cache "$REM" -type f | grep -vcE '/files/md5/[0-9a-f]{2}/[0-9a-f]{30}(\.dir)?$') || true)
echo "# processes killed: $KILLED; leftover temp files (allowed): $tmpleft"

finish
