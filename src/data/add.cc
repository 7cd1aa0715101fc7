// add and commit: hash outputs into the cache and record them in .dvc files.
#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/subprocess.h"
#include "data/ops.h"

namespace leanops {
namespace {

// Runs `git <args>` for the paths (relative to the root) and returns the
// NUL-separated paths it prints (none when there is no git work tree or git
// fails). With `paths_on_stdin` the paths go NUL-separated to its standard
// input, else after "--" on its command line.
std::vector<std::string> GitPaths(Repo& repo, std::vector<std::string> args,
                                  const std::vector<std::string>& abs_paths, bool paths_on_stdin) {
  std::vector<std::string> out;
  if (!repo.has_git() || abs_paths.empty()) return out;
  args.insert(args.begin(), "git");
  std::string input;
  if (paths_on_stdin) {
    for (const std::string& abs : abs_paths) input += repo.RelPath(abs) + '\0';
  } else {
    args.push_back("--");
    for (const std::string& abs : abs_paths) args.push_back(repo.RelPath(abs));
  }
  ProcessResult r = RunCapture(args, repo.root(), input);
  if (r.exit_code != 0) return out;  // check-ignore exits 1 when nothing is ignored
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t end = r.out.find('\0', pos);
    if (end == std::string::npos) end = r.out.size();
    if (end > pos) out.push_back(r.out.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// DVC refuses to track what git already tracks: the data would be committed
// twice and the .gitignore entry would not apply. One git call for all paths.
void CheckNotTrackedByGit(Repo& repo, const std::vector<std::string>& abs_paths,
                          const std::vector<std::string>& user_paths) {
  for (const std::string& tracked : GitPaths(repo, {"ls-files", "-z"}, abs_paths, false)) {
    for (size_t i = 0; i < abs_paths.size(); ++i) {
      std::string rel = repo.RelPath(abs_paths[i]);
      if (tracked == rel || tracked.rfind(rel + "/", 0) == 0)
        ThrowData("'{}' is already tracked by git; run 'git rm -r --cached {}' first",
                  user_paths[i], user_paths[i]);
    }
  }
}

void CheckAddable(Repo& repo, const std::string& abs_path, const std::string& user_path) {
  FileInfo info = repo.fs().StatFollow(abs_path);
  if (!info.exists()) ThrowData("path '{}' does not exist", user_path);
  if (!info.is_file() && !info.is_dir())
    ThrowData("'{}' is neither a regular file nor a directory", user_path);
  if (abs_path == repo.root()) ThrowData("cannot track the repository root itself");
  std::string rel = repo.RelPath(abs_path);
  for (const char* reserved : {".dvc", ".git"})
    if (rel == reserved || rel.rfind(std::string(reserved) + "/", 0) == 0)
      ThrowData("'{}' is inside {}, which leanops manages itself", user_path, reserved);
  if (abs_path.ends_with(".dvc")) ThrowData("'{}' is a pointer file, not data", user_path);
  // A path inside an output that another .dvc file tracks would be stored twice.
  for (std::string dir = DirName(abs_path); dir.size() > repo.root().size(); dir = DirName(dir))
    if (repo.fs().Stat(dir + ".dvc").is_file())
      ThrowData("'{}' is inside '{}', which '{}' already tracks", user_path, repo.RelPath(dir),
                repo.RelPath(dir + ".dvc"));
}

// The paths git already ignores (say through "*.log"): they need no entry
// of their own.
std::vector<std::string> IgnoredByGit(Repo& repo, const std::vector<std::string>& abs_paths) {
  std::vector<std::string> ignored;
  for (const std::string& rel : GitPaths(repo, {"check-ignore", "-z", "--stdin"}, abs_paths, true))
    ignored.push_back(NormalizePath(repo.root() + "/" + rel));
  return ignored;
}

// Outputs must not overlap: a directory holding another .dvc file's output
// would store that data twice and hide the inner pointer file.
void CheckNoTrackedOutputsInside(Repo& repo, const std::vector<std::string>& abs_paths) {
  bool any_dir = false;
  for (const std::string& abs : abs_paths) any_dir |= repo.fs().StatFollow(abs).is_dir();
  if (!any_dir) return;
  for (const std::string& pointer : repo.FindDvcFiles()) {
    for (const std::string& abs : abs_paths) {
      if (pointer.rfind(abs + "/", 0) != 0) continue;
      if (pointer == abs + ".dvc") continue;
      ThrowData(
          "'{}' contains '{}', which is tracked already; remove it first with 'leanops "
          "remove {}'",
          repo.RelPath(abs), repo.RelPath(pointer), repo.RelPath(pointer));
    }
  }
}

// Updates (or creates) the entry for `out_path` in `file` from `hash`.
// Returns true when the entry changed.
bool UpdateOut(DvcFile& file, const std::string& out_path, const OutputHash& hash) {
  auto it = std::find_if(file.outs.begin(), file.outs.end(),
                         [&](const DvcOut& o) { return o.path == out_path; });
  if (it == file.outs.end()) {
    file.outs.push_back(DvcOut{});
    it = file.outs.end() - 1;
    it->path = out_path;
    it->extra = YAML::Node(YAML::NodeType::Map);
  }
  DvcOut before = *it;
  it->md5 = hash.oid;
  it->size = hash.size;
  it->nfiles = hash.is_dir ? std::optional<uint64_t>(hash.nfiles) : std::nullopt;
  it->isexec = !hash.is_dir && hash.isexec;
  it->legacy_hash = false;
  return before.md5 != it->md5 || before.size != it->size || before.nfiles != it->nfiles ||
         before.isexec != it->isexec || before.legacy_hash;
}

AddedOutput Describe(Repo& repo, const DvcFile& file, const std::string& abs_path,
                     const OutputHash& hash, bool changed) {
  return AddedOutput{repo.RelPath(file.path),
                     repo.RelPath(abs_path),
                     hash.is_dir,
                     hash.oid,
                     hash.size,
                     hash.nfiles,
                     changed};
}

}  // namespace

std::vector<AddedOutput> Add(Repo& repo, const std::vector<std::string>& paths, int jobs,
                             Progress& progress) {
  std::vector<std::string> abs_paths;
  for (const std::string& user_path : paths) {
    std::string abs = repo.AbsPath(user_path);
    CheckAddable(repo, abs, user_path);
    abs_paths.push_back(abs);
  }
  CheckNoTrackedOutputsInside(repo, abs_paths);
  CheckNotTrackedByGit(repo, abs_paths, paths);
  std::vector<std::string> ignored = IgnoredByGit(repo, abs_paths);

  std::vector<OutputHash> hashes;
  for (const std::string& abs : abs_paths)
    hashes.push_back(HashOutput(repo, abs, HashOptions{true, true, jobs}, progress));
  // Objects must be durable before a pointer names them: one sync for all.
  repo.fs().SyncFilesystem(repo.cache().root());

  std::vector<AddedOutput> added;
  std::map<std::string, std::vector<std::string>> to_ignore;  // directory -> names
  for (size_t i = 0; i < abs_paths.size(); ++i) {
    const std::string& abs = abs_paths[i];
    const OutputHash& hash = hashes[i];
    std::string pointer_path = abs + ".dvc";
    DvcFile file;
    if (repo.fs().Stat(pointer_path).is_file()) {
      file = LoadDvcFile(repo.fs(), pointer_path);
    } else {
      file.path = pointer_path;
      file.extra = YAML::Node(YAML::NodeType::Map);
    }
    bool changed = UpdateOut(file, BaseName(abs), hash);
    if (changed) SaveDvcFile(repo.fs(), file);
    if (repo.has_git() && std::find(ignored.begin(), ignored.end(), abs) == ignored.end())
      to_ignore[DirName(abs)].push_back(BaseName(abs));
    added.push_back(Describe(repo, file, abs, hash, changed));
  }
  for (const auto& [dir, names] : to_ignore) AddGitignoreEntries(repo.fs(), dir, names);
  repo.state().Flush();
  return added;
}

std::vector<AddedOutput> Commit(Repo& repo, const std::vector<std::string>& targets, int jobs,
                                Progress& progress) {
  std::vector<AddedOutput> committed;
  for (DvcFile& file : repo.LoadTargets(targets)) {
    if (file.from_lock())
      ThrowData("'{}' is a pipeline output; 'leanops repro' records it in dvc.lock", file.stage);
    bool file_changed = false;
    std::vector<std::pair<std::string, OutputHash>> hashes;
    for (const DvcOut& out : file.outs) {
      std::string abs = OutputAbsPath(file, out);
      OutputHash hash = HashOutput(repo, abs, HashOptions{true, out.cache, jobs}, progress);
      if (!hash.exists)
        ThrowData("output '{}' of '{}' does not exist; nothing to commit", repo.RelPath(abs),
                  repo.RelPath(file.path));
      hashes.emplace_back(out.path, std::move(hash));
    }
    repo.fs().SyncFilesystem(repo.cache().root());
    for (auto& [out_path, hash] : hashes) {
      bool changed = UpdateOut(file, out_path, hash);
      file_changed |= changed;
      committed.push_back(
          Describe(repo, file, NormalizePath(DirName(file.path) + "/" + out_path), hash, changed));
    }
    if (file_changed) SaveDvcFile(repo.fs(), file);
    repo.state().Flush();
  }
  return committed;
}

}  // namespace leanops
