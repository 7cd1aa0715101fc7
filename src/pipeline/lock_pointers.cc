#include "pipeline/lock_pointers.h"

#include "core/error.h"
#include "pipeline/dag.h"
#include "pipeline/dvc_lock.h"
#include "pipeline/dvc_yaml.h"

namespace leanops {
namespace {

DvcFile StageFile(Repo& repo, const Pipeline& pipeline, const StageDef& def,
                  const LockedStage& locked, const std::string& only_abs) {
  DvcFile file;
  file.path = def.wdir + "/dvc.lock";
  file.stage = repo.RelPath(LockPathFor(pipeline)) + ":" + def.name;
  file.extra = YAML::Node(YAML::NodeType::Map);
  for (const LockedEntry& e : locked.outs) {
    const OutDecl* decl = nullptr;
    for (const OutDecl& o : def.outs)
      if (o.path == e.path) decl = &o;
    if (!decl || !decl->push || e.md5.empty()) continue;
    if (!only_abs.empty() && !PathsOverlap(NormalizePath(def.wdir + "/" + e.path), only_abs))
      continue;
    DvcOut out;
    out.path = e.path;
    out.md5 = e.md5;
    out.size = e.size;
    out.nfiles = e.nfiles;
    out.isexec = e.isexec;
    out.legacy_hash = e.legacy_hash;
    out.cache = decl->cache;
    out.extra = YAML::Node(YAML::NodeType::Map);
    file.outs.push_back(std::move(out));
  }
  return file;
}

class PipelinePointers : public PointerSource {
 public:
  std::vector<DvcFile> All(Repo& repo, const std::vector<std::string>& pipeline_files) override {
    std::vector<DvcFile> files;
    for (const std::string& path : pipeline_files) {
      Pipeline pipeline = LoadPipeline(repo.fs(), path, repo.RelPath(path));
      AddStages(repo, pipeline, nullptr, "", files);
    }
    return files;
  }

  std::vector<DvcFile> ForTarget(Repo& repo, const std::string& target) override {
    std::vector<DvcFile> files;
    std::vector<Pipeline> pipelines = LoadRepoPipelines(repo);
    if (pipelines.empty()) return files;
    PipelineGraph graph(pipelines);
    // A stage address first; otherwise an output path (or a directory
    // holding outputs).
    try {
      for (size_t n : graph.Resolve({target}, repo.root()))
        AddStages(repo, *graph.node(n).pipeline, graph.node(n).def, "", files);
      return files;
    } catch (const Error&) {
    }
    std::string abs = AbsoluteFromCwd(target);
    while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    for (const Pipeline& p : pipelines) AddStages(repo, p, nullptr, abs, files);
    return files;
  }

 private:
  void AddStages(Repo& repo, const Pipeline& pipeline, const StageDef* only,
                 const std::string& only_abs, std::vector<DvcFile>& files) {
    LockFile lock =
        LoadLockFile(repo.fs(), LockPathFor(pipeline), repo.RelPath(LockPathFor(pipeline)));
    for (const StageDef& def : pipeline.stages) {
      if (only && def.name != only->name) continue;
      const LockedStage* locked = lock.Find(def.name);
      if (!locked) continue;
      DvcFile file = StageFile(repo, pipeline, def, *locked, only_abs);
      if (!file.outs.empty()) files.push_back(std::move(file));
    }
  }
};

}  // namespace

std::unique_ptr<PointerSource> MakePipelinePointerSource() {
  return std::make_unique<PipelinePointers>();
}

}  // namespace leanops
