// push, fetch and status --cloud: move cache objects to and from a remote.
//
// Directory manifests travel last on push and first on fetch, so a remote
// that has a `.dir` object also has every file it lists.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>

#include "core/error.h"
#include "core/md5.h"
#include "core/parallel.h"
#include "data/ops.h"
#include "data/remote.h"

namespace leanops {
namespace {

struct ObjectRef {
  std::string oid;
  std::string path;  // repo-relative, for messages
  std::optional<uint64_t> size;
};

// The objects that the targets' outputs consist of. Directory manifests are
// listed after their files. A manifest missing from the cache is fetched
// through `fetch_manifest` when given, else reported.
std::vector<ObjectRef> CollectObjects(
    Repo& repo, const std::vector<std::string>& targets,
    const std::function<void(const std::string& oid, const std::string& path)>& fetch_manifest) {
  std::vector<ObjectRef> files;
  std::vector<ObjectRef> dirs;
  std::set<std::string> seen;
  for (const DvcFile& file : repo.LoadTargets(targets)) {
    for (const DvcOut& out : file.outs) {
      if (out.md5.empty() || !out.cache) continue;
      std::string rel = repo.RelPath(OutputAbsPath(file, out));
      if (!out.is_dir()) {
        if (seen.insert(out.md5).second) files.push_back({out.md5, rel, out.size});
        continue;
      }
      if (!repo.cache().Has(out.md5)) {
        if (!fetch_manifest)
          ThrowData("directory manifest {} of '{}' is not in the cache", out.md5, rel);
        fetch_manifest(out.md5, rel);
        if (!repo.cache().Has(out.md5)) {  // not fetched: only the manifest itself is known
          if (seen.insert(out.md5).second) dirs.push_back({out.md5, rel, {}});
          continue;
        }
      }
      for (const ManifestEntry& e : repo.cache().LoadManifest(out.md5))
        if (seen.insert(e.md5).second) files.push_back({e.md5, rel + "/" + e.relpath, {}});
      if (seen.insert(out.md5).second) dirs.push_back({out.md5, rel, {}});
    }
  }
  files.insert(files.end(), dirs.begin(), dirs.end());
  return files;
}

std::unique_ptr<Remote> Open(Repo& repo, const std::string& name) {
  return OpenRemote(repo.config().Remote(name), repo.dvc_dir(), repo.clock());
}

// Downloads one object into the cache, verifying it before it gets its name.
uint64_t DownloadVerified(Repo& repo, Remote& remote, const ObjectRef& ref) {
  Cache& cache = repo.cache();
  std::string temp = cache.TempPath(ref.oid);
  try {
    remote.Download(ref.oid, temp);
    FileInfo info = repo.fs().Stat(temp);
    std::string actual = ref.oid.ends_with(".dir") ? ManifestOid(repo.fs().ReadFile(temp))
                                                   : HashFile(repo.fs(), temp);
    if (actual != ref.oid || (ref.size && *ref.size != info.size))
      ThrowData(
          "object {} ('{}') on remote {} is corrupted: its contents hash to {}; it was not "
          "added to the cache",
          ref.oid, ref.path, remote.Describe(), actual);
    cache.AdoptFile(temp, ref.oid);
    return info.size;
  } catch (...) {
    repo.fs().RemoveFile(temp);
    throw;
  }
}

int JobsFor(int jobs, Remote& remote) { return jobs > 0 ? jobs : remote.Jobs(); }

}  // namespace

TransferResult Push(Repo& repo, const std::vector<std::string>& targets,
                    const std::string& remote_name, int jobs, Progress& progress) {
  std::unique_ptr<Remote> remote = Open(repo, remote_name);
  std::vector<ObjectRef> objects = CollectObjects(repo, targets, nullptr);
  TransferResult result{remote->Describe(), 0, 0};
  std::vector<std::string> oids;
  for (const ObjectRef& o : objects) oids.push_back(o.oid);
  std::vector<bool> present = remote->Contains(oids);
  std::vector<const ObjectRef*> todo;
  std::vector<const ObjectRef*> todo_dirs;
  uint64_t bytes = 0;
  for (size_t i = 0; i < objects.size(); ++i) {
    if (present[i]) continue;
    if (!repo.cache().Has(objects[i].oid))
      ThrowData("cannot push '{}': object {} is not in the cache", objects[i].path, objects[i].oid);
    (objects[i].oid.ends_with(".dir") ? todo_dirs : todo).push_back(&objects[i]);
    bytes += repo.fs().Stat(repo.cache().ObjectPath(objects[i].oid)).size;
  }
  std::vector<std::string> to_check;
  for (const ObjectRef* ref : todo) to_check.push_back(ref->oid);
  std::vector<std::string> corrupt = RemoveCorruptObjects(repo, to_check, 0);
  repo.state().Flush();
  if (!corrupt.empty())
    ThrowData(
        "corrupted cache objects (removed, so they are not pushed): {}; restore them with "
        "'leanops commit' from the workspace or 'leanops fetch' from another remote",
        fmt::join(corrupt, ", "));
  progress.Begin("Pushing", todo.size() + todo_dirs.size(), bytes);
  std::atomic<uint64_t> sent{0};
  for (auto* batch : {&todo, &todo_dirs}) {
    ParallelFor(batch->size(), JobsFor(jobs, *remote), [&](size_t i) {
      const ObjectRef& ref = *(*batch)[i];
      std::string path = repo.cache().ObjectPath(ref.oid);
      uint64_t size = repo.fs().Stat(path).size;
      remote->Upload(path, ref.oid);
      sent += size;
      progress.Advance(1, size);
    });
    // Files must be durable on the remote before a manifest names them.
    if (!batch->empty()) remote->Sync();
  }
  progress.End();
  result.objects = todo.size() + todo_dirs.size();
  result.bytes = sent;
  return result;
}

TransferResult Fetch(Repo& repo, const std::vector<std::string>& targets,
                     const std::string& remote_name, int jobs, Progress& progress) {
  std::unique_ptr<Remote> remote = Open(repo, remote_name);
  TransferResult result{remote->Describe(), 0, 0};
  std::vector<ObjectRef> objects =
      CollectObjects(repo, targets, [&](const std::string& oid, const std::string& path) {
        result.bytes += DownloadVerified(repo, *remote, ObjectRef{oid, path, {}});
        result.objects++;
      });
  std::vector<const ObjectRef*> todo;
  for (const ObjectRef& o : objects)
    if (!repo.cache().Has(o.oid)) todo.push_back(&o);
  progress.Begin("Fetching", todo.size(), 0);
  std::atomic<uint64_t> received{0};
  ParallelFor(todo.size(), JobsFor(jobs, *remote), [&](size_t i) {
    uint64_t size = DownloadVerified(repo, *remote, *todo[i]);
    received += size;
    progress.Advance(1, size);
  });
  progress.End();
  for (const ObjectRef* ref : todo) RecordObject(repo, ref->oid);  // verified on download
  repo.state().Flush();
  repo.fs().SyncFilesystem(repo.cache().root());
  result.objects += todo.size();
  result.bytes += received;
  return result;
}

std::vector<CloudChange> CloudStatus(Repo& repo, const std::vector<std::string>& targets,
                                     const std::string& remote_name) {
  std::unique_ptr<Remote> remote = Open(repo, remote_name);
  // Without its manifest a directory's files cannot be listed: the manifest
  // alone is compared.
  std::vector<ObjectRef> objects =
      CollectObjects(repo, targets, [](const std::string&, const std::string&) {});
  std::vector<std::string> oids;
  for (const ObjectRef& o : objects) oids.push_back(o.oid);
  std::vector<bool> on_remote = remote->Contains(oids);
  std::vector<CloudChange> changes;
  for (size_t i = 0; i < objects.size(); ++i) {
    bool in_cache = repo.cache().Has(objects[i].oid);
    if (in_cache && on_remote[i]) continue;
    changes.push_back({objects[i].path, in_cache ? "new" : (on_remote[i] ? "deleted" : "missing")});
  }
  return changes;
}

}  // namespace leanops
