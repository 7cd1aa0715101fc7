// `leanops stage add`: writes a stage definition into dvc.yaml, keeping the
// rest of the file (comments, order, formatting) as it is. The stage is
// written with DVC's key order (desc, cmd, wdir, deps, params, outs,
// metrics, plots, always_changed) and sorted lists, as `dvc stage add`
// does (dvc/stage/serialize.py to_pipeline_file).
#pragma once

#include <string>
#include <vector>

#include "core/file_system.h"
#include "pipeline/dvc_yaml.h"

namespace leanops {

struct NewStage {
  std::string name;
  std::string cmd;
  std::string wdir;  // relative to dvc.yaml's directory; "" or "." for none
  std::vector<std::string> deps;
  std::vector<ParamsDecl> params;
  std::vector<OutDecl> outs;  // kind and cache/persist flags are written
  bool always_changed = false;
  std::string desc;
};

/// The stage's YAML text, its key at column `indent` and fields nested by
/// `indent` more.
std::string RenderStage(const NewStage& stage, int indent);

/// Adds `stage` to the dvc.yaml at `path` (created when missing). An
/// existing stage of that name is an error unless `force`, which replaces
/// it in place. The result is parsed before it is written (atomically).
void AddStageToFile(FileSystem& fs, const std::string& path, const std::string& display,
                    const NewStage& stage, bool force);

/// Whether `name` is a valid stage name (no ':', '/', '\\', '@').
bool IsValidStageName(const std::string& name);

}  // namespace leanops
