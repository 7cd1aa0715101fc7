// status: compare the workspace with the .dvc files, stat-only when unchanged.
#include "core/error.h"
#include "data/ops.h"

namespace leanops {
namespace {

// An object and, for a directory, every file its manifest lists. A
// directory found complete is remembered with the cache's generation, so
// the next status, with no object added or removed since, skips the check.
bool IsFullyCached(Repo& repo, const std::string& oid) {
  Cache& cache = repo.cache();
  if (!cache.Has(oid)) return false;
  if (!oid.ends_with(".dir")) return true;
  std::string key = "cache-complete:" + oid;
  uint64_t generation = cache.Generation();
  if (repo.state().LookupDir(key, generation, 0) == oid) return true;
  for (const ManifestEntry& entry : cache.LoadManifest(oid))
    if (!cache.Has(entry.md5)) return false;
  repo.state().RecordDir(key, generation, 0, oid);
  return true;
}

}  // namespace

std::vector<OutputChange> Status(Repo& repo, const std::vector<std::string>& targets, int jobs) {
  std::vector<OutputChange> changes;
  for (const DvcFile& file : repo.LoadTargets(targets)) {
    if (file.from_lock()) continue;  // stages report their outputs themselves
    for (const DvcOut& out : file.outs) {
      std::string abs = OutputAbsPath(file, out);
      OutputHash hash = HashOutput(repo, abs, HashOptions{false, false, jobs}, NoProgress());
      std::string state;
      if (!hash.exists)
        state = "deleted";
      else if (out.md5.empty())
        state = "new";
      else if (hash.oid != out.md5)
        state = "modified";
      else if (out.cache && !IsFullyCached(repo, out.md5))
        state = "not in cache";
      if (!state.empty()) changes.push_back({repo.RelPath(file.path), out.path, state});
    }
  }
  repo.state().Flush();
  return changes;
}

}  // namespace leanops
