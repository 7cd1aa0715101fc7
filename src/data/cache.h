// The content-addressed cache, in DVC 3's layout:
//   <root>/files/md5/<first 2 hex>/<remaining 30 hex>[.dir]
// Objects are read-only (0444) and written under a temp name, then renamed,
// so an object under its final name is always complete. Reading an object
// whose bytes do not hash to its name reports it as corrupted and removes it.
#pragma once

#include <array>
#include <atomic>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "data/dir_manifest.h"

namespace leanops {

class Cache {
 public:
  Cache(FileSystem& fs, std::string root, std::vector<LinkType> link_types);

  const std::string& root() const { return root_; }
  FileSystem& fs() { return fs_; }
  /// <root>/files/md5/ab/cdef...
  std::string ObjectPath(const std::string& oid) const;
  bool Has(const std::string& oid);

  /// Stores the file at `source` as `oid` unless already there: a copy, or
  /// for the hardlink and symlink cache types a hard link (no data copied).
  void InsertFile(const std::string& source, const std::string& oid);
  /// True when the cache type makes workspace files links into the cache.
  bool LinksWorkspace() const;
  /// After InsertFile, turns the workspace file at `path` into a link to the
  /// object when the cache type asks for links, as DVC's add does.
  void LinkWorkspace(const std::string& path, const std::string& oid, bool executable);
  /// Moves an already complete and verified temp file (in the same
  /// filesystem) into place as `oid`.
  void AdoptFile(const std::string& temp_path, const std::string& oid);
  /// Stores bytes (a directory manifest) as `oid`.
  void InsertBytes(const std::string& bytes, const std::string& oid);
  /// A temp path inside the cache for downloads of `oid`.
  std::string TempPath(const std::string& oid);
  /// A temp path inside the cache for data whose oid is not known yet.
  std::string IncomingTempPath();

  /// Reads and verifies a `.dir` object. Throws kData if missing or corrupted.
  std::vector<ManifestEntry> LoadManifest(const std::string& oid);

  /// Rehashes the object; when it does not match its name, removes it and
  /// returns false.
  bool Verify(const std::string& oid);

  /// Creates `dest` (which must not exist) from the object, with the first
  /// link type that works. Atomic: goes through a temp name beside `dest`.
  void Materialize(const std::string& oid, const std::string& dest, bool executable);

  /// A fingerprint of the cache's contents that changes whenever an object
  /// is added or removed: the mtimes of its 256 prefix directories. Lets
  /// status know a directory's objects are all still present from one
  /// look-up instead of a stat per file.
  uint64_t Generation();

  /// Every oid in the cache (for gc).
  std::vector<std::string> ListOids();
  /// Deletes temp files that interrupted writes left behind; returns how
  /// many. Only safe while holding the repository lock.
  size_t RemoveTempFiles();

 private:
  void EnsureObjectDir(const std::string& oid);
  FileSystem& fs_;
  std::string root_;
  std::vector<LinkType> link_types_;
  std::array<std::atomic<bool>, 256> prefix_made_{};  // prefix directories known to exist
};

/// md5 of a file's bytes (DVC 3 `md5`), read in 1 MiB chunks.
std::string HashFile(FileSystem& fs, const std::string& path);

}  // namespace leanops
