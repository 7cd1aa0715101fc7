#!/usr/bin/env bash
# Side-by-side benchmark: `leanops repro` vs `ninja` on the same generated pipeline.
#
#   A deterministic 100-stage pipeline (directory deps, chains, fan-out, fan-in) over 10,000
#   small input files, written both as dvc.yaml and as build.ninja with the same commands.
#   full run : `leanops repro` from scratch vs `ninja` from scratch (-j1, and -j2)
#   no-op    : a second `leanops repro` vs a second `ninja`
#   overhead : (leanops full run - the 100 commands run by a plain shell script) / 100
#
# Usage: bench/pipeline.sh [--small] [--runs N] [--noop-runs N] [--keep] [--help]
# Env:   LEANOPS_BIN (default: <repo>/build/leanops), BENCH_DIR (default: /tmp/leanops-bench)
# See bench/README.md for what each row measures and how to read the ratios.
set -euo pipefail

# ----------------------------------------------------------------------------- options
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

SIZE_NAME=full
RUNS=5            # timed full runs of each side (median reported)
NOOP_WARMUP=3     # hyperfine --warmup for the no-op commands
NOOP_RUNS=20      # hyperfine --runs for the no-op commands
KEEP=0

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --small          1,000 input files instead of 10,000 (same 100 stages; quick smoke run)
  --runs N         timed full runs per row, median reported (default 5)
  --noop-runs N    timed no-op runs per side (hyperfine --runs; default 20)
  --keep           keep the leanops and ninja work trees (for profiling); their paths are printed
  -h, --help       this text
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --small) SIZE_NAME=small ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --runs=*) RUNS=${1#--runs=} ;;
        --noop-runs) NOOP_RUNS=${2:?--noop-runs needs a number}; shift ;;
        --noop-runs=*) NOOP_RUNS=${1#--noop-runs=} ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "pipeline.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: --runs must be a positive integer" >&2; exit 2; }
[[ "$NOOP_RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: --noop-runs must be a positive integer" >&2; exit 2; }

NDIRS=20
if [[ $SIZE_NAME == full ]]; then FILES_PER_DIR=500; else FILES_PER_DIR=50; fi
NFILES=$((NDIRS * FILES_PER_DIR))
NSTAGES=100

BENCH_DIR=${BENCH_DIR:-/tmp/leanops-bench}
WORK=$BENCH_DIR/pipeline-work        # both trees, removed on exit (unless --keep)
LOGS=$BENCH_DIR/logs-pipeline        # stdout/stderr of the last run of each command
LO=$WORK/leanops                     # git + leanops repo: dvc.yaml, params.yaml, in/
NJ=$WORK/ninja                       # the same files and build.ninja (also runs the shell baseline)

if [[ -n ${LEANOPS_BIN:-} ]]; then
    LEANOPS=$LEANOPS_BIN
    [[ $LEANOPS == */* && $LEANOPS != /* ]] && LEANOPS=$PWD/$LEANOPS       # relative to cwd
    [[ $LEANOPS == */* ]] || LEANOPS=$(command -v "$LEANOPS" || echo "$PWD/$LEANOPS")
else
    LEANOPS=$REPO_ROOT/build/leanops
fi
LEANOPS_ORIG=$LEANOPS

GIT=(git -c user.name=bench -c user.email=bench@localhost -c init.defaultBranch=main)

# ----------------------------------------------------------------------------- helpers
log() { printf '%s\n' "$*" >&2; }
die() { printf 'pipeline.sh: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt_s() {   # seconds -> "12.3 ms" / "1.23 s"; anything else (FAIL, -) unchanged
    if [[ $1 =~ ^-?[0-9.]+$ ]]; then
        awk -v t="$1" 'BEGIN { if (t < 1 && t > -1) printf "%.1f ms", t * 1000; else printf "%.2f s", t }'
    else
        printf '%s' "$1"
    fi
}

# Nothing is deleted while the script measures: outputs, .dvc/ and ninja's log of a finished run
# are renamed into $WORK/retired. (On ext4 without a journal -- this project's dev VMs -- the inode
# allocator rescans recently deleted inodes on every file creation, which would slow the next
# run's file creation; see "Pitfalls" in bench/README.md.) Everything goes at exit.
SEQ=0
retire() {   # path...
    local p
    mkdir -p "$WORK/retired"
    for p in "$@"; do
        [[ -e $p ]] || continue
        SEQ=$((SEQ + 1))
        mv "$p" "$WORK/retired/$SEQ-${p##*/}"
    done
}
mass_delete() {   # dir...: rm -rf, then forget the deleted inodes' table blocks (see retire)
    rm -rf "$@"
    sync
    if [[ -w /proc/sys/vm/drop_caches ]]; then echo 1 >/proc/sys/vm/drop_caches 2>/dev/null || true; fi
}
cleanup() {
    if [[ $KEEP -eq 1 && -d $WORK ]]; then
        rm -rf "$WORK/retired"
        log "kept: $LO (leanops) and $NJ (ninja); delete $WORK when done"
        return 0
    fi
    [[ -d $WORK ]] || return 0
    mass_delete "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Time one command once, in directory DIR, after a `sync` (so earlier writeback does not land in
# the timing). Prints the elapsed seconds; stdout/stderr go to $LOGS/NAME.{out,err}.
time_once() {   # name dir cmd...
    local name=$1 dir=$2; shift 2
    local t0 t1 rc=0
    sync
    t0=$(now)
    (cd "$dir" && "$@") >"$LOGS/$name.out" 2>"$LOGS/$name.err" || rc=$?
    t1=$(now)
    [[ $rc -eq 0 ]] || return $rc
    sub "$t1" "$t0"
}

# Fast commands: hyperfine (median) if installed, else a bash loop (median).
time_fast() {   # name dir cmd...
    local name=$1 dir=$2; shift 2
    local i t0 t1 times=()
    if command -v hyperfine >/dev/null 2>&1; then
        local json=$LOGS/$name.hyperfine.json
        (cd "$dir" && hyperfine -N --style none --warmup "$NOOP_WARMUP" --runs "$NOOP_RUNS" \
            --export-json "$json" -- "$(printf '%q ' "$@")") >"$LOGS/$name.out" 2>"$LOGS/$name.err" || return $?
        python3 -c 'import json,sys; print("%.6f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
        return 0
    fi
    for ((i = 0; i < NOOP_WARMUP + NOOP_RUNS; i++)); do
        t0=$(now)
        (cd "$dir" && "$@") >"$LOGS/$name.out" 2>"$LOGS/$name.err" || return $?
        t1=$(now)
        ((i < NOOP_WARMUP)) || times+=("$(sub "$t1" "$t0")")
    done
    median "${times[@]}"
}

# fsync latency of the bench filesystem right now: the full-run rows depend on it (leanops waits
# for ~10 syncs per stage) and on a shared VM it swings by 10x over minutes. 40 rounds of
# write 4 KiB + fsync, and fsync of the directory; prints "file X ms, dir Y ms" (medians).
FSYNC_PY='
import os, sys, time, statistics
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
f, g = [], []
for i in range(40):
    fd = os.open(os.path.join(d, "p%d" % i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, b"x" * 4096)
    t = time.perf_counter(); os.fsync(fd); f.append(time.perf_counter() - t)
    os.close(fd)
    dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    t = time.perf_counter(); os.fsync(dfd); g.append(time.perf_counter() - t)
    os.close(dfd)
print("file %.2f ms, dir %.2f ms" % (statistics.median(f) * 1e3, statistics.median(g) * 1e3))
'
FSYNC_N=0
fsync_probe() {   # -> "file X ms, dir Y ms" (files are left in place and retired, not deleted)
    FSYNC_N=$((FSYNC_N + 1))
    python3 -c "$FSYNC_PY" "$WORK/fsync-probe-$FSYNC_N"
    retire "$WORK/fsync-probe-$FSYNC_N"
}

# ----------------------------------------------------------------------------- results
ROWS=()       # "case|leanops|peer|peer_value|ratio|target|verdict"
FAILURES=()   # human-readable failure reports

report_fail() {   # case dir rc name cmd...
    local case=$1 dir=$2 rc=$3 name=$4; shift 4
    local err cmd="$*"
    err=$(tail -c 1500 "$LOGS/$name.err" 2>/dev/null || true)
    [[ -n $err ]] || err=$(tail -c 1500 "$LOGS/$name.out" 2>/dev/null || true)
    cmd=${cmd//"$LEANOPS"/"$LEANOPS_ORIG"}
    FAILURES+=("[$case] (cd $dir && $cmd) -> exit $rc: ${err:-<no output>}")
    log "  FAILED: (cd $dir && $cmd) -> exit $rc"
    [[ -z $err ]] || log "          $err"
}

# A ratio row: leanops time vs peer time; target "<=Nx" or "-" (info).
ratio_row() {   # case leanops_s peer peer_s target
    local ratio=- verdict=info
    if [[ $2 =~ ^[0-9.]+$ && $4 =~ ^[0-9.]+$ ]]; then
        ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.2fx", a / b }')
        if [[ $5 == "<="* ]]; then
            verdict=$(awk -v a="$2" -v b="$4" -v t="${5#<=}" 'BEGIN { t += 0; print (a / b <= t) ? "PASS" : "MISS" }')
        fi
    elif [[ $2 == FAIL ]]; then
        verdict=FAIL
    fi
    ROWS+=("$1|$(fmt_s "$2")|$3|$(fmt_s "$4")|$ratio|$5|$verdict")
}

# An overhead row: leanops per-stage overhead vs a target in ms; the peer column shows ninja's.
overhead_row() {   # case leanops_s peer peer_s target_ms
    local verdict=info target=-
    if [[ -n $5 ]]; then
        target="<${5} ms"
        if [[ $2 =~ ^-?[0-9.]+$ ]]; then
            verdict=$(awk -v a="$2" -v t="$5" 'BEGIN { print (a * 1000 < t) ? "PASS" : "MISS" }')
        fi
    fi
    [[ $2 != FAIL ]] || verdict=FAIL
    ROWS+=("$1|$(fmt_s "$2")|$3|$(fmt_s "$4")|-|$target|$verdict")
}

print_table() {
    local r name lo peer pv ratio target verdict
    printf '\n%-50s %10s %-22s %10s %7s %8s  %s\n' "case" "leanops" "peer" "peer time" "ratio" "target" "verdict"
    printf "%s\n" "$(printf "%.0s-" {1..120})"
    for r in "${ROWS[@]}"; do
        IFS='|' read -r name lo peer pv ratio target verdict <<<"$r"
        printf '%-50s %10s %-22s %10s %7s %8s  %s\n' "$name" "$lo" "$peer" "$pv" "$ratio" "$target" "$verdict"
    done
    printf "%s\n" "$(printf "%.0s-" {1..120})"
    echo "ratio = leanops time / ninja time (lower is better). Full runs: median of $RUNS interleaved runs;"
    echo "no-op: hyperfine/loop median of $NOOP_RUNS after $NOOP_WARMUP warmups. Overhead per stage ="
    echo "(full run - the same $NSTAGES commands run one by one by a shell script) / $NSTAGES, median over the runs."
}

# ----------------------------------------------------------------------------- machine info
command -v ninja >/dev/null || die "ninja not found (apt-get install -y ninja-build)"
[[ -x $LEANOPS ]] || die "leanops binary not found at $LEANOPS (build it, or set LEANOPS_BIN)"
mkdir -p "$BENCH_DIR"
exec 9>"$BENCH_DIR/.lock-pipeline"
flock -n 9 || { echo "pipeline.sh: another run is using $BENCH_DIR" >&2; trap - EXIT; exit 1; }
rm -rf "$LOGS"
if [[ -d $WORK ]]; then mass_delete "$WORK"; fi   # left over by an interrupted run or --keep
mkdir -p "$WORK" "$LOGS"

echo "== leanops pipeline benchmark ($SIZE_NAME: $NSTAGES stages over $NFILES input files) =="
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:     nproc=$(nproc), cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:   $(uname -srm)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)$(awk '$1 > 0.5 { printf "  -- WARNING: the machine is busy, timings will be noisy" }' /proc/loadavg)"
echo "bench fs: $BENCH_DIR on $(df -PT "$BENCH_DIR" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
FSYNC_START=$(fsync_probe)
echo "fsync:    $FSYNC_START (median latency now; the full-run rows depend on it, see bench/README.md)"
echo "tools:    ninja $(ninja --version), $(command -v hyperfine >/dev/null && hyperfine --version || echo 'no hyperfine (bash loop)'), $(sh --version 2>/dev/null | head -1 || readlink -f /bin/sh)"
echo "leanops:  $LEANOPS ($("$LEANOPS" --version 2>&1 | sed -n 1p), $(stat -c '%y' "$LEANOPS" | cut -d. -f1))"
# Snapshot the binary so that a concurrent rebuild cannot swap it in the middle of the run.
mkdir -p "$WORK/bin"; cp "$LEANOPS" "$WORK/bin/leanops"; LEANOPS=$WORK/bin/leanops

# ----------------------------------------------------------------------------- the pipeline
# Generated into DIR: in/dNN/fNNNNN.txt (NDIRS dirs of FILES_PER_DIR files, 32-512 bytes of
# seeded random text each), params.yaml, dvc.yaml, build.ninja and commands.sh (the same commands
# in a topological order, run by one /bin/sh: the cost of the commands alone). Stages:
#   prep_NN   (20)  dep: directory in/dNN                       cmd: cat in/dNN/* | md5sum
#   chain_KK  (30)  chain_00 <- prep_00; chain_k <- chain_{k-1}; each also one input file
#   fan_II    (40)  fan-out: every fan_i <- chain_09 (the hub), prep_{i%20} and one input file
#   merge_JJ   (8)  fan-in: merge_j <- fan_{5j..5j+4}; param merge.weight
#   inventory  (1)  dep: the whole in/ directory (every input file)  cmd: ls -R in | md5sum
#   report     (1)  fan-in: every merge_j, chain_29, inventory; param report.title
# build.ninja lists a directory dep as its files (ninja has no directory deps) and params.yaml
# as an input of the stages that read params.
GEN_PY='
import os, random, sys
root, ndirs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261201)
alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \n"
files = []
for d in range(ndirs):
    dd = os.path.join(root, "in", "d%02d" % d)
    os.makedirs(dd, exist_ok=True)
    for i in range(per):
        rel = "in/d%02d/f%05d.txt" % (d, d * per + i)
        with open(os.path.join(root, rel), "w") as f:
            f.write("".join(rng.choices(alphabet, k=rng.randint(32, 512))))
        files.append(rel)
os.makedirs(os.path.join(root, "out"), exist_ok=True)
with open(os.path.join(root, "params.yaml"), "w") as f:
    f.write("merge:\n  weight: 3\nreport:\n  title: pipeline bench\n")

def dir_files(d):
    return files[d * per:(d + 1) * per]
def pick():
    return files[rng.randrange(len(files))]

# (name, cmd, dvc deps, ninja inputs, params)
stages = []
def cat(name, deps, ninja_in, params=()):
    stages.append((name, "cat %s | md5sum > out/%s" % (" ".join(deps), name), deps, ninja_in, params))
for d in range(ndirs):
    name = "prep_%02d" % d
    stages.append((name, "cat in/d%02d/* | md5sum > out/%s" % (d, name), ["in/d%02d" % d], dir_files(d), ()))
for k in range(30):
    f = pick()
    deps = ["out/prep_00" if k == 0 else "out/chain_%02d" % (k - 1), f]
    cat("chain_%02d" % k, deps, deps)
for i in range(40):
    f = pick()
    deps = ["out/chain_09", "out/prep_%02d" % (i % ndirs), f]
    cat("fan_%02d" % i, deps, deps)
for j in range(8):
    deps = ["out/fan_%02d" % (5 * j + m) for m in range(5)]
    cat("merge_%02d" % j, deps, deps + ["params.yaml"], ("merge.weight",))
stages.append(("inventory", "ls -R in | md5sum > out/inventory", ["in"], files, ()))
deps = ["out/merge_%02d" % j for j in range(8)] + ["out/chain_29", "out/inventory"]
cat("report", deps, deps + ["params.yaml"], ("report.title",))
assert len(stages) == 100, len(stages)

with open(os.path.join(root, "dvc.yaml"), "w") as f:
    f.write("stages:\n")
    for name, cmd, deps, _, params in stages:
        f.write("  %s:\n    cmd: %s\n    deps:\n" % (name, cmd))
        f.writelines("    - %s\n" % d for d in deps)
        if params:
            f.write("    params:\n")
            f.writelines("    - %s\n" % p for p in params)
        f.write("    outs:\n    - out/%s\n" % name)
with open(os.path.join(root, "build.ninja"), "w") as f:
    f.write("ninja_required_version = 1.3\n\nrule sh\n  command = $cmd\n  description = $out\n\n")
    for name, cmd, _, ninja_in, _ in stages:
        f.write("build out/%s: sh %s\n  cmd = %s\n" % (name, " ".join(ninja_in), cmd.replace("$", "$$")))
# stages are listed in a topological order already (every dep comes from an earlier stage)
with open(os.path.join(root, "commands.sh"), "w") as f:
    f.write("set -e\n")
    f.writelines("%s\n" % cmd for _, cmd, _, _, _ in stages)
'

gen_tree() {   # dir
    mkdir -p "$1"
    python3 -c "$GEN_PY" "$1" "$NDIRS" "$FILES_PER_DIR"
}

T_GEN=$(now)
gen_tree "$LO"
gen_tree "$NJ"
rm "$LO/build.ninja" "$LO/commands.sh"
cmp -s "$LO/dvc.yaml" "$NJ/dvc.yaml" || die "internal: the generator is not deterministic"
(cd "$LO" && "${GIT[@]}" init -q && "${GIT[@]}" add -A &&
    "${GIT[@]}" commit -q -m "pipeline bench inputs") >"$LOGS/git.log" 2>&1 || die "git setup failed: $(cat "$LOGS/git.log")"
sync
echo "pipeline: $NSTAGES stages (20 dir deps, a 30-stage chain, 40-way fan-out, 9 fan-in), $NFILES input files in $NDIRS dirs; generated in $(fmt_s "$(sub "$(now)" "$T_GEN")")"
echo "work:     $LO (dvc.yaml), $NJ (build.ninja, commands.sh)"

# ----------------------------------------------------------------------------- resets
# leanops from scratch: no dvc.lock, no .dvc/ (cache, run cache, state index), no outputs.
lo_reset() {
    retire "$LO/.dvc" "$LO/dvc.lock" "$LO/out"
    mkdir "$LO/out"
    (cd "$LO" && "$LEANOPS" init -q) >"$LOGS/init.out" 2>&1 || die "leanops init failed: $(cat "$LOGS/init.out")"
}
# leanops with the state index kept (input hashes known), everything else from scratch.
lo_reset_warm_state() {
    local keep=$WORK/state-keep
    rm -rf "$keep"; mv "$LO/.dvc/tmp/leanops" "$keep"
    lo_reset
    mkdir -p "$LO/.dvc/tmp"; mv "$keep" "$LO/.dvc/tmp/leanops"
}
nj_reset() {
    retire "$NJ/out" "$NJ/.ninja_log" "$NJ/.ninja_deps"
    mkdir "$NJ/out"
}

# ----------------------------------------------------------------------------- checks
# leanops ran every stage and wrote a lock entry for each.
check_full() {   # case name
    local n
    n=$(grep -c "^Running stage '" "$LOGS/$2.out" || true)
    if [[ $n -ne $NSTAGES ]]; then
        FAILURES+=("[$1] leanops repro ran $n stages, expected $NSTAGES (log: $LOGS/$2.out)")
        return 1
    fi
    n=$(grep -c '^    cmd: ' "$LO/dvc.lock" 2>/dev/null || true)
    if [[ $n -ne $NSTAGES ]]; then
        FAILURES+=("[$1] dvc.lock has $n stage entries, expected $NSTAGES")
        return 1
    fi
}
# Both tools (and the shell baseline) produced the same bytes.
check_same_outputs() {   # case dir
    local a b
    a=$(cd "$LO/out" && md5sum -- *)
    b=$(cd "$2/out" && md5sum -- *)
    if [[ $a != "$b" ]]; then
        FAILURES+=("[$1] outputs differ between $LO/out and $2/out")
        return 1
    fi
}

# ----------------------------------------------------------------------------- full runs
# Each iteration: the shell baseline, ninja, leanops (each from scratch) -- interleaved so all
# three see the same machine conditions.
BT=(); NT=(); LT=(); OV=(); NOV=()
full_runs() {   # case jobs lo_mode(cold|warm) [env assignments for leanops...]
    local case=$1 jobs=$2 mode=$3; shift 3
    local i tb tn tl rc name=full-j$jobs-$mode
    local fs fsf=()
    BT=(); NT=(); LT=(); OV=(); NOV=()
    log "-- $case"
    for ((i = 0; i < RUNS; i++)); do
        nj_reset
        tb=$(time_once baseline "$NJ" /bin/sh commands.sh) || die "the shell baseline failed: $(cat "$LOGS/baseline.err")"
        nj_reset
        tn=$(time_once ninja "$NJ" ninja -j "$jobs") || die "ninja failed: $(cat "$LOGS/ninja.out")"
        BT+=("$tb"); NT+=("$tn")
        NOV+=("$(awk -v l="$tn" -v b="$tb" -v n="$NSTAGES" 'BEGIN { printf "%.6f", (l - b) / n }')")
        if [[ $mode == warm ]]; then lo_reset_warm_state; else lo_reset; fi
        fs=$(fsync_probe); fsf+=("$(awk '{ print $2 }' <<<"$fs")")
        rc=0
        tl=$(time_once "$name" "$LO" env "$@" "$LEANOPS" repro -j "$jobs") || rc=$?
        if [[ $rc -ne 0 ]]; then
            report_fail "$case" "$LO" "$rc" "$name" env "$@" "$LEANOPS" repro -j "$jobs"
            LT=(FAIL); break
        fi
        check_full "$case" "$name" || { LT=(FAIL); break; }
        check_same_outputs "$case" "$NJ" || { LT=(FAIL); break; }
        LT+=("$tl")
        OV+=("$(awk -v l="$tl" -v b="$tb" -v n="$NSTAGES" 'BEGIN { printf "%.6f", (l - b) / n }')")
        log "   run $((i + 1)): shell $(fmt_s "$tb"), ninja $(fmt_s "$tn"), leanops $(fmt_s "$tl")   (fsync just before: $fs)"
    done
    FSYNC_NOTES+=("$(printf '%-34s' "$case:") file fsync median $(printf %.2f "$(median "${fsf[@]}")") ms (min $(printf '%s\n' "${fsf[@]}" | sort -g | head -1), max $(printf '%s\n' "${fsf[@]}" | sort -g | tail -1)) over its ${#fsf[@]} runs")
}
FSYNC_NOTES=()
med_or_fail() { if [[ ${1:-} == FAIL || $# -eq 0 ]]; then echo FAIL; else median "$@"; fi; }

T_START=$(now)

full_runs "full run -j1 (from scratch)" 1 cold
L_FULL1=$(med_or_fail "${LT[@]}"); N_FULL1=$(median "${NT[@]}"); B_FULL=$(median "${BT[@]}")
ratio_row "full run, $NSTAGES stages, -j1" "$L_FULL1" "ninja -j1" "$N_FULL1" "-"
OV_COLD=$([[ $L_FULL1 == FAIL ]] && echo FAIL || median "${OV[@]}"); NOV1=$(median "${NOV[@]}")
OV_ROW_COLD=("per-stage overhead, -j1 from scratch" "$OV_COLD" "ninja -j1" "$NOV1" 5)

full_runs "full run -j1, state index warm" 1 warm
L_WARM=$(med_or_fail "${LT[@]}"); N_WARM=$(median "${NT[@]}")
ratio_row "full run, -j1, state index warm" "$L_WARM" "ninja -j1" "$N_WARM" "-"
OV_WARM=$([[ $L_WARM == FAIL ]] && echo FAIL || median "${OV[@]}"); NOV_WARM=$(median "${NOV[@]}")

full_runs "full run -j1, LEANOPS_FSYNC=0" 1 cold LEANOPS_FSYNC=0
L_NOSYNC=$(med_or_fail "${LT[@]}"); N_NOSYNC=$(median "${NT[@]}")
ratio_row "full run, -j1 (LEANOPS_FSYNC=0)" "$L_NOSYNC" "ninja -j1" "$N_NOSYNC" "-"
OV_NOSYNC=$([[ $L_NOSYNC == FAIL ]] && echo FAIL || median "${OV[@]}"); NOV_NOSYNC=$(median "${NOV[@]}")

full_runs "full run -j2 (from scratch)" 2 cold
L_FULL2=$(med_or_fail "${LT[@]}"); N_FULL2=$(median "${NT[@]}")
ratio_row "full run, -j2" "$L_FULL2" "ninja -j2" "$N_FULL2" "-"

# The trees now hold a finished -j2 run of each tool: redo a -j1 run so the no-op measures the
# state a normal `repro` leaves behind (and check it).
log "-- no-op: second leanops repro vs second ninja"
nj_reset
(cd "$NJ" && ninja -j1) >"$LOGS/ninja.out" 2>&1 || die "ninja failed: $(cat "$LOGS/ninja.out")"
lo_reset
L_NOOP=FAIL; rc=0
(cd "$LO" && "$LEANOPS" repro) >"$LOGS/noop-setup.out" 2>"$LOGS/noop-setup.err" || rc=$?
if [[ $rc -ne 0 ]]; then
    report_fail "no-op" "$LO" "$rc" noop-setup "$LEANOPS" repro
else
    out=$(cd "$NJ" && ninja) || die "ninja no-op failed: $out"
    [[ $out == "ninja: no work to do." ]] || die "second ninja was not a no-op: $out"
    rc=0; out=$(cd "$LO" && "$LEANOPS" repro 2>"$LOGS/noop-check.err") || rc=$?
    if [[ $rc -ne 0 ]]; then
        report_fail "no-op" "$LO" "$rc" noop-check "$LEANOPS" repro
    elif [[ $out != *"Data and pipelines are up to date." || $out == *"Running stage"* ]]; then
        FAILURES+=("[no-op] (cd $LO && $LEANOPS_ORIG repro) after a full run did not report up to date: $(tail -c 500 <<<"$out")")
    else
        rc=0
        L_NOOP=$(time_fast noop-leanops "$LO" "$LEANOPS" repro) || { report_fail "no-op" "$LO" $? noop-leanops "$LEANOPS" repro; L_NOOP=FAIL; }
    fi
fi
N_NOOP=$(time_fast noop-ninja "$NJ" ninja) || die "ninja no-op failed"
log "   leanops $(fmt_s "$L_NOOP"), ninja $(fmt_s "$N_NOOP")"
ratio_row "no-op (second run), $NFILES dep files" "$L_NOOP" "ninja" "$N_NOOP" "<=2.0x"

overhead_row "${OV_ROW_COLD[@]}"
overhead_row "per-stage overhead, -j1, state index warm" "$OV_WARM" "ninja -j1" "$NOV_WARM" ""
overhead_row "per-stage overhead, -j1 (LEANOPS_FSYNC=0)" "$OV_NOSYNC" "ninja -j1" "$NOV_NOSYNC" ""

FSYNC_END=$(fsync_probe)
{
    print_table
    echo "fsync latency (medians of 40 rounds of write 4 KiB + fsync) measured before each leanops full run:"
    printf '  %s\n' "${FSYNC_NOTES[@]}"
    echo "  (at the start: $FSYNC_START; at the end: $FSYNC_END)"
    echo "the $NSTAGES commands alone (shell script, runs of the first row): median $(fmt_s "$B_FULL") -> $(fmt_s "$(awk -v b="$B_FULL" -v n="$NSTAGES" 'BEGIN { print b / n }')") per stage"
} | tee "$BENCH_DIR/last-results-pipeline-$SIZE_NAME.txt"
echo "total wall time: $(fmt_s "$(sub "$(now)" "$T_START")") (excluding generation); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ${#FAILURES[@]} -gt 0 ]]; then
    echo
    echo "leanops failures (exact command, exit code, output):"
    printf '  %s\n' "${FAILURES[@]}"
    exit 1
fi
