#!/usr/bin/env bash
# Side-by-side benchmark: leanops vs the tools a user would otherwise reach for.
#
#   add     : `leanops add`     vs `md5sum` over the same bytes (file and directory)
#   status  : `leanops status`  vs `git status` on the same 20k-file tree (no-op)
#   push    : `leanops push`    to a local remote vs `cp -r` of the same data
#
# Usage: bench/data_versioning.sh [--small] [--runs N] [--peers-only] [--help]
# Env:   LEANOPS_BIN (default: <repo>/build/leanops), BENCH_DIR (default: /tmp/leanops-bench)
# See bench/README.md for what each row measures and how to read the ratios.
set -euo pipefail

# ----------------------------------------------------------------------------- options
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

SIZE_NAME=full
RUNS=3            # timed runs of each slow command (median reported)
STATUS_WARMUP=2   # hyperfine --warmup for the status commands
STATUS_RUNS=10    # hyperfine --runs for the status commands
PEERS_ONLY=0

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --small        64 MiB file and 2,000 files totalling ~64 MiB (quick smoke run)
  --runs N       timed runs per slow command, median reported (default 3)
  --peers-only   only time the peers (md5sum, git status, cp -r); no leanops needed
  -h, --help     this text
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --small) SIZE_NAME=small ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --runs=*) RUNS=${1#--runs=} ;;
        --peers-only) PEERS_ONLY=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "data_versioning.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "data_versioning.sh: --runs must be a positive integer" >&2; exit 2; }

if [[ $SIZE_NAME == full ]]; then
    FILE_BYTES=$((1024 * 1024 * 1024))   # 1 GiB single file
    DIR_FILES=20000                      # 20,000 files ...
    DIR_BYTES=$((1024 * 1024 * 1024))    # ... totalling ~1 GiB
    FILE_LABEL="1 GiB file"; DIR_LABEL="20k files/1 GiB"
else
    FILE_BYTES=$((64 * 1024 * 1024))
    DIR_FILES=2000
    DIR_BYTES=$((64 * 1024 * 1024))
    FILE_LABEL="64 MiB file"; DIR_LABEL="2k files/64 MiB"
fi
FILES_PER_SUBDIR=1000

BENCH_DIR=${BENCH_DIR:-/tmp/leanops-bench}
DATA=$BENCH_DIR/data-$SIZE_NAME      # generated once, reused by later runs
WORK=$BENCH_DIR/work                 # temp repos, removed on exit
LOGS=$BENCH_DIR/logs                 # stdout/stderr of the last run of each command

if [[ -n ${LEANOPS_BIN:-} ]]; then
    LEANOPS=$LEANOPS_BIN
    [[ $LEANOPS == */* && $LEANOPS != /* ]] && LEANOPS=$PWD/$LEANOPS       # relative to cwd
    [[ $LEANOPS == */* ]] || LEANOPS=$(command -v "$LEANOPS" || echo "$PWD/$LEANOPS")
else
    LEANOPS=$REPO_ROOT/build/leanops
fi
LEANOPS_ORIG=$LEANOPS

GIT=(git -c user.name=bench -c user.email=bench@localhost -c init.defaultBranch=main
     -c advice.detachedHead=false)

# ----------------------------------------------------------------------------- helpers
log() { printf '%s\n' "$*" >&2; }
die() { printf 'data_versioning.sh: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt_s() {   # seconds -> "12.3 ms" / "1.23 s"; anything else (FAIL, SKIP) unchanged
    if [[ $1 =~ ^[0-9.]+$ ]]; then
        awk -v t="$1" 'BEGIN { if (t < 1) printf "%.1f ms", t * 1000; else printf "%.2f s", t }'
    else
        printf '%s' "$1"
    fi
}

# Warm the page cache: read every byte of PATH (file or directory) once.
warm() { find "$1" -type f -print0 | xargs -0 -r cat >/dev/null; }

# Expected content of the generated data, as "nfiles bytes" (stat only, cheap).
shape() { find "$1" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %d\n", n, b }'; }

# Items that have been moved out of $DATA into a temp repo: "src|dst" pairs, moved back on exit.
MOVED=()
# (cache.type=hardlink leaves the data read-only, as the cache entries it shares inodes with:
# every run starts from ordinary writable files.)
move_in()  { chmod -R u+w "$1"; mv "$1" "$2"; MOVED+=("$1|$2"); }
move_back() {
    local i
    for i in "${!MOVED[@]}"; do
        if [[ ${MOVED[$i]} == "$1|"* ]]; then
            mv "${MOVED[$i]#*|}" "$1"
            unset 'MOVED[i]'
        fi
    done
}
move_retarget() {   # src newdst: the item moved out of src now lives at newdst
    local i
    for i in "${!MOVED[@]}"; do
        [[ ${MOVED[$i]} == "$1|"* ]] && MOVED[i]="$1|$2"
    done
    return 0
}
# Deleting files is deferred to the end of the run. This machine's root fs is ext4 *without a
# journal*, where the inode allocator skips every free inode deleted in the last 60 s (360 s while
# its inode table block is dirty -- and creating files dirties those blocks again), rescanning
# them on each allocation: ext4 ialloc.c recently_deleted(). Right after an `rm -rf` of 20k files
# every file creation gets much slower (`cp -r` of the dataset went 3.7 s -> 10.5 s -> 17.2 s over
# three rm'd runs, and was still 5x slow 100 s later). That would penalise the rows that create
# files (leanops add/push, cp -r) but not md5sum or git status. So:
#  - a finished temp dir is "retired": its single-link files are truncated (frees the blocks and
#    page cache, keeps the inodes; files with more links are cache.type=hardlink cache entries
#    that share the generated data's inodes and are left alone) and it is renamed aside;
#  - real deletions (leftovers at start, everything at exit) are followed by `sync` and, as root,
#    by dropping the clean page cache (`echo 1 > /proc/sys/vm/drop_caches`): recently_deleted()
#    only looks at inode table blocks still in the buffer cache. (The data is read back before
#    each timed command anyway.) Without root, the next run waits 65 s instead, which may not be
#    enough: then the file-creating rows can come out too slow.
QUIET_STAMP=$BENCH_DIR/.last-mass-delete
SEQ=0
next_dir() {   # prefix -> DIRV=$WORK/prefix-N (new, empty)
    SEQ=$((SEQ + 1)); DIRV=$WORK/$1-$SEQ
    mkdir -p "$DIRV"
}
retire() {   # dir
    local d=$1 p
    [[ -e $d ]] || return 0
    for p in "${MOVED[@]}"; do
        [[ ${p#*|} != "$d"/* ]] || die "internal: retiring $d which still holds moved data ${p#*|}"
    done
    find "$d" -type f -links 1 -print0 | xargs -0 -r truncate -s 0
    mkdir -p "$WORK/retired"
    mv "$d" "$WORK/retired/${d##*/}"
}
mass_delete() {   # dir...: rm -rf; if that deleted many files, forget their inode table blocks
    local n
    n=$(find "$@" -type f 2>/dev/null | wc -l)
    rm -rf "$@"
    sync
    ((n >= 1000)) || return 0
    if [[ -w /proc/sys/vm/drop_caches ]] && echo 1 >/proc/sys/vm/drop_caches 2>/dev/null; then
        rm -f "$QUIET_STAMP"
    else
        date +%s >"$QUIET_STAMP"
    fi
}
wait_quiet() {   # without root: wait until files deleted by an earlier run are >= 65 s old
    local last left
    [[ -f $QUIET_STAMP ]] || return 0
    last=$(cat "$QUIET_STAMP")
    left=$((last + 65 - $(date +%s)))
    if ((left > 0)); then
        log "-- waiting ${left}s for the files deleted at $(date -d "@$last" +%T) to age (see 'retire' in the script)"
        sleep "$left"
    fi
}
cleanup() {
    local p
    for p in "${MOVED[@]}"; do
        [[ -e ${p#*|} && ! -e ${p%%|*} ]] && mv "${p#*|}" "${p%%|*}" || true
    done
    if [[ -d $WORK ]]; then mass_delete "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Time one command once, in directory DIR. Prints the elapsed seconds on stdout.
# stdout/stderr of the command go to $LOGS/last.{out,err}; on failure returns its exit code.
time_once() {
    local dir=$1; shift
    local t0 t1 rc=0
    sync
    t0=$(now)
    (cd "$dir" && "$@") >"$LOGS/last.out" 2>"$LOGS/last.err" || rc=$?
    t1=$(now)
    [[ $rc -eq 0 ]] || return $rc
    sub "$t1" "$t0"
}

# Fast commands: hyperfine (--warmup/--runs, median) if installed, else a bash loop (median).
time_fast() {
    local dir=$1; shift
    local i t0 t1 times=()
    if command -v hyperfine >/dev/null 2>&1; then
        local json=$LOGS/hyperfine.json
        (cd "$dir" && hyperfine -N --style none --warmup "$STATUS_WARMUP" --runs "$STATUS_RUNS" \
            --export-json "$json" -- "$(printf '%q ' "$@")") >"$LOGS/last.out" 2>"$LOGS/last.err" || return $?
        python3 -c 'import json,sys; print("%.6f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
        return 0
    fi
    for ((i = 0; i < STATUS_WARMUP + STATUS_RUNS; i++)); do
        t0=$(now)
        (cd "$dir" && "$@") >"$LOGS/last.out" 2>"$LOGS/last.err" || return $?
        t1=$(now)
        ((i < STATUS_WARMUP)) || times+=("$(sub "$t1" "$t0")")
    done
    median "${times[@]}"
}

# ----------------------------------------------------------------------------- results
ROWS=()       # "case|leanops_s|peer|peer_s|target" ; leanops_s may be FAIL/SKIP
FAILURES=()   # human-readable failure reports

add_row() { ROWS+=("$1|$2|$3|$4|$5"); }

# Record a leanops failure: the exact command, its exit code and stderr.
report_fail() {   # case, dir, rc, cmd...
    local case=$1 dir=$2 rc=$3; shift 3
    local err
    err=$(head -c 2000 "$LOGS/last.err" 2>/dev/null || true)
    [[ -n $err ]] || err=$(head -c 2000 "$LOGS/last.out" 2>/dev/null || true)
    local cmd="$*"
    cmd=${cmd//"$LEANOPS"/"$LEANOPS_ORIG"}
    FAILURES+=("[$case] (cd $dir && $cmd) -> exit $rc: ${err:-<no output>}")
    log "  FAILED: (cd $dir && $cmd) -> exit $rc"
    [[ -z $err ]] || log "          $err"
}

print_table() {
    local r name lo peer ps target ratio verdict
    printf '\n%-46s %11s %-13s %11s %8s %9s  %s\n' "case" "leanops" "peer" "peer time" "ratio" "target" "verdict"
    printf "%s\n" "$(printf "%.0s-" {1..118})"
    for r in "${ROWS[@]}"; do
        IFS='|' read -r name lo peer ps target <<<"$r"
        if [[ $lo =~ ^[0-9.]+$ && $ps =~ ^[0-9.]+$ ]]; then
            ratio=$(awk -v a="$lo" -v b="$ps" 'BEGIN { printf "%.2fx", a / b }')
            lo_s=$(fmt_s "$lo")
            if [[ $target =~ ^\<=([0-9.]+)x$ ]]; then
                verdict=$(awk -v a="$lo" -v b="$ps" -v t="${BASH_REMATCH[1]}" 'BEGIN { print (a / b <= t) ? "PASS" : "MISS" }')
            else
                verdict=info
            fi
        else
            ratio=-; lo_s=$lo; verdict=$lo
        fi
        [[ $ps =~ ^[0-9.]+$ ]] && ps=$(fmt_s "$ps")
        printf '%-46s %11s %-13s %11s %8s %9s  %s\n' "$name" "$lo_s" "$peer" "$ps" "$ratio" "$target" "$verdict"
    done
    printf "%s\n" "$(printf "%.0s-" {1..118})"
    echo "ratio = leanops time / peer time (lower is better); times are medians ($RUNS runs; status: hyperfine/loop median of $STATUS_RUNS after $STATUS_WARMUP warmups)"
}

# ----------------------------------------------------------------------------- machine info
mkdir -p "$BENCH_DIR" "$LOGS"
exec 9>"$BENCH_DIR/.lock"
flock -n 9 || { echo "data_versioning.sh: another run is using $BENCH_DIR" >&2; trap - EXIT; exit 1; }
if [[ -d $WORK ]]; then mass_delete "$WORK"; fi   # left over by an interrupted run
mkdir -p "$WORK"

echo "== leanops data-versioning benchmark ($SIZE_NAME) =="
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:     nproc=$(nproc), cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:   $(uname -srm)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)$(awk '$1 > 0.5 { printf "  -- WARNING: the machine is busy, timings will be noisy" }' /proc/loadavg)"
echo "bench fs: $BENCH_DIR on $(df -PT "$BENCH_DIR" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
echo "tools:    $(git --version), $(md5sum --version | sed -n 1p), $(command -v hyperfine >/dev/null && hyperfine --version || echo 'no hyperfine (bash loop)')"
if [[ $PEERS_ONLY -eq 0 ]]; then
    [[ -x $LEANOPS ]] || die "leanops binary not found at $LEANOPS (build it, or set LEANOPS_BIN; --peers-only times only the peers)"
    echo "leanops:  $LEANOPS ($("$LEANOPS" --version 2>&1 | sed -n 1p), $(stat -c '%y' "$LEANOPS" | cut -d. -f1))"
    # Snapshot the binary so that a concurrent rebuild cannot swap it in the middle of the run.
    mkdir -p "$WORK/bin"; cp "$LEANOPS" "$WORK/bin/leanops"
    LEANOPS_ORIG=$LEANOPS; LEANOPS=$WORK/bin/leanops
else
    echo "leanops:  (--peers-only: not run)"
fi

# ----------------------------------------------------------------------------- data
# Deterministic incompressible bytes: AES-128-CTR keystream of /dev/zero with a fixed key/iv.
stream() {   # seed-iv
    openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv "$1" -in /dev/zero 2>/dev/null
}

gen_data() {
    local stamp="v1 $FILE_BYTES $DIR_FILES $DIR_BYTES $FILES_PER_SUBDIR"
    if [[ -f $DATA/.complete && $(cat "$DATA/.complete") == "$stamp" ]]; then
        echo "data:     reusing $DATA"
        return 0
    fi
    echo "data:     generating $DATA ..."
    if [[ -d $DATA ]]; then mass_delete "$DATA"; fi
    mkdir -p "$DATA"
    local t0; t0=$(now)
    # (a) one big file
    { stream 00000000000000000000000000000001 || true; } | head -c "$FILE_BYTES" >"$DATA/big.bin"
    # (b) DIR_FILES files, sizes uniform in [10 KiB, 2*mean-10 KiB] so the total is ~DIR_BYTES,
    #     in subdirectories of FILES_PER_SUBDIR files; content cut from a second keystream.
    local py='
import os, random, sys
root, n, total, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
lo = 10 * 1024
hi = 2 * (total // n) - lo
rng = random.Random(20240601)
src = sys.stdin.buffer
for i in range(n):
    d = os.path.join(root, "part-%03d" % (i // per))
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    size = rng.randint(lo, hi)
    buf = src.read(size)
    assert len(buf) == size
    with open(os.path.join(d, "sample-%06d.bin" % i), "wb") as f:
        f.write(buf)
'
    { stream 00000000000000000000000000000002 || true; } |
        python3 -c "$py" "$DATA/dataset" "$DIR_FILES" "$DIR_BYTES" "$FILES_PER_SUBDIR"
    shape "$DATA/big.bin" >"$DATA/.shape-big"
    shape "$DATA/dataset" >"$DATA/.shape-dataset"
    sync
    echo "$stamp" >"$DATA/.complete"
    echo "data:     generated in $(fmt_s "$(sub "$(now)" "$t0")")"
}
gen_data
read -r _ BIG_B <"$DATA/.shape-big"
read -r DS_N DS_B <"$DATA/.shape-dataset"
echo "data:     big.bin = $BIG_B bytes; dataset/ = $DS_N files, $DS_B bytes"

check_data() {   # make sure a moved-back item is intact (count + sizes)
    local name=$1 expect
    expect=$(cat "$DATA/.shape-${name%.bin}")
    [[ $(shape "$DATA/$name") == "$expect" ]] || die "generated data $DATA/$name changed shape (expected '$expect'); delete $DATA and rerun"
}

# ----------------------------------------------------------------------------- cases
# Every slow case interleaves its runs: peer run 1, leanops run 1, peer run 2, ... so that both
# tools see the same machine conditions; each appends its time to PT (peer) / LT (leanops).
PT=(); LT=(); LFAIL=0

# Peer: md5sum over the same bytes, page cache warm, single process as a user would.
md5_once() {   # name
    local name=$1 t
    warm "$DATA/$name"
    if [[ -f $DATA/$name ]]; then
        t=$(time_once "$DATA" md5sum "$name")
    else
        t=$(time_once "$DATA" bash -c 'find "$1" -type f -print0 | xargs -0 md5sum >/dev/null' _ "$name")
    fi
    PT+=("$t")
}

# Peer: cp -r of the same data into an empty directory, source warm.
cp_once() {   # name
    local name=$1 dst t
    next_dir cp-dst; dst=$DIRV
    warm "$DATA/$name"
    t=$(time_once "$DATA" cp -r "$name" "$dst/")
    retire "$dst"
    PT+=("$t")
}

# A fresh git + leanops repo at $1 (cache type $2: copy|hardlink). Returns 1 after report_fail.
new_repo() {   # repo ctype case
    local repo=$1 ctype=$2 case=$3 rc=0
    (cd "$repo" && "${GIT[@]}" init -q)
    (cd "$repo" && "$LEANOPS" init) >"$LOGS/last.out" 2>"$LOGS/last.err" || rc=$?
    if [[ $rc -ne 0 ]]; then
        report_fail "$case" "$repo" "$rc" "$LEANOPS" init
        return 1
    fi
    if [[ $ctype == hardlink ]]; then
        printf '[cache]\n    type = hardlink\n' >>"$repo/.dvc/config"
    fi
}

# One `leanops add NAME` in a fresh repo with the data moved in (only the add is timed).
# With keep=1 the repo is left at $WORK/keep-NAME with the data still inside (for status/push);
# otherwise the data goes back to $DATA and the repo is removed. Sets LFAIL=1 on failure.
add_once() {   # name ctype keep case
    local name=$1 ctype=$2 keep=$3 case=$4 t rc=0 repo
    next_dir "add-$name-$ctype"; repo=$DIRV
    new_repo "$repo" "$ctype" "$case" || { LFAIL=1; retire "$repo"; return 0; }
    move_in "$DATA/$name" "$repo/$name"
    warm "$repo/$name"
    t=$(time_once "$repo" "$LEANOPS" add "$name") || rc=$?
    if [[ $rc -ne 0 ]]; then
        report_fail "$case" "$repo" "$rc" "$LEANOPS" add "$name"
        LFAIL=1
    elif [[ ! -f $repo/$name.dvc ]]; then
        FAILURES+=("[$case] (cd $repo && $LEANOPS_ORIG add $name) exited 0 but wrote no $name.dvc")
        LFAIL=1
    else
        LT+=("$t")
    fi
    if [[ $keep -eq 1 && $LFAIL -eq 0 ]]; then
        mv "$repo" "$WORK/keep-$name"
        move_retarget "$DATA/$name" "$WORK/keep-$name/$name"
    else
        move_back "$DATA/$name"; check_data "$name"
        retire "$repo"
    fi
}

# One `leanops push` of the kept repo's cache into an empty local remote. Sets LFAIL=1 on failure.
push_once() {   # name case
    local name=$1 case=$2 repo=$WORK/keep-$1 remote t rc=0 ncache nremote
    next_dir "remote-$name"; remote=$DIRV
    (cd "$repo" && "$LEANOPS" remote add -d -f bench "$remote") >"$LOGS/last.out" 2>"$LOGS/last.err" || rc=$?
    if [[ $rc -ne 0 ]]; then
        report_fail "$case" "$repo" "$rc" "$LEANOPS" remote add -d -f bench "$remote"
        LFAIL=1; return 0
    fi
    warm "$repo/.dvc/cache"
    t=$(time_once "$repo" "$LEANOPS" push) || rc=$?
    if [[ $rc -ne 0 ]]; then
        report_fail "$case" "$repo" "$rc" "$LEANOPS" push
        LFAIL=1
    else
        ncache=$(find "$repo/.dvc/cache" -type f | wc -l)
        nremote=$(find "$remote" -type f | wc -l)
        if [[ $nremote -ne $ncache ]]; then
            FAILURES+=("[$case] (cd $repo && $LEANOPS_ORIG push) exited 0 but the remote holds $nremote files, the cache $ncache")
            LFAIL=1
        else
            LT+=("$t")
        fi
    fi
    retire "$remote"
}

# Turn PT/LT into a table row.
finish_row() {   # label peer target
    local lo p
    log "     peer    runs: $(for t in "${PT[@]}"; do fmt_s "$t"; printf '; '; done)"
    p=$(median "${PT[@]}")
    if [[ $PEERS_ONLY -eq 1 ]]; then
        lo=SKIP
    elif [[ $LFAIL -eq 1 ]]; then
        lo=FAIL
    else
        log "     leanops runs: $(for t in "${LT[@]}"; do fmt_s "$t"; printf '; '; done)"
        lo=$(median "${LT[@]}")
    fi
    add_row "$1" "$lo" "$2" "$p" "$3"
}

bench_add() {   # name ctype keep label target
    local name=$1 ctype=$2 keep=$3 label=$4 target=$5 i k
    log "-- $label: leanops add (cache.type $ctype) vs md5sum"
    PT=(); LT=(); LFAIL=0
    for ((i = 0; i < RUNS; i++)); do
        md5_once "$name"
        k=0; [[ $keep -eq 1 && $i -eq $((RUNS - 1)) ]] && k=1
        [[ $PEERS_ONLY -eq 1 || $LFAIL -eq 1 ]] || add_once "$name" "$ctype" "$k" "$label"
    done
    finish_row "$label" md5sum "$target"
}

bench_push() {   # name label target
    local name=$1 label=$2 target=$3 i
    log "-- $label: leanops push to a local remote vs cp -r"
    PT=(); LT=(); LFAIL=0
    [[ $PEERS_ONLY -eq 1 || -d $WORK/keep-$name ]] || LFAIL=1   # its add failed: reported there
    for ((i = 0; i < RUNS; i++)); do
        cp_once "$name"
        [[ $PEERS_ONLY -eq 1 || $LFAIL -eq 1 ]] || push_once "$name" "$label"
    done
    finish_row "$label" "cp -r" "$target"
}

# no-op `leanops status` in the kept dataset repo (checked clean first) -> RES.
lo_status() {   # repo case
    local repo=$1 case=$2 rc=0 out
    RES=FAIL
    out=$(cd "$repo" && "$LEANOPS" status 2>"$LOGS/last.err") || rc=$?
    if [[ $rc -ne 0 ]]; then
        report_fail "$case" "$repo" "$rc" "$LEANOPS" status
        return 0
    fi
    if [[ $out != "Data and pipelines are up to date." ]]; then
        FAILURES+=("[$case] (cd $repo && $LEANOPS_ORIG status) on an unchanged tree printed: $(head -c 500 <<<"$out")")
        return 0
    fi
    RES=$(time_fast "$repo" "$LEANOPS" status) || rc=$?
    if [[ $rc -ne 0 ]]; then
        RES=FAIL
        report_fail "$case" "$repo" "$rc" "$LEANOPS" status
    fi
}

# no-op `git status` on a repo where dataset/ is committed -> RES.
peer_git_status() {
    local repo
    next_dir git-status; repo=$DIRV
    (cd "$repo" && "${GIT[@]}" init -q)
    move_in "$DATA/dataset" "$repo/dataset"
    (cd "$repo" && "${GIT[@]}" -c core.compression=0 -c core.looseCompression=0 add dataset \
        && "${GIT[@]}" commit -q -m dataset) >"$LOGS/git-setup.log" 2>&1
    [[ -z $(cd "$repo" && git status --porcelain) ]] || die "git status is not clean after commit"
    RES=$(time_fast "$repo" git status)
    move_back "$DATA/dataset"; check_data dataset
    retire "$repo"
}

RES=
wait_quiet
T_START=$(now)

# 1) add, single file (the copy-mode repo of the last run is kept for push)
bench_add big.bin  copy     1 "add $FILE_LABEL"              "<=1.1x"
if [[ -d $WORK/keep-big.bin ]]; then move_back "$DATA/big.bin"; check_data big.bin; fi
bench_add big.bin  hardlink 0 "add $FILE_LABEL (hardlink)"   "-"

# 2) add, directory (the copy-mode repo of the last run is kept, data inside, for status and push)
bench_add dataset  hardlink 0 "add $DIR_LABEL (hardlink)"    "-"
# The same without waiting for the disk (LEANOPS_FSYNC=0): the peers never sync.
LEANOPS_FSYNC=0 bench_add dataset copy 0 "add $DIR_LABEL (LEANOPS_FSYNC=0)" "-"
bench_add dataset  copy     1 "add $DIR_LABEL"               "<=0.6x"

# 3) no-op status on the tracked directory
log "-- status no-op, $DIR_LABEL: leanops status vs git status"
L_STATUS=SKIP
if [[ $PEERS_ONLY -eq 0 ]]; then
    L_STATUS=FAIL
    if [[ -d $WORK/keep-dataset ]]; then
        lo_status "$WORK/keep-dataset" "status no-op, $DIR_LABEL"; L_STATUS=$RES
        move_back "$DATA/dataset"; check_data dataset   # push only needs the cache
    fi
fi
peer_git_status; P_GIT_STATUS=$RES
log "     leanops $(fmt_s "$L_STATUS"), git status $(fmt_s "$P_GIT_STATUS")"
add_row "status no-op, $DIR_LABEL" "$L_STATUS" "git status" "$P_GIT_STATUS" "<=1.0x"

# 4) push to an empty local remote vs cp -r of the same data
bench_push dataset "push local, $DIR_LABEL"  "<=1.5x"
bench_push big.bin "push local, $FILE_LABEL" "<=1.5x"
LEANOPS_FSYNC=0 bench_push dataset "push local, $DIR_LABEL (LEANOPS_FSYNC=0)"  "-"
LEANOPS_FSYNC=0 bench_push big.bin "push local, $FILE_LABEL (LEANOPS_FSYNC=0)" "-"
for name in dataset big.bin; do retire "$WORK/keep-$name"; done

print_table | tee "$BENCH_DIR/last-results-$SIZE_NAME.txt"
echo "total wall time: $(fmt_s "$(sub "$(now)" "$T_START")") (excluding data generation); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ${#FAILURES[@]} -gt 0 ]]; then
    echo
    echo "leanops failures (exact command, exit code, stderr):"
    printf '  %s\n' "${FAILURES[@]}"
    exit 1
fi
