// `leanops status` for pipeline stages: which stages differ from dvc.lock
// and how (read-only; takes no lock).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "data/repo.h"
#include "pipeline/stage_state.h"

namespace leanops {

struct StageReport {
  std::string address;  // "train", "sub/dvc.yaml:train"
  StageStatus status;
  std::string error;  // a params file or key that cannot be read
};

/// The changed stages among `targets` (only those stages, not their
/// upstream; every stage when empty), in topological order. Frozen stages are left out, as DVC
/// does.
std::vector<StageReport> PipelineStatus(Repo& repo, const std::vector<std::string>& targets,
                                        int jobs);

/// Whether a target names a stage or a dvc.yaml (not a .dvc file or a data path).
bool IsStageTarget(Repo& repo, const std::string& target);

}  // namespace leanops
