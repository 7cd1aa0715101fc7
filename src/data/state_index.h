// The state index: remembers the md5 of files and directories so unchanged
// data is never hashed twice (DVC's "state" database, here in SQLite).
//
// File:  .dvc/tmp/leanops/state.db  (git-ignored with the rest of .dvc/tmp)
// Table: hashes(path TEXT PRIMARY KEY,  -- absolute path
//               inode INTEGER, mtime_ns INTEGER, size INTEGER,
//               md5 TEXT)
// A file's entry matches when inode, mtime (ns) and size equal its stat.
// A directory's entry stores inode = 0, size = total bytes and, in place of
// an mtime, a 63-bit fingerprint of every file's (relpath, inode, mtime,
// size); so an unchanged directory is recognised from one walk of stats and
// one lookup, without a lookup per file.
//
// The index is a cache: if it is unreadable it is recreated, never fatal.
// Writes are batched in one transaction per command (Flush).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/file_system.h"

struct sqlite3;
struct sqlite3_stmt;

namespace leanops {

class StateIndex {
 public:
  /// Opens (creating if needed) the index at `db_path`.
  explicit StateIndex(const std::string& db_path);
  ~StateIndex();
  StateIndex(const StateIndex&) = delete;
  StateIndex& operator=(const StateIndex&) = delete;

  /// The recorded md5 of a file when its stat still matches.
  std::optional<std::string> LookupFile(const std::string& path, const FileInfo& info);
  /// The recorded oid of a directory when its fingerprint still matches.
  std::optional<std::string> LookupDir(const std::string& path, uint64_t fingerprint,
                                       uint64_t total_size);
  /// Queues an entry; visible to lookups at once, written on Flush.
  void RecordFile(const std::string& path, const FileInfo& info, const std::string& md5);
  void RecordDir(const std::string& path, uint64_t fingerprint, uint64_t total_size,
                 const std::string& oid);
  /// Writes queued entries in one transaction. Failures are ignored: the
  /// index only saves work.
  void Flush();

  /// Fingerprint of a directory listing (entries sorted by relpath).
  static uint64_t Fingerprint(const std::vector<WalkEntry>& entries);

 private:
  struct Pending {
    std::string path;
    uint64_t inode;
    int64_t mtime;
    uint64_t size;
    std::string md5;
  };
  std::optional<std::string> Lookup(const std::string& path, uint64_t inode, int64_t mtime,
                                    uint64_t size);
  void Open(const std::string& db_path);
  void Close();
  int SchemaVersion();
  bool CreateSchema();
  void EndReadTransaction();

  static constexpr int kSchemaVersion = 1;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  bool in_read_transaction_ = false;
  std::unordered_map<std::string, Pending> pending_;  // by path
};

}  // namespace leanops
