// A stage's inputs and outputs measured now, compared with its dvc.lock
// entry: what `status` reports and what decides whether `repro` runs it.
//
// A stage is up to date when its command, the hashes of its deps, the
// values of its params and the hashes of its outs all equal what the lock
// recorded (DVC's Stage.changed: changed_deps, changed_outs, changed_cmd).
#pragma once

#include <string>
#include <vector>

#include "data/repo.h"
#include "pipeline/dvc_lock.h"
#include "pipeline/dvc_yaml.h"

namespace leanops {

struct PathChange {
  std::string path;   // as written in dvc.yaml (relative to wdir)
  std::string state;  // "modified", "deleted", "new" (not in the lock)
};

struct ParamChange {
  std::string file;   // as written ("params.yaml")
  std::string key;    // dotted
  std::string state;  // "modified", "new", "deleted"
};

struct StageStatus {
  bool never_run = false;  // no entry in dvc.lock
  bool cmd_changed = false;
  bool always_changed = false;
  std::vector<PathChange> deps;
  std::vector<ParamChange> params;
  std::vector<PathChange> outs;
  bool changed() const {
    return never_run || cmd_changed || always_changed || !deps.empty() || !params.empty() ||
           !outs.empty();
  }
  /// Only the outputs differ: the recorded run can be checked out of the cache.
  bool only_outs_changed() const {
    return !never_run && !cmd_changed && !always_changed && deps.empty() && params.empty() &&
           !outs.empty();
  }
};

/// The command as the lock records it: a string, or a list for list cmds.
Json LockCmd(const StageDef& def);

/// The stage's inputs now: cmd, deps (hashed through the state index; a
/// missing dep gets an empty md5) and params values. Throws kData when a
/// params file or key is missing.
LockedStage MeasureInputs(Repo& repo, const StageDef& def, int jobs);

/// Compares `inputs` (from MeasureInputs) and the current outputs with the
/// stage's lock entry (nullptr when it has none).
StageStatus CompareWithLock(Repo& repo, const StageDef& def, const LockedStage& inputs,
                            const LockedStage* locked, int jobs);

/// After a successful run: hashes every declared output into `entry.outs`,
/// storing cached ones (and uncached ones too with `store_uncached`, which
/// the run cache needs to restore them). A missing output throws kFailed.
/// Adds .gitignore entries for cached outputs, as DVC does.
void CommitOutputs(Repo& repo, const StageDef& def, LockedStage& entry, int jobs,
                   bool store_uncached);

/// Recreates the outputs recorded in `entry` from the cache (replacing what
/// is in the workspace). Returns false, changing nothing, when an object is
/// missing from the cache.
bool RestoreOutputs(Repo& repo, const StageDef& def, const LockedStage& entry);

/// Deletes the outputs before a run (persist outputs are kept).
void RemoveOutputs(Repo& repo, const StageDef& def);

}  // namespace leanops
