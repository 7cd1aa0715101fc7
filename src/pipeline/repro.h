// `leanops repro`: brings the pipeline's outputs up to date.
//
// For each stage in topological order: skip it when its cmd, deps, params
// and outs match dvc.lock; otherwise check its outputs out of the cache
// when only they changed, or out of the run cache when the same inputs ran
// before; otherwise remove its outputs (unless persist), run its command
// through the executor, verify and cache its outputs and rewrite its
// dvc.lock entry atomically. A failing stage stops its dependents; stages
// that completed keep their lock entries.
//
// With an executor that does not chain (local), a stage is examined when
// the stages it depends on have finished, so a stage whose inputs came out
// unchanged is skipped. With one that chains (Slurm), the whole plan is
// submitted at once: a stage runs when it changed or when a stage upstream
// of it runs.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "data/repo.h"
#include "pipeline/executor.h"

namespace leanops {

struct ReproOptions {
  std::vector<std::string> targets;  // stage addresses; empty = every stage
  bool force = false;                // run even when up to date (the targets only with single_item)
  bool dry = false;                  // report what would run, change nothing
  bool single_item = false;          // only the targets, not their upstream stages
  bool downstream = false;           // the targets and every stage after them
  bool keep_going = false;           // after a failure, go on with stages that do not depend on it
  bool run_cache = true;             // restore outputs of runs seen before
  int jobs = 1;                      // stages run at once (local executor)
  int hash_jobs = 0;                 // threads for hashing
};

enum class StageEvent {
  kUnchanged,        // up to date, skipped
  kFrozen,           // frozen, not examined
  kStarting,         // about to run (detail: the commands, one per line)
  kWouldRun,         // --dry: would run (detail: why)
  kCheckedOut,       // outputs restored from the cache (lock unchanged or run cache)
  kSucceeded,        // ran and was committed
  kFailed,           // detail: why
  kSkippedUpstream,  // not run because a stage it depends on failed
  kLockUpdated,      // detail: the lock file written
};

/// Receives what happens, on the calling thread, in order.
class ReproListener {
 public:
  virtual ~ReproListener() = default;
  virtual void OnStage(const std::string& address, StageEvent event, const std::string& detail) = 0;
};

struct ReproSummary {
  int ran = 0;
  int checked_out = 0;
  int unchanged = 0;
  int failed = 0;
};

/// Set from a SIGINT/SIGTERM handler; Reproduce stops its jobs and throws
/// kInterrupted when it sees it.
std::atomic<bool>& InterruptFlag();

/// Runs the pipeline. Throws kFailed when a stage failed (after the others
/// that could go on have finished), kInterrupted when interrupted.
ReproSummary Reproduce(Repo& repo, const ReproOptions& options, Executor& executor,
                       ReproListener& listener);

}  // namespace leanops
