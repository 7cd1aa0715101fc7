// DVC's run cache (dvc/stage/cache.py): every successful run of a stage is
// remembered under the cache's legacy root,
//
//     .dvc/cache/runs/<key[:2]>/<key>/<value>
//
// where `key` is the sha256 of the stage's lock entry with its outputs
// reduced to their paths, `value` the sha256 of the full entry (both over
// Python's json.dumps(sort_keys=True) with every `size`/`nfiles` removed,
// DVC's dict_sha256), and the file holds the entry as YAML. When a stage is
// about to run with a cmd, deps and params that ran before, its outputs are
// checked out of the cache instead.
#pragma once

#include <optional>
#include <string>

#include "data/repo.h"
#include "pipeline/dvc_lock.h"
#include "pipeline/dvc_yaml.h"

namespace leanops {

/// The run-cache key of a stage about to run with `inputs`; nullopt when
/// DVC would not cache it (no cmd, deps or outs; a missing dep; a persist
/// output; always_changed).
std::optional<std::string> RunCacheKey(const StageDef& def, const LockedStage& inputs);

/// Records a successful run (`entry` has its outs filled).
void SaveRunCache(Repo& repo, const StageDef& def, const LockedStage& entry);

/// A recorded run with the same key whose outputs are all in the cache.
std::optional<LockedStage> LookupRunCache(Repo& repo, const StageDef& def,
                                          const LockedStage& inputs);

/// Python's json.dumps(value, sort_keys=True) (", " and ": " separators,
/// ensure_ascii), used for DVC-compatible digests.
std::string PythonJsonDumps(const Json& value);

}  // namespace leanops
