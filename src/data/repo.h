// A DVC-format repository: the directory holding `.dvc/`, its configuration,
// cache, state index and lock.
//
// Layout owned here (created by Init, as `dvc init` does):
//   .dvc/config        repo configuration (committed)
//   .dvc/.gitignore    "/config.local", "/tmp", "/cache"
//   .dvc/cache/        content-addressed objects (see cache.h)
//   .dvc/tmp/lock      the write lock (see core/lock.h)
//   .dvc/tmp/leanops/state.db   the state index (see state_index.h)
//   .dvcignore         patterns of files left out of tracked directories
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/file_system.h"
#include "core/lock.h"
#include "data/cache.h"
#include "data/config.h"
#include "data/dvc_file.h"
#include "data/dvcignore.h"
#include "data/state_index.h"

namespace leanops {

class Repo;

/// Outputs recorded outside .dvc files (pipeline outputs in dvc.lock), so
/// push, fetch, checkout, ls and gc treat them like tracked data. The data
/// layer does not read pipeline files; the layer that does installs one.
class PointerSource {
 public:
  virtual ~PointerSource() = default;
  /// Every such output, grouped as read-only DvcFiles (see DvcFile::stage).
  /// `pipeline_files` are the work tree's dvc.yaml files (found by the same
  /// walk as the .dvc files).
  virtual std::vector<DvcFile> All(Repo& repo, const std::vector<std::string>& pipeline_files) = 0;
  /// The entries a user target names (a stage, or one of its output paths);
  /// empty when it names none.
  virtual std::vector<DvcFile> ForTarget(Repo& repo, const std::string& target) = 0;
};

class Repo {
 public:
  /// Finds the repository containing `start_dir` (walking up). Throws kData
  /// when there is none.
  static std::unique_ptr<Repo> Open(FileSystem& fs, Clock& clock, const std::string& start_dir);
  /// Creates the layout above in `dir`. Without `no_scm`, `dir` must be the
  /// top of a git work tree. `force` re-initialises an existing repository.
  static void Init(FileSystem& fs, const std::string& dir, bool no_scm, bool force);

  const std::string& root() const { return root_; }
  std::string dvc_dir() const { return root_ + "/.dvc"; }
  FileSystem& fs() { return fs_; }
  Clock& clock() { return clock_; }
  RepoConfig& config() { return config_; }
  Cache& cache() { return *cache_; }
  /// Opened on first use (read-only commands that need no hashing skip it).
  StateIndex& state();
  bool has_git() const { return has_git_; }
  /// The root .dvcignore, read on first use.
  const IgnoreRules& ignore_rules();

  /// Takes the write lock for `command`; see RepoLock.
  std::unique_ptr<RepoLock> Lock(const std::string& command, bool no_wait,
                                 const std::function<void(const std::string&)>& on_wait);

  /// Absolute, normalised form of a user path (relative to the process cwd).
  /// Throws kData when it lies outside the repository.
  std::string AbsPath(const std::string& user_path) const;
  /// Path relative to the root ("." for the root itself).
  std::string RelPath(const std::string& abs_path) const;

  /// Every .dvc pointer file in the work tree (absolute paths, sorted). Does
  /// not descend into .git, .dvc, or directories that a sibling `<dir>.dvc`
  /// tracks (their contents are data, not pointers).
  std::vector<std::string> FindDvcFiles();
  /// Every dvc.yaml in the work tree (absolute paths, sorted), found by the
  /// same walk.
  std::vector<std::string> FindPipelineFiles();
  /// The .dvc files named by `targets` (a .dvc file or the output it tracks,
  /// or what the pointer source knows: a stage or its output); all of them
  /// when `targets` is empty. Throws kData for unknown targets.
  std::vector<DvcFile> LoadTargets(const std::vector<std::string>& targets);
  /// Directory walks shared within a command that reads many overlapping
  /// outputs (a pipeline's deps: `in/` and each `in/dNN`): while enabled, a
  /// walk is kept and reused for that directory and any directory below it.
  /// Whoever changes the work tree while it is enabled calls ForgetWalks.
  void EnableWalkSharing(bool on) {
    share_walks_ = on;
    walks_.clear();
  }
  void ForgetWalks() { walks_.clear(); }
  /// The kept walk covering `dir` (its entries relative to `dir`), if any.
  std::optional<std::vector<WalkEntry>> SharedWalk(const std::string& dir) const;
  void KeepWalk(const std::string& dir, const std::vector<WalkEntry>& entries) {
    if (share_walks_) walks_[dir] = entries;
  }

  /// Adds pipeline outputs (or any other source) to LoadTargets.
  void SetPointerSource(std::unique_ptr<PointerSource> source) {
    pointer_source_ = std::move(source);
  }
  /// Loads one .dvc file, checking that its outputs lie inside the repository.
  DvcFile LoadPointer(const std::string& path);

  /// Use Open; public only so that make_unique can construct it.
  Repo(FileSystem& fs, Clock& clock, std::string root);

 private:
  void ScanWorkTree(std::vector<std::string>* dvc_files, std::vector<std::string>* pipeline_files);

  FileSystem& fs_;
  Clock& clock_;
  std::string root_;
  RepoConfig config_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<StateIndex> state_;
  std::unique_ptr<IgnoreRules> ignore_rules_;
  std::unique_ptr<PointerSource> pointer_source_;
  bool share_walks_ = false;
  std::map<std::string, std::vector<WalkEntry>> walks_;

  bool has_git_ = false;
};

/// Lexically normalises an absolute path ("/a/./b/../c" -> "/a/c").
std::string NormalizePath(const std::string& path);
/// Directory part of a path ("/a/b" -> "/a").
std::string DirName(const std::string& path);
/// Last component ("/a/b" -> "b").
std::string BaseName(const std::string& path);
/// Relative path from directory `from` to `to`, both absolute and normalised
/// ("/r/.dvc", "/store" -> "../../store").
std::string RelativePath(const std::string& from, const std::string& to);
/// A user path made absolute against the current directory, normalised.
std::string AbsoluteFromCwd(const std::string& path);

}  // namespace leanops
