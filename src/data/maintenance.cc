// remove, ls and gc.
#include <algorithm>
#include <set>

#include "core/error.h"
#include "data/ops.h"
#include "data/remote.h"

namespace leanops {
namespace {

// Output oids of a dvc.lock file (pipeline outputs are referenced too).
void AddLockfileOids(const std::string& text, const std::string& name,
                     std::set<std::string>& oids) {
  YAML::Node lock;
  try {
    lock = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ThrowData("{}:{}: invalid YAML: {}", name, e.mark.line + 1, e.msg);
  }
  if (!lock["stages"] || !lock["stages"].IsMap()) return;
  for (const auto& stage : lock["stages"]) {
    for (const char* section : {"outs", "deps"}) {
      const YAML::Node& list = stage.second[section];
      if (!list || !list.IsSequence()) continue;
      for (const auto& item : list)
        if (item["md5"] && item["md5"].IsScalar()) oids.insert(item["md5"].as<std::string>());
    }
  }
}

}  // namespace

std::vector<std::string> Remove(Repo& repo, const std::vector<std::string>& targets, bool outs) {
  std::vector<std::string> removed;
  for (const DvcFile& file : repo.LoadTargets(targets)) {
    if (file.from_lock())
      ThrowData("'{}' is a pipeline stage; remove it from dvc.yaml instead", file.stage);
    for (const DvcOut& out : file.outs) {
      std::string abs = OutputAbsPath(file, out);
      if (outs) repo.fs().RemoveAll(abs);
      RemoveGitignoreEntry(repo.fs(), DirName(abs), BaseName(abs));
    }
    repo.fs().RemoveFile(file.path);
    removed.push_back(repo.RelPath(file.path));
  }
  return removed;
}

std::vector<TrackedOutput> ListOutputs(Repo& repo) {
  std::vector<TrackedOutput> list;
  for (const DvcFile& file : repo.LoadTargets({})) {
    for (const DvcOut& out : file.outs) {
      list.push_back(TrackedOutput{file.from_lock() ? file.stage : repo.RelPath(file.path),
                                   repo.RelPath(OutputAbsPath(file, out)), out.is_dir(), out.md5,
                                   out.size.value_or(0),
                                   out.nfiles.value_or(out.is_dir() ? 0 : 1)});
    }
  }
  return list;
}

std::vector<std::string> ReferencedOids(Repo& repo, const GcScope& scope) {
  std::set<std::string> oids;
  for (const DvcFile& file : repo.LoadTargets({}))
    for (const DvcOut& out : file.outs)
      if (!out.md5.empty()) oids.insert(out.md5);
  std::string lock_path = repo.root() + "/dvc.lock";
  if (repo.fs().Stat(lock_path).is_file())
    AddLockfileOids(repo.fs().ReadFile(lock_path), lock_path, oids);
  std::set<std::string> workspace_dirs;
  for (const std::string& oid : oids)
    if (oid.ends_with(".dir")) workspace_dirs.insert(oid);

  for (const auto& [name, text] : PointerFilesInHistory(repo, scope)) {
    if (name.ends_with("dvc.lock")) {
      AddLockfileOids(text, name, oids);
      continue;
    }
    for (const DvcOut& out : ParseDvcFile(text, name).outs)
      if (!out.md5.empty()) oids.insert(out.md5);
  }

  std::vector<std::string> dirs;
  for (const std::string& oid : oids)
    if (oid.ends_with(".dir")) dirs.push_back(oid);
  for (const std::string& dir : dirs) {
    if (!workspace_dirs.count(dir) && !repo.cache().Has(dir)) continue;
    for (const ManifestEntry& entry : repo.cache().LoadManifest(dir)) oids.insert(entry.md5);
  }
  return {oids.begin(), oids.end()};
}

GcResult CollectGarbage(Repo& repo, const GcOptions& options) {
  std::vector<std::string> keep = ReferencedOids(repo, options.scope);
  GcResult result;
  if (!options.dry) result.temp_files = repo.cache().RemoveTempFiles();
  for (const std::string& oid : repo.cache().ListOids()) {
    if (std::binary_search(keep.begin(), keep.end(), oid)) continue;
    std::string path = repo.cache().ObjectPath(oid);
    result.objects++;
    result.bytes += repo.fs().Stat(path).size;
    if (!options.dry) repo.fs().RemoveFile(path);
  }
  if (options.cloud) {
    std::unique_ptr<Remote> remote =
        OpenRemote(repo.config().Remote(options.remote), repo.dvc_dir(), repo.clock());
    std::vector<std::string> doomed;
    for (const std::string& oid : remote->List())
      if (!std::binary_search(keep.begin(), keep.end(), oid)) doomed.push_back(oid);
    result.remote_objects = doomed.size();
    if (!options.dry) remote->Remove(doomed);
  }
  return result;
}

}  // namespace leanops
