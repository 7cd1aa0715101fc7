// Hashing a tracked output (file or directory) the way DVC does, reusing the
// state index so unchanged files are only stat'ed, and optionally storing
// its objects in the cache in the same pass (what add and commit do).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "core/progress.h"
#include "data/dir_manifest.h"
#include "data/repo.h"

namespace leanops {

struct HashedFile {
  std::string relpath;  // "" for a single-file output
  FileInfo info;
  std::string md5;
};

struct OutputHash {
  bool exists = false;
  bool is_dir = false;
  std::string oid;  // md5, or "<md5>.dir" for a directory
  uint64_t size = 0;
  uint64_t nfiles = 0;
  bool isexec = false;
  /// Per-file hashes; for a directory found unchanged through its
  /// fingerprint (and with `need_files` off) this stays empty.
  std::vector<HashedFile> files;
};

struct HashOptions {
  bool need_files = false;  // compute per-file md5s even when the dir fingerprint matches
  bool store = false;       // put every object in the cache (implies need_files)
  int jobs = 0;             // threads; 0 = one per core
};

/// The files of a directory output: every regular file below it except
/// .git/.dvc directories, temp files of interrupted writes and what
/// .dvcignore excludes.
std::vector<WalkEntry> WalkOutput(Repo& repo, const std::string& dir);

/// Hashes the output at `abs_path` (missing: exists = false). Records new
/// hashes in the state index (flushed by the caller's StateIndex lifetime).
OutputHash HashOutput(Repo& repo, const std::string& abs_path, const HashOptions& options,
                      Progress& progress);

}  // namespace leanops
