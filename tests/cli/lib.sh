# shellcheck shell=bash
# Shared helpers for the CLI integration tests (tests/cli/test_*.sh).
#
# Each test script does:
#     set -euo pipefail
#     . "$(dirname "$0")/lib.sh"
#     ... checks ...
#     finish
#
# Environment:
#   LEANOPS_BIN          the leanops binary (default: <source>/build/leanops)
#   LEANOPS_KEEP_TMP=1   keep the per-test temp dir (printed at the end)
#   LEANOPS_CMD_TIMEOUT  seconds before a single leanops call is killed (default 120)
#
# Output: one line per check ("ok - ..." / "FAIL - ..." with details), then the
# summary "test_x: N passed, M failed". Exit 1 if any check failed or the script
# aborted; 77 means skipped (ctest SKIP_RETURN_CODE).

set -E  # ERR trap in functions too

TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -z "${LEANOPS_BIN:-}" ]; then
  LEANOPS_BIN="${LEANOPS_SOURCE_DIR:-$LIB_DIR/../..}/build/leanops"
fi
if [ ! -x "$LEANOPS_BIN" ]; then
  echo "$TEST_NAME: LEANOPS_BIN '$LEANOPS_BIN' is not an executable file" >&2
  echo "$TEST_NAME: 0 passed, 1 failed"
  exit 1
fi
LEANOPS_BIN=$(realpath "$LEANOPS_BIN")
export LEANOPS_BIN

PASS=0
FAIL=0
_FINISHED=0
_BG_PIDS=()

T=$(mktemp -d "${TMPDIR:-/tmp}/leanops-$TEST_NAME.XXXXXX")
T=$(realpath "$T")
OUT="$T/.out"   # stdout of the last expect_exit / run
ERR="$T/.err"   # stderr of the last expect_exit / run
LAST_OUT=""
LAST_ERR=""
LAST_RC=0

# Isolate from the user's configuration (git, dvc global config, ~/.aws ...).
export HOME="$T/home"
mkdir -p "$HOME"
unset XDG_CONFIG_HOME XDG_CACHE_HOME
export GIT_CONFIG_NOSYSTEM=1
export LC_ALL=C.UTF-8
export PYTHONIOENCODING=utf-8
export PYTHONDONTWRITEBYTECODE=1

_cleanup() {
  local rc=$?
  local p
  for p in "${_BG_PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  if [ "$_FINISHED" != 1 ]; then
    if [ "$rc" = 77 ]; then
      :
    else
      echo "FAIL - $TEST_NAME aborted (exit $rc)${_ABORT_WHERE:+ at $_ABORT_WHERE}"
      echo "$TEST_NAME: $PASS passed, $((FAIL + 1)) failed"
      rc=1
    fi
  fi
  cd /
  if [ "${LEANOPS_KEEP_TMP:-0}" = 1 ]; then
    echo "# temp dir kept: $T" >&2
  else
    chmod -R u+w "$T" 2>/dev/null || true
    rm -rf "$T"
  fi
  exit "$rc"
}
trap _cleanup EXIT
trap '_ABORT_WHERE="line $LINENO: $BASH_COMMAND"' ERR

# register_bg PID: killed (-9) at exit if still running.
register_bg() { _BG_PIDS+=("$1"); }

# --------------------------------------------------------------------------
# Reporting

ok() {
  PASS=$((PASS + 1))
  echo "ok - $1"
}

# fail DESC [DETAIL...]
fail() {
  FAIL=$((FAIL + 1))
  echo "FAIL - $1"
  shift
  local d
  for d in "$@"; do
    printf '%s\n' "$d" | sed 's/^/    # /'
  done
}

skip_all() {
  echo "$TEST_NAME: skipped: $*"
  _FINISHED=1
  exit 77
}

finish() {
  _FINISHED=1
  echo "$TEST_NAME: $PASS passed, $FAIL failed"
  if [ "$FAIL" -gt 0 ] || [ "$PASS" -eq 0 ]; then
    exit 1
  fi
  exit 0
}

# --------------------------------------------------------------------------
# Running leanops

# lo ARGS...: run leanops (bounded by a timeout).
lo() {
  timeout -k 5 "${LEANOPS_CMD_TIMEOUT:-120}" "$LEANOPS_BIN" "$@"
}

# run CMD...: run a command, capture stdout/stderr/exit code (never aborts).
run() {
  "$@" >"$OUT" 2>"$ERR" && LAST_RC=0 || LAST_RC=$?
  LAST_OUT=$(cat "$OUT")
  LAST_ERR=$(cat "$ERR")
  return 0
}

# _stderr_one_error_line FILE: stderr is exactly one line "leanops: error: <msg>\n".
_stderr_one_error_line() {
  local f=$1
  [ "$(wc -l <"$f")" -eq 1 ] || return 1
  [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || return 1
  grep -q '^leanops: error: .' "$f" || return 1
}

# expect_exit CODE CMD...: run CMD, check its exit code; for a non-zero CODE also
# check stderr is exactly one line starting with "leanops: error: ".
# Sets LAST_OUT, LAST_ERR, LAST_RC. Always returns 0: a failure is counted
# and the script goes on.
expect_exit() {
  local want=$1
  shift
  run "$@"
  local desc="exit $want: $*"
  if [ "$LAST_RC" != "$want" ]; then
    fail "$desc" "got exit $LAST_RC" "stdout: $(head -c 2000 "$OUT")" "stderr: $(head -c 2000 "$ERR")"
    return 0
  fi
  if [ "$want" != 0 ] && ! _stderr_one_error_line "$ERR"; then
    fail "$desc (stderr must be one 'leanops: error: ' line)" "stderr: $(head -c 2000 "$ERR")"
    return 0
  fi
  ok "$desc"
  return 0
}

# expect_fail CMD...: like expect_exit but any non-zero code is accepted.
expect_fail() {
  run "$@"
  local desc="fails: $*"
  if [ "$LAST_RC" = 0 ]; then
    fail "$desc" "got exit 0" "stdout: $(head -c 2000 "$OUT")" "stderr: $(head -c 2000 "$ERR")"
    return 0
  fi
  if ! _stderr_one_error_line "$ERR"; then
    fail "$desc (exit $LAST_RC; stderr must be one 'leanops: error: ' line)" "stderr: $(head -c 2000 "$ERR")"
    return 0
  fi
  ok "$desc (exit $LAST_RC)"
  return 0
}

# --------------------------------------------------------------------------
# Assertions (each counts one pass or one failure; none aborts the script)

# check DESC CMD...: passes when CMD succeeds.
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else fail "$desc" "command failed: $*"; fi
}

# assert_eq EXPECTED ACTUAL DESC
assert_eq() {
  if [ "$1" == "$2" ]; then
    ok "$3"
  elif [[ "$1" == *$'\n'* || "$2" == *$'\n'* ]]; then
    fail "$3" "diff expected actual (first lines):" \
      "$(diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -n 20)"
  else
    fail "$3" "expected: $(printf '%q' "$1")" "actual:   $(printf '%q' "$2")"
  fi
}

assert_ne() {
  if [ "$1" != "$2" ]; then
    ok "$3"
  else
    fail "$3" "both are: $(printf '%q' "$1")"
  fi
}

# assert_contains HAYSTACK NEEDLE DESC
assert_contains() {
  if [[ "$1" == *"$2"* ]]; then
    ok "$3"
  else
    fail "$3" "expected to contain: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"
  fi
}

assert_not_contains() {
  if [[ "$1" != *"$2"* ]]; then
    ok "$3"
  else
    fail "$3" "expected NOT to contain: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"
  fi
}

# assert_line TEXT LINE DESC: TEXT has a line exactly equal to LINE.
assert_line() {
  if grep -qxF -- "$2" <<<"$1"; then
    ok "$3"
  else
    fail "$3" "expected a line: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"
  fi
}

assert_no_line() {
  if grep -qxF -- "$2" <<<"$1"; then
    fail "$3" "unexpected line: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"
  else
    ok "$3"
  fi
}

# assert_match TEXT REGEX DESC: some line of TEXT matches the extended REGEX.
assert_match() {
  if grep -qE -- "$2" <<<"$1"; then
    ok "$3"
  else
    fail "$3" "expected a line matching: $(printf '%q' "$2")" "in: $(printf '%q' "${1:0:3000}")"
  fi
}

# assert_file_eq FILE EXPECTED_BYTES DESC: byte-exact content.
assert_file_eq() {
  local f=$1 want=$2 desc=$3
  if [ ! -f "$f" ]; then
    fail "$desc" "missing file $f"
    return
  fi
  printf '%s' "$want" >"$T/.want"
  if cmp -s "$T/.want" "$f"; then
    ok "$desc"
  else
    fail "$desc" "expected: $(python3 -c 'import sys; print(repr(sys.argv[1]))' "$want")" \
      "actual:   $(python3 -c 'import sys; print(repr(open(sys.argv[1], "rb").read()[:3000]))' "$f")"
  fi
}

# assert_same_file A B DESC: byte-identical files.
assert_same_file() {
  if [ -r "$1" ] && [ -r "$2" ] && cmp -s "$1" "$2"; then
    ok "$3"
  else
    fail "$3" "files differ or are missing: $1 $2"
  fi
}

assert_exists() { if [ -e "$1" ] || [ -L "$1" ]; then ok "$2"; else fail "$2" "missing: $1"; fi; }
assert_missing() { if [ ! -e "$1" ] && [ ! -L "$1" ]; then ok "$2"; else fail "$2" "exists: $1"; fi; }

# assert_json_eq JSON_TEXT EXPECTED_JSON DESC: equal after parsing.
assert_json_eq() {
  if python3 - "$1" "$2" <<'EOF'
import json, sys
try:
    a = json.loads(sys.argv[1])
except Exception as e:
    print("    # not JSON: %s" % e)
    sys.exit(1)
sys.exit(0 if a == json.loads(sys.argv[2]) else 1)
EOF
  then
    ok "$3"
  else
    fail "$3" "expected JSON: $2" "actual: ${1:0:3000}"
  fi
}

# --------------------------------------------------------------------------
# Repositories, hashes, cache objects

# new_repo NAME: make $T/NAME a git repo with user set, `leanops init` it, cd into it.
new_repo() {
  local d="$T/$1"
  mkdir -p "$d"
  cd "$d"
  git init -q
  git config user.name "leanops test"
  git config user.email "test@leanops.invalid"
  git config commit.gpgsign false
  lo init >/dev/null 2>"$T/.init_err" || {
    fail "leanops init in $d" "$(cat "$T/.init_err")"
    return 1
  }
}

md5_of() { md5sum "$1" | cut -d' ' -f1; }
md5_str() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

# obj_path ROOT OID: path of an object in a cache/remote root (DVC 3 layout).
obj_path() { printf '%s/files/md5/%s/%s' "$1" "${2:0:2}" "${2:2}"; }
# cache_obj OID: the object's path in the current repo's cache.
cache_obj() { obj_path .dvc/cache "$1"; }

# dir_manifest DIR: the exact .dir bytes DVC writes for DIR (no trailing newline).
dir_manifest() {
  python3 - "$1" <<'EOF'
import hashlib, json, os, sys
root = sys.argv[1]
items = []
for dp, dns, fns in os.walk(root):
    for fn in fns:
        p = os.path.join(dp, fn)
        rel = os.path.relpath(p, root).replace(os.sep, "/")
        with open(p, "rb") as f:
            h = hashlib.md5(f.read()).hexdigest()
        items.append({"md5": h, "relpath": rel})
items.sort(key=lambda d: d["relpath"])
sys.stdout.write(json.dumps(items, sort_keys=True))
EOF
}

# dir_oid DIR: "<md5 of manifest>.dir"
dir_oid() { echo "$(dir_manifest "$1" | md5sum | cut -d' ' -f1).dir"; }
dir_size() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
dir_nfiles() { find "$1" -type f | wc -l | tr -d ' '; }

# tree_digest DIR: "relpath md5" of every file, sorted (to compare workspaces).
tree_digest() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r md5sum)
}

# count_objects ROOT: number of objects with a final name under ROOT/files/md5.
count_objects() {
  if [ ! -d "$1/files/md5" ]; then echo 0; return; fi
  find "$1/files/md5" -type f | grep -cE '/files/md5/[0-9a-f]{2}/[0-9a-f]{30}(\.dir)?$' || true
}

# bad_objects ROOT: prints every object under ROOT/files/md5 with a final name
# whose content does not match it (md5 of bytes; for .dir, md5 + ".dir" and a
# JSON list). Temp files (other names) are ignored.
bad_objects() {
  python3 - "$1" <<'EOF'
import hashlib, json, os, re, sys
root = os.path.join(sys.argv[1], "files", "md5")
pat = re.compile(r"^[0-9a-f]{30}(\.dir)?$")
if not os.path.isdir(root):
    sys.exit(0)
for pre in sorted(os.listdir(root)):
    d = os.path.join(root, pre)
    if not re.fullmatch(r"[0-9a-f]{2}", pre) or not os.path.isdir(d):
        continue
    for name in sorted(os.listdir(d)):
        if not pat.match(name):
            continue
        p = os.path.join(d, name)
        h = hashlib.md5()
        with open(p, "rb") as f:
            data = f.read()
        h.update(data)
        oid = pre + name
        ok = True
        if oid.endswith(".dir"):
            ok = h.hexdigest() + ".dir" == oid
            if ok:
                try:
                    ok = isinstance(json.loads(data), list)
                except Exception:
                    ok = False
        else:
            ok = h.hexdigest() == oid
        if not ok:
            print("%s (content md5 %s, %d bytes)" % (p, h.hexdigest(), len(data)))
EOF
}

# check_odb ROOT DESC: every object under ROOT has content matching its name.
check_odb() {
  local bad
  bad=$(bad_objects "$1")
  if [ -z "$bad" ]; then ok "$2"; else fail "$2" "$bad"; fi
}

# mtime_ns FILE
mtime_ns() { stat -c '%.9Y' "$1" 2>/dev/null || stat -c '%Y' "$1"; }
