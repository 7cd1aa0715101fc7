// A repository's files as they were at one git revision, behind the
// FileSystem interface, so the code that reads dvc.yaml, params and metrics
// files from the workspace reads them from history unchanged (`metrics
// diff HEAD~1`, `params diff v1 v2`).
//
// Only reading is supported (Stat, StatFollow, ReadFile, ReadChunks,
// ListDir, Walk); every write throws kInternal. Paths are absolute paths
// under the repository root, as in the workspace. The tree is listed once
// with `git ls-tree`; each file read is one `git cat-file blob`.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/file_system.h"

namespace leanops {

class RevisionFs : public FileSystem {
 public:
  /// Opens `rev` (a branch, tag, sha, `HEAD~1`...) of the git repository
  /// holding `root` (an absolute, normalised directory). Throws kData when
  /// `root` is not in a git work tree or `rev` names no commit.
  static std::unique_ptr<RevisionFs> Open(const std::string& root, const std::string& rev);

  /// The commit `rev` resolves to, or nullopt (not a commit, no git, no
  /// commits yet).
  static std::optional<std::string> ResolveCommit(const std::string& root, const std::string& rev);

  const std::string& rev() const { return rev_; }
  const std::string& commit() const { return commit_; }

  FileInfo Stat(const std::string& path) override;
  FileInfo StatFollow(const std::string& path) override;
  std::string ReadFile(const std::string& path) override;
  void ReadChunks(const std::string& path, size_t chunk_size,
                  const std::function<void(const char*, size_t)>& sink) override;
  std::vector<std::string> ListDir(const std::string& path) override;
  std::vector<WalkEntry> Walk(const std::string& root,
                              const std::vector<std::string>& skip_dirs) override;

  void WriteFileAtomic(const std::string& path, std::string_view contents, uint32_t mode) override;
  void CopyFile(const std::string& from, const std::string& to, bool durable) override;
  bool CopyFileAtomic(const std::string& from, const std::string& to, uint32_t mode) override;
  void Rename(const std::string& from, const std::string& to) override;
  void RemoveFile(const std::string& path) override;
  void RemoveAll(const std::string& path) override;
  void MakeDirs(const std::string& path) override;
  void Hardlink(const std::string& from, const std::string& to) override;
  void Symlink(const std::string& target, const std::string& link) override;
  void Reflink(const std::string& from, const std::string& to) override;
  void Chmod(const std::string& path, uint32_t mode) override;
  void SyncDir(const std::string& path) override;
  void SyncFilesystem(const std::string& path) override;

  struct Entry {
    FileType type = FileType::kMissing;
    std::string oid;  // blob id of a file or symlink
    uint64_t size = 0;
  };

  RevisionFs(std::string root, std::string rev, std::string commit,
             std::map<std::string, Entry> entries);

 private:
  /// The repository-relative path of `path` ("" for the root), or nullopt
  /// when it lies outside the repository.
  std::optional<std::string> Rel(const std::string& path) const;
  [[noreturn]] void ReadOnly(const std::string& what) const;

  std::string root_;
  std::string rev_;
  std::string commit_;
  std::map<std::string, Entry> entries_;  // relpath -> entry, directories included
};

}  // namespace leanops
