#include "data/state_index.h"

#include <sqlite3.h>
#include <unistd.h>

#include "core/md5.h"

namespace leanops {

StateIndex::StateIndex(const std::string& db_path) {
  Open(db_path);
  if (!db_) {
    // A corrupt or foreign file: start afresh, the index is only a cache.
    ::unlink(db_path.c_str());
    ::unlink((db_path + "-wal").c_str());
    ::unlink((db_path + "-shm").c_str());
    Open(db_path);
  }
}

StateIndex::~StateIndex() {
  Flush();
  Close();
}

void StateIndex::Open(const std::string& db_path) {
  if (sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Close();
    return;
  }
  sqlite3_busy_timeout(db_, 10000);
  // Keep the -wal file between runs: creating and deleting it costs more
  // than a no-op status does otherwise.
  int persist_wal = 1;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  if (sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr) != SQLITE_OK ||
      (SchemaVersion() != kSchemaVersion && !CreateSchema()) ||
      sqlite3_prepare_v2(db_, "SELECT inode, mtime_ns, size, md5 FROM hashes WHERE path = ?", -1,
                         &select_, nullptr) != SQLITE_OK) {
    Close();
  }
}

int StateIndex::SchemaVersion() {
  sqlite3_stmt* stmt = nullptr;
  int version = -1;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return version;
}

bool StateIndex::CreateSchema() {
  const char* schema =
      "PRAGMA journal_mode=WAL;"  // persistent: set once
      "CREATE TABLE IF NOT EXISTS hashes(path TEXT PRIMARY KEY, inode INTEGER NOT NULL,"
      " mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL) WITHOUT ROWID;"
      "PRAGMA user_version=1;";
  return sqlite3_exec(db_, schema, nullptr, nullptr, nullptr) == SQLITE_OK;
}

void StateIndex::EndReadTransaction() {
  if (!in_read_transaction_) return;
  sqlite3_reset(select_);
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  in_read_transaction_ = false;
}

void StateIndex::Close() {
  if (db_) EndReadTransaction();
  if (select_) sqlite3_finalize(select_);
  select_ = nullptr;
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
}

std::optional<std::string> StateIndex::Lookup(const std::string& path, uint64_t inode,
                                              int64_t mtime, uint64_t size) {
  if (auto it = pending_.find(path); it != pending_.end()) {
    const Pending& p = it->second;
    if (p.inode == inode && p.mtime == mtime && p.size == size) return p.md5;
    return std::nullopt;
  }
  if (!select_) return std::nullopt;
  // One read transaction for all look-ups of a command: a statement outside
  // a transaction takes and drops SQLite's file locks each time.
  if (!in_read_transaction_)
    in_read_transaction_ = sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_reset(select_);
  sqlite3_bind_text(select_, 1, path.data(), static_cast<int>(path.size()), SQLITE_STATIC);
  std::optional<std::string> result;
  if (sqlite3_step(select_) == SQLITE_ROW) {
    if (static_cast<uint64_t>(sqlite3_column_int64(select_, 0)) == inode &&
        sqlite3_column_int64(select_, 1) == mtime &&
        static_cast<uint64_t>(sqlite3_column_int64(select_, 2)) == size) {
      result = reinterpret_cast<const char*>(sqlite3_column_text(select_, 3));
    }
  }
  sqlite3_reset(select_);
  return result;
}

std::optional<std::string> StateIndex::LookupFile(const std::string& path, const FileInfo& info) {
  return Lookup(path, info.inode, info.mtime_ns, info.size);
}

std::optional<std::string> StateIndex::LookupDir(const std::string& path, uint64_t fingerprint,
                                                 uint64_t total_size) {
  return Lookup(path, 0, static_cast<int64_t>(fingerprint), total_size);
}

void StateIndex::RecordFile(const std::string& path, const FileInfo& info, const std::string& md5) {
  pending_[path] = {path, info.inode, info.mtime_ns, info.size, md5};
}

void StateIndex::RecordDir(const std::string& path, uint64_t fingerprint, uint64_t total_size,
                           const std::string& oid) {
  pending_[path] = {path, 0, static_cast<int64_t>(fingerprint), total_size, oid};
}

void StateIndex::Flush() {
  if (pending_.empty() || !db_) {
    pending_.clear();
    return;
  }
  EndReadTransaction();
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?, ?)", -1, &insert,
                         nullptr) == SQLITE_OK) {
    for (const auto& [key, p] : pending_) {
      sqlite3_bind_text(insert, 1, p.path.data(), static_cast<int>(p.path.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(p.inode));
      sqlite3_bind_int64(insert, 3, p.mtime);
      sqlite3_bind_int64(insert, 4, static_cast<sqlite3_int64>(p.size));
      sqlite3_bind_text(insert, 5, p.md5.data(), static_cast<int>(p.md5.size()), SQLITE_STATIC);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    // Fold the log into the database now, so the next command reads the
    // database file alone instead of rebuilding an index over a large log.
    sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  } else {
    if (insert) sqlite3_finalize(insert);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  pending_.clear();
}

uint64_t StateIndex::Fingerprint(const std::vector<WalkEntry>& entries) {
  Md5 md5;
  for (const WalkEntry& e : entries) {
    md5.Update(e.relpath.data(), e.relpath.size() + 1);  // include the NUL as a separator
    uint64_t fields[3] = {e.info.inode, static_cast<uint64_t>(e.info.mtime_ns), e.info.size};
    md5.Update(fields, sizeof(fields));
  }
  std::string hex = md5.HexDigest();
  return std::stoull(hex.substr(0, 15), nullptr, 16);  // 60 bits: fits a signed int64
}

}  // namespace leanops
