// A narrow SQL connection interface, so that one store implementation
// (sql_store.cc) runs on SQLite and on PostgreSQL.
//
// SQL is written once with `?` placeholders; the PostgreSQL connection turns
// them into $1, $2, ... (outside quoted text). Statements are prepared once
// per connection and cached by their text. Both dialects accept the SQL the
// store uses: INSERT ... ON CONFLICT ... DO UPDATE/NOTHING, RETURNING,
// LIMIT/OFFSET, EXISTS subqueries; what differs (DDL, row locks, case-
// sensitive LIKE) is asked of dialect().
//
// A connection is used by one thread at a time. Errors throw leanops::Error:
// a unique or primary-key violation has code RESOURCE_ALREADY_EXISTS; a
// busy/locked database that stays busy past the timeout, a lost connection or
// a failed statement are kIO, naming the backend and the statement.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace leanops::track {

enum class SqlDialect { kSqlite, kPostgres };

/// A bound parameter. Text is not copied: it must outlive the Exec call.
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string_view>;

/// One result row, valid only inside the row callback.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual int Columns() const = 0;
  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;  // NULL reads as 0
  virtual double Double(int column) const = 0;
  virtual std::string_view Text(int column) const = 0;  // NULL reads as ""
};

using RowCallback = std::function<void(const SqlRow&)>;

class SqlDb {
 public:
  virtual ~SqlDb() = default;
  virtual SqlDialect dialect() const = 0;

  /// Runs one statement; calls `on_row` for each result row (when given).
  /// Returns the number of rows it changed (INSERT/UPDATE/DELETE), else 0.
  virtual int64_t Exec(std::string_view sql, std::span<const SqlValue> params,
                       const RowCallback& on_row = {}) = 0;
  int64_t Exec(std::string_view sql, std::initializer_list<SqlValue> params,
               const RowCallback& on_row = {}) {
    return Exec(sql, std::span<const SqlValue>(params.begin(), params.size()), on_row);
  }

  /// Runs several `;`-separated statements without parameters (DDL).
  virtual void ExecScript(std::string_view sql) = 0;

  /// Transactions. BeginWrite takes the write lock at once (SQLite's BEGIN
  /// IMMEDIATE, waiting up to the busy timeout) so that a read-then-write
  /// transaction cannot fail half-way; on PostgreSQL both are BEGIN.
  virtual void BeginRead() = 0;
  virtual void BeginWrite() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;  // never throws
};

/// Opens an SQLite database file (created when missing) in WAL mode with
/// synchronous=NORMAL, foreign keys on, case-sensitive LIKE, and a busy
/// timeout of `busy_timeout_ms`.
std::unique_ptr<SqlDb> OpenSqliteDb(const std::string& path, int busy_timeout_ms = 30000);

/// Connects to PostgreSQL with a libpq connection URI or key=value string.
/// libpq is loaded on first use (libpq_library.h).
std::unique_ptr<SqlDb> OpenPostgresDb(const std::string& conninfo);

/// The start of a statement for error messages: at most 80 bytes (not
/// cutting a UTF-8 character), on one line, "..." when cut.
std::string SqlStart(std::string_view sql);

/// Runs `body` after `db.Begin...()`: commits when it returns, rolls back
/// and rethrows when it throws.
template <typename Body>
auto CommitOrRollBack(SqlDb& db, Body&& body) {
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      db.Commit();
    } else {
      auto result = body();
      db.Commit();
      return result;
    }
  } catch (...) {
    db.Rollback();
    throw;
  }
}

/// Runs `body` in a write (or read) transaction: commits when it returns,
/// rolls back and rethrows when it throws.
template <typename Body>
auto InWriteTransaction(SqlDb& db, Body&& body) {
  db.BeginWrite();
  return CommitOrRollBack(db, std::forward<Body>(body));
}
template <typename Body>
auto InReadTransaction(SqlDb& db, Body&& body) {
  db.BeginRead();
  return CommitOrRollBack(db, std::forward<Body>(body));
}

}  // namespace leanops::track
