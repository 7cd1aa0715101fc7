#include "pipeline/pipeline_status.h"

#include "core/error.h"
#include "pipeline/dag.h"

namespace leanops {

std::vector<StageReport> PipelineStatus(Repo& repo, const std::vector<std::string>& targets,
                                        int jobs) {
  std::vector<StageReport> reports;
  std::vector<Pipeline> pipelines = LoadRepoPipelines(repo);
  if (pipelines.empty()) return reports;
  PipelineGraph graph(pipelines);
  std::vector<size_t> chosen;
  if (!targets.empty()) chosen = graph.Resolve(targets, repo.root());
  repo.EnableWalkSharing(true);  // read-only: overlapping deps share one walk
  std::map<std::string, LockFile> locks;
  for (const Pipeline& p : pipelines)
    locks[p.path] = LoadLockFile(repo.fs(), LockPathFor(p), repo.RelPath(LockPathFor(p)));
  // Only the named stages, as `dvc status STAGE` checks (no upstream).
  for (size_t n : graph.Plan(chosen, targets.empty(), true, false)) {
    const StageNode& node = graph.node(n);
    if (node.def->frozen) continue;
    StageReport report{node.address, {}, {}};
    try {
      LockedStage inputs = MeasureInputs(repo, *node.def, jobs);
      report.status = CompareWithLock(repo, *node.def, inputs,
                                      locks[node.pipeline->path].Find(node.def->name), jobs);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kData) throw;
      report.error = e.what();
    }
    if (report.status.changed() || !report.error.empty()) reports.push_back(std::move(report));
  }
  return reports;
}

bool IsStageTarget(Repo& repo, const std::string& target) {
  if (target.ends_with(".dvc")) return false;
  if (target.ends_with("dvc.yaml") || target.find(':') != std::string::npos) return true;
  // A bare name is a stage when no such path exists and a dvc.yaml defines it.
  if (repo.fs().Stat(AbsoluteFromCwd(target)).exists()) return false;
  for (const Pipeline& p : LoadRepoPipelines(repo))
    for (const StageDef& def : p.stages)
      if (def.name == target || def.name.starts_with(target + "@")) return true;
  return false;
}

}  // namespace leanops
