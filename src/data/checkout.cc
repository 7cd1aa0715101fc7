// checkout: make the workspace match the .dvc files, from the cache.
//
// Everything is planned first and checked for data loss (a workspace file
// whose contents are not in the cache is never overwritten or deleted
// without --force); only then are files replaced, each atomically.
#include <map>

#include "core/error.h"
#include "core/parallel.h"
#include "data/ops.h"

namespace leanops {
namespace {

struct FileAction {
  std::string oid;
  std::string dest;
  bool executable = false;
  bool replace = false;  // something is in the way and must go first
};

struct Plan {
  std::vector<FileAction> writes;
  std::vector<std::string> deletes;  // workspace files not in a directory's manifest
  std::vector<std::string> missing;  // "path (md5)" whose object is not cached
  std::vector<std::string> unsaved;  // workspace files that would be lost
  std::vector<std::pair<std::string, std::string>> dir_states;  // abs dir -> oid
};

// The md5 of a workspace file, from the state index when its stat matches.
std::string CurrentMd5(Repo& repo, const std::string& path, const FileInfo& info) {
  if (auto md5 = repo.state().LookupFile(path, info)) return *md5;
  std::string md5 = HashFile(repo.fs(), path);
  repo.state().RecordFile(path, info, md5);
  return md5;
}

// Whether replacing the file at `path` could lose data: its contents are
// neither in the cache nor a link into it.
bool WouldLoseData(Repo& repo, const std::string& path, bool force) {
  if (force) return false;
  FileInfo info = repo.fs().Stat(path);
  if (info.type == FileType::kSymlink) return false;
  if (!info.is_file()) return info.exists();
  return !repo.cache().Has(CurrentMd5(repo, path, info));
}

void PlanFile(Repo& repo, const std::string& abs, const std::string& oid, bool isexec,
              const CheckoutOptions& options, Plan& plan, bool& changed, bool& created) {
  FileSystem& fs = repo.fs();
  FileInfo info = fs.Stat(abs);
  if (!repo.cache().Has(oid)) {
    plan.missing.push_back(repo.RelPath(abs) + " (" + oid + ")");
    return;
  }
  if (info.exists()) {
    FileInfo target = fs.StatFollow(abs);
    bool same = target.is_file() && CurrentMd5(repo, abs, target) == oid;
    if (same && !options.relink) return;
    if (!same && WouldLoseData(repo, abs, options.force)) {
      plan.unsaved.push_back(repo.RelPath(abs));
      return;
    }
    changed = true;
  } else {
    created = true;
  }
  plan.writes.push_back(FileAction{oid, abs, isexec, info.exists()});
}

void PlanDir(Repo& repo, const std::string& abs, const std::string& oid,
             const CheckoutOptions& options, Plan& plan, bool& changed, bool& created) {
  FileSystem& fs = repo.fs();
  std::vector<ManifestEntry> manifest;
  if (!repo.cache().Has(oid)) {
    plan.missing.push_back(repo.RelPath(abs) + " (" + oid + ")");
    return;
  }
  manifest = repo.cache().LoadManifest(oid);
  // A symlink to a directory is used as that directory (add followed it too).
  FileInfo info = fs.StatFollow(abs);
  std::map<std::string, FileInfo> present;
  if (info.is_dir()) {
    const IgnoreRules& rules = repo.ignore_rules();
    std::string prefix = repo.RelPath(abs) + "/";
    for (WalkEntry& e : fs.Walk(abs, {".git", ".dvc"})) {
      if (IsTempName(e.relpath))
        plan.deletes.push_back(abs + "/" + e.relpath);  // left by an interrupted write
      else if (rules.empty() || !rules.Ignored(prefix + e.relpath, false))
        present.emplace(e.relpath, e.info);  // ignored files are not part of any version
    }
  } else if (info.exists()) {
    if (WouldLoseData(repo, abs, options.force)) {
      plan.unsaved.push_back(repo.RelPath(abs));
      return;
    }
    plan.deletes.push_back(abs);
  }
  if (!info.exists()) created = true;
  for (const ManifestEntry& entry : manifest) {
    std::string path = abs + "/" + entry.relpath;
    auto it = present.find(entry.relpath);
    if (it != present.end()) present.erase(it);
    bool file_changed = false;
    bool file_created = false;
    PlanFile(repo, path, entry.md5, false, options, plan, file_changed, file_created);
    changed |= file_changed || (file_created && !created);
  }
  // What remains in the workspace directory is not part of the version.
  for (const auto& [relpath, file_info] : present) {
    std::string path = abs + "/" + relpath;
    if (WouldLoseData(repo, path, options.force)) {
      plan.unsaved.push_back(repo.RelPath(path));
      continue;
    }
    plan.deletes.push_back(path);
    changed = true;
  }
  plan.dir_states.emplace_back(abs, oid);
}

}  // namespace

CheckoutResult Checkout(Repo& repo, const std::vector<std::string>& targets,
                        const CheckoutOptions& options, Progress& progress) {
  FileSystem& fs = repo.fs();
  CheckoutResult result;
  Plan plan;
  for (const DvcFile& file : repo.LoadTargets(targets)) {
    for (const DvcOut& out : file.outs) {
      if (out.md5.empty() || !out.cache) continue;
      std::string abs = OutputAbsPath(file, out);
      bool changed = false;
      bool created = false;
      if (out.is_dir())
        PlanDir(repo, abs, out.md5, options, plan, changed, created);
      else
        PlanFile(repo, abs, out.md5, out.isexec, options, plan, changed, created);
      if (created)
        result.added.push_back(repo.RelPath(abs));
      else if (changed)
        result.modified.push_back(repo.RelPath(abs));
    }
  }
  std::vector<std::string> planned;
  for (const FileAction& action : plan.writes) planned.push_back(action.oid);
  std::vector<std::string> corrupt = RemoveCorruptObjects(repo, planned, options.jobs);
  if (!corrupt.empty()) {
    repo.state().Flush();
    ThrowData("corrupted cache objects (removed): {}; run 'leanops fetch' to download them again",
              fmt::join(corrupt, ", "));
  }
  if (!plan.unsaved.empty())
    ThrowData(
        "checkout would overwrite or delete data that is not in the cache: {}; commit it "
        "with 'leanops commit' or use --force to discard it",
        fmt::join(plan.unsaved, ", "));

  for (const std::string& path : plan.deletes) fs.RemoveAll(path);
  uint64_t total_bytes = 0;
  progress.Begin("Checkout", plan.writes.size(), total_bytes);
  ParallelFor(plan.writes.size(), options.jobs > 0 ? options.jobs : DefaultJobs(), [&](size_t i) {
    const FileAction& action = plan.writes[i];
    if (action.replace) fs.RemoveAll(action.dest);
    fs.MakeDirs(DirName(action.dest));
    repo.cache().Materialize(action.oid, action.dest, action.executable);
    progress.Advance(1, 0);
  });
  progress.End();
  result.files_written = plan.writes.size();

  // Remember what was written so the next status only stats it.
  for (const FileAction& action : plan.writes) {
    FileInfo info = fs.StatFollow(action.dest);
    if (info.is_file()) repo.state().RecordFile(action.dest, info, action.oid);
  }
  for (const auto& [dir, oid] : plan.dir_states) {
    if (!plan.missing.empty()) break;  // a partial directory is not the version
    std::vector<WalkEntry> entries = WalkOutput(repo, dir);
    uint64_t size = 0;
    for (const WalkEntry& e : entries) size += e.info.size;
    repo.state().RecordDir(dir, StateIndex::Fingerprint(entries), size, oid);
  }
  repo.state().Flush();

  if (!plan.missing.empty())
    ThrowData("missing from the cache: {}; run 'leanops pull' to download",
              fmt::join(plan.missing, ", "));
  return result;
}

}  // namespace leanops
