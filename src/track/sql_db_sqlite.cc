// SqlDb on an SQLite file: one connection, used by one thread at a time.
//
// Statements are prepared once per SQL text (SQLITE_PREPARE_PERSISTENT) and
// kept in a bounded cache, because the store runs the same few statements
// over and over but also builds search SQL on the fly.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "track/api_error.h"
#include "track/sql_db.h"

namespace leanops::track {
namespace {

// Enough for every fixed statement of the store and a working set of search
// statements; the least recently used is finalized beyond it.
constexpr size_t kStatementCacheSize = 500;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt), columns_(sqlite3_column_count(stmt)) {}
  int Columns() const override { return columns_; }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, Check(column)) == SQLITE_NULL;
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, Check(column)); }
  double Double(int column) const override { return sqlite3_column_double(stmt_, Check(column)); }
  std::string_view Text(int column) const override {
    // The text pointer first, then its size: this order is what makes the
    // size that of the UTF-8 conversion.
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, Check(column)));
    int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string_view(text, static_cast<size_t>(size)) : std::string_view();
  }

 private:
  int Check(int column) const {
    if (column < 0 || column >= columns_)
      ThrowInternal("SQL row has {} columns, column {} was read", columns_, column);
    return column;
  }
  sqlite3_stmt* stmt_;
  int columns_;
};

/// Resets a statement and drops its bindings (which point into the caller's
/// text) however Exec ends.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteDb final : public SqlDb {
 public:
  SqliteDb(const std::string& path, int busy_timeout_ms) : path_(path) {
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);  // allocated even when the open failed
    if (rc != SQLITE_OK)
      ThrowIO("sqlite {}: cannot open: {}", path_, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_extended_result_codes(raw, 1);
    // The timeout first: switching to WAL needs a lock another connection
    // opening the same new file may hold.
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    // Reads map the database instead of copying pages through read(2) into
    // each connection's cache; the WAL is cut back after checkpoints, so a
    // burst of writes does not leave a file hundreds of MB long behind.
    ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA case_sensitive_like=ON; PRAGMA mmap_size=268435456;"
        " PRAGMA cache_size=-16384; PRAGMA journal_size_limit=67108864");
  }

  using SqlDb::Exec;
  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  int64_t Exec(std::string_view sql, std::span<const SqlValue> params,
               const RowCallback& on_row) override {
    sqlite3_stmt* stmt = Prepare(sql);
    StmtUse use(stmt);
    int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<size_t>(expected) != params.size())
      ThrowInternal("sqlite {}: {} parameters given for {} placeholders in \"{}\"", path_,
                    params.size(), expected, SqlStart(sql));
    for (size_t i = 0; i < params.size(); ++i) Bind(stmt, static_cast<int>(i) + 1, params[i], sql);

    sqlite3_int64 total_before = sqlite3_total_changes64(db_.get());
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (on_row) on_row(SqliteRow(stmt));
    }
    if (rc != SQLITE_DONE) Fail(rc, sql);
    // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so
    // it is read only when this statement changed something.
    if (sqlite3_total_changes64(db_.get()) == total_before) return 0;
    return sqlite3_changes64(db_.get());
  }

  void ExecScript(std::string_view sql) override {
    std::string text(sql);  // sqlite3_exec needs a terminated string
    int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) Fail(rc, sql);
  }

  void BeginRead() override { Begin("BEGIN"); }
  // BEGIN IMMEDIATE takes the write lock now, waiting for it through the
  // busy handler. A deferred transaction would instead fail at its first
  // write (SQLITE_BUSY_SNAPSHOT, which no handler retries) when another
  // connection wrote since it read.
  void BeginWrite() override { Begin("BEGIN IMMEDIATE"); }
  void Commit() override {
    if (sqlite3_get_autocommit(db_.get()))
      ThrowInternal("sqlite {}: COMMIT without a transaction", path_);
    Exec("COMMIT", {});
  }
  void Rollback() override {
    if (sqlite3_get_autocommit(db_.get())) return;  // no transaction open
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  struct CachedStatement {
    StmtPtr stmt;
    uint64_t last_use = 0;
  };

  void Begin(std::string_view sql) {
    if (!sqlite3_get_autocommit(db_.get()))
      ThrowInternal("sqlite {}: a transaction is already open", path_);
    Exec(sql, {});
  }

  sqlite3_stmt* Prepare(std::string_view sql) {
    ++use_clock_;
    if (auto it = cache_.find(sql); it != cache_.end()) {
      it->second.last_use = use_clock_;
      return it->second.stmt.get();
    }
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) Fail(rc, sql);
    if (!stmt) ThrowInternal("sqlite {}: no statement in \"{}\"", path_, SqlStart(sql));
    if (HasStatement(std::string_view(tail, sql.data() + sql.size() - tail)))
      ThrowInternal("sqlite {}: Exec takes one statement: \"{}\"", path_, SqlStart(sql));
    if (cache_.size() >= kStatementCacheSize) EvictLeastRecentlyUsed();
    auto [it, inserted] = cache_.emplace(std::string(sql), CachedStatement{std::move(stmt), 0});
    it->second.last_use = use_clock_;
    return it->second.stmt.get();
  }

  /// Whether `rest` (what follows a statement) holds another statement, not
  /// just blanks, semicolons and comments.
  bool HasStatement(std::string_view rest) {
    if (rest.find_first_not_of(" \t\r\n;") == std::string_view::npos) return false;
    sqlite3_stmt* raw = nullptr;
    int rc =
        sqlite3_prepare_v2(db_.get(), rest.data(), static_cast<int>(rest.size()), &raw, nullptr);
    StmtPtr next(raw);
    return rc != SQLITE_OK || next != nullptr;
  }

  void EvictLeastRecentlyUsed() {
    auto oldest = cache_.begin();
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->second.last_use < oldest->second.last_use) oldest = it;
    cache_.erase(oldest);
  }

  void Bind(sqlite3_stmt* stmt, int index, const SqlValue& value, std::string_view sql) {
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(value)) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt, index, *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      rc = sqlite3_bind_double(stmt, index, *d);  // NaN is stored as NULL
    } else {
      std::string_view text = std::get<std::string_view>(value);
      // A null pointer would bind NULL: an empty view may have one.
      const char* data = text.data() ? text.data() : "";
      rc = sqlite3_bind_text64(stmt, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) Fail(rc, sql);
  }

  [[noreturn]] void Fail(int rc, std::string_view sql) {
    const char* message = sqlite3_errmsg(db_.get());
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      throw Error(ErrorKind::kData, kAlreadyExists, fmt::format("sqlite {}: {}", path_, message));
    ThrowIO("sqlite {}: {} (in \"{}\")", path_, message, SqlStart(sql));
  }

  std::string path_;
  std::unique_ptr<sqlite3, DbCloser> db_;  // declared before the cache: closed after it
  std::unordered_map<std::string, CachedStatement, TransparentHash, std::equal_to<>> cache_;
  uint64_t use_clock_ = 0;
};

}  // namespace

std::unique_ptr<SqlDb> OpenSqliteDb(const std::string& path, int busy_timeout_ms) {
  return std::make_unique<SqliteDb>(path, busy_timeout_ms);
}

}  // namespace leanops::track
