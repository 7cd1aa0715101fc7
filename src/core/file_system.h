// Every filesystem call leanops makes goes through FileSystem, so tests can
// substitute a fault-injecting implementation (see FaultyFileSystem in
// file_system_test.cc) and prove that an interrupted write never leaves a
// half-written file under its final name.
//
// Paths are plain strings (absolute or relative to the process's cwd).
// Failures throw leanops::Error of kind kIO naming the path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace leanops {

enum class FileType { kMissing, kFile, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kMissing;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  uint32_t mode = 0;  // permission bits
  bool exists() const { return type != FileType::kMissing; }
  bool is_file() const { return type == FileType::kFile; }
  bool is_dir() const { return type == FileType::kDirectory; }
};

/// One regular file found by Walk: its path relative to the walked root
/// (always with '/') and its stat.
struct WalkEntry {
  std::string relpath;
  FileInfo info;
};

/// How a workspace file is materialised from a cache object (DVC's cache.type).
enum class LinkType { kReflink, kHardlink, kSymlink, kCopy };

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// lstat(); a missing path gives type kMissing (no error).
  virtual FileInfo Stat(const std::string& path) = 0;
  /// stat() following symlinks.
  virtual FileInfo StatFollow(const std::string& path) = 0;
  virtual std::string ReadFile(const std::string& path) = 0;
  /// Calls `sink` with consecutive chunks of the file (up to `chunk_size` bytes).
  virtual void ReadChunks(const std::string& path, size_t chunk_size,
                          const std::function<void(const char*, size_t)>& sink) = 0;
  /// Writes to a temp file beside `path`, fsyncs, renames over `path`, fsyncs the
  /// directory. Readers see the old or the new contents, never a mix.
  virtual void WriteFileAtomic(const std::string& path, std::string_view contents,
                               uint32_t mode = 0644) = 0;
  /// Copies `from` into `to`, which must not be reachable by its final name
  /// until complete (callers copy to a temp name and Rename). fsyncs when
  /// `durable`; otherwise only starts writeback (see SyncFilesystem).
  virtual void CopyFile(const std::string& from, const std::string& to, bool durable) = 0;
  /// Creates `to` (which must not exist yet) as a copy of `from` with
  /// `mode`, appearing under its name only when complete. Uses an unnamed
  /// O_TMPFILE linked into place where the filesystem allows (one directory
  /// update instead of a create and a rename), else a temp name and rename.
  /// Returns false when `to` already existed (left as it was).
  virtual bool CopyFileAtomic(const std::string& from, const std::string& to, uint32_t mode) = 0;
  virtual void Rename(const std::string& from, const std::string& to) = 0;
  /// Removes a file or symlink; a missing path is not an error.
  virtual void RemoveFile(const std::string& path) = 0;
  /// Removes a directory tree or file; a missing path is not an error.
  virtual void RemoveAll(const std::string& path) = 0;
  virtual void MakeDirs(const std::string& path) = 0;
  virtual void Hardlink(const std::string& from, const std::string& to) = 0;
  virtual void Symlink(const std::string& target, const std::string& link) = 0;
  /// Clones `from` to `to` with FICLONE; throws kIO when the filesystem cannot.
  virtual void Reflink(const std::string& from, const std::string& to) = 0;
  virtual void Chmod(const std::string& path, uint32_t mode) = 0;
  /// Names in a directory (no "." / ".."); missing directory gives an empty list.
  virtual std::vector<std::string> ListDir(const std::string& path) = 0;
  /// ListDir with each entry's type (not following symlinks). The default
  /// stats each entry; the POSIX filesystem reads the type from the listing
  /// itself, saving a stat per entry on a walk of a large work tree.
  virtual std::vector<std::pair<std::string, FileType>> ListDirTyped(const std::string& path);
  /// All regular files (and symlinks to files) under `root`, recursively, sorted
  /// by relpath. Directories named in `skip_dirs` (by name) are not entered.
  virtual std::vector<WalkEntry> Walk(const std::string& root,
                                      const std::vector<std::string>& skip_dirs) = 0;
  /// fsync of a directory, making renames inside it durable.
  virtual void SyncDir(const std::string& path) = 0;
  /// syncfs(2): makes every write on the filesystem holding `path` durable.
  /// One call after many cache writes costs far less than an fsync per file.
  /// With LEANOPS_FSYNC=0 in the environment this (and the early writeback
  /// of CopyFile) is skipped: bulk data stays atomic but not power-safe.
  virtual void SyncFilesystem(const std::string& path) = 0;
};

/// The process-wide real (POSIX) filesystem.
FileSystem& RealFs();

/// Unique temp name beside `path` (same directory, so a rename is atomic).
std::string TempNameFor(const std::string& path);

/// True for names produced by TempNameFor (left behind by an interrupted write).
bool IsTempName(std::string_view name);

}  // namespace leanops
