// Detecting corrupted cache objects before their bytes are used.
//
// Objects are read-only and only ever appear under their name complete, so
// corruption means outside damage (a disk error, an editor writing through
// a hardlink). Rehashing every object on every checkout would cost as much
// as the checkout itself, so, as DVC does, an object is trusted when the
// state index holds its md5 for its current stat (recorded when leanops
// wrote or last verified it) and rehashed otherwise.
#include <mutex>

#include "core/parallel.h"
#include "data/ops.h"

namespace leanops {

void RecordObject(Repo& repo, const std::string& oid) {
  std::string path = repo.cache().ObjectPath(oid);
  FileInfo info = repo.fs().Stat(path);
  if (info.is_file()) repo.state().RecordFile(path, info, oid);
}

std::vector<std::string> RemoveCorruptObjects(Repo& repo, const std::vector<std::string>& oids,
                                              int jobs) {
  Cache& cache = repo.cache();
  std::vector<std::string> unverified;
  for (const std::string& oid : oids) {
    std::string path = cache.ObjectPath(oid);
    FileInfo info = repo.fs().Stat(path);
    if (!info.is_file()) continue;
    if (repo.state().LookupFile(path, info) != oid) unverified.push_back(oid);
  }
  std::vector<char> good(unverified.size(), 0);
  ParallelFor(unverified.size(), jobs > 0 ? jobs : DefaultJobs(),
              [&](size_t i) { good[i] = cache.Verify(unverified[i]) ? 1 : 0; });
  std::vector<std::string> corrupt;
  for (size_t i = 0; i < unverified.size(); ++i) {
    if (good[i])
      RecordObject(repo, unverified[i]);
    else
      corrupt.push_back(unverified[i]);
  }
  return corrupt;
}

}  // namespace leanops
