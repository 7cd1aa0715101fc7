// SqlDb on a PostgreSQL server through libpq (loaded on first use): one
// connection, used by one thread at a time.
//
// Every statement is prepared on the server once per connection (named s1,
// s2, ...) and run with PQexecPrepared; the cache is bounded because the
// store builds search SQL on the fly. Parameters and results travel as text:
// numbers are written and read with std::to_chars/from_chars, which round-
// trip doubles exactly, as does the server's shortest-exact float output.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "track/api_error.h"
#include "track/libpq_library.h"
#include "track/sql_db.h"

namespace leanops::track {
namespace {

constexpr size_t kStatementCacheSize = 500;

// Type OIDs from the server's catalog (pg_type.dat); fixed since PostgreSQL 7.
constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kUntyped = 0;  // the server infers the type from the context

struct ConnFinisher {
  void operator()(PGconn* conn) const { Pq().finish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { Pq().clear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

struct TranslatedSql {
  std::string text;
  size_t placeholders = 0;
};

/// Turns `?` into $1, $2, ... outside '...' strings (with E'...' backslash
/// escapes), "..." identifiers, -- comments and /* */ comments (nested, as
/// PostgreSQL allows). Dollar-quoted strings are not recognised: the store
/// does not write them.
TranslatedSql TranslatePlaceholders(std::string_view sql) {
  TranslatedSql out;
  out.text.reserve(sql.size() + 16);
  size_t i = 0;
  auto copy_to = [&](size_t end) {
    out.text.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    char c = sql[i];
    char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'' || c == '"') {
      bool backslash_escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                               (i < 2 || !IsIdentifierChar(sql[i - 2]));
      size_t j = i + 1;
      while (j < sql.size()) {
        if (backslash_escapes && sql[j] == '\\') {
          j += 2;
        } else if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;  // a doubled quote stands for itself
          } else {
            ++j;
            break;
          }
        } else {
          ++j;
        }
      }
      copy_to(std::min(j, sql.size()));
    } else if (c == '-' && next == '-') {
      size_t end = sql.find('\n', i);
      copy_to(end == std::string_view::npos ? sql.size() : end);
    } else if (c == '/' && next == '*') {
      size_t j = i + 2;
      int depth = 1;
      while (j < sql.size() && depth > 0) {
        if (sql.substr(j, 2) == "/*") {
          ++depth;
          j += 2;
        } else if (sql.substr(j, 2) == "*/") {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      copy_to(std::min(j, sql.size()));
    } else if (c == '?') {
      out.text += '$';
      out.text += std::to_string(++out.placeholders);
      ++i;
    } else {
      out.text += c;
      ++i;
    }
  }
  return out;
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);  // shortest exact
  return std::string(buffer, end);
}

class PgRow final : public SqlRow {
 public:
  PgRow(const PqLibrary& pq, const PGresult* result, int row)
      : pq_(pq), result_(result), row_(row), columns_(pq.nfields(result)) {}
  int Columns() const override { return columns_; }
  bool IsNull(int column) const override { return pq_.getisnull(result_, row_, Check(column)); }
  std::string_view Text(int column) const override {
    Check(column);
    return std::string_view(pq_.getvalue(result_, row_, column),
                            static_cast<size_t>(pq_.getlength(result_, row_, column)));
  }
  int64_t Int(int column) const override {
    std::string_view text = Text(column);
    if (text.empty()) return 0;  // NULL
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
    if (text == "t") return 1;  // a boolean, such as EXISTS (...) yields
    if (text == "f") return 0;
    // A decimal (AVG, a numeric column) is truncated, as SQLite does.
    double d = ParseDouble(text, column);
    if (std::isnan(d)) return 0;
    if (d >= 9.2233720368547758e18) return INT64_MAX;
    if (d <= -9.2233720368547758e18) return INT64_MIN;
    return static_cast<int64_t>(d);
  }
  double Double(int column) const override {
    std::string_view text = Text(column);
    return text.empty() ? 0.0 : ParseDouble(text, column);
  }

 private:
  int Check(int column) const {
    if (column < 0 || column >= columns_)
      ThrowInternal("SQL row has {} columns, column {} was read", columns_, column);
    return column;
  }
  static double ParseDouble(std::string_view text, int column) {
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      ThrowInternal("SQL column {} holds '{}', not a number", column, text);
    return value;
  }

  const PqLibrary& pq_;
  const PGresult* result_;
  int row_;
  int columns_;
};

/// The password written in a URI's user info ("postgresql://user:pw@host"),
/// as typed (percent-encoded), or "".
std::string_view UriPassword(std::string_view conninfo) {
  size_t scheme = conninfo.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = conninfo.substr(scheme + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view user_info = authority.substr(0, at);
  size_t colon = user_info.find(':');
  return colon == std::string_view::npos ? std::string_view() : user_info.substr(colon + 1);
}

class PostgresDb final : public SqlDb {
 public:
  explicit PostgresDb(const std::string& conninfo) : pq_(Pq()) {
    if (std::string_view uri_password = UriPassword(conninfo); !uri_password.empty())
      secrets_.emplace_back(uri_password);
    conn_.reset(pq_.connectdb(conninfo.c_str()));
    if (!conn_) ThrowIO("postgresql: out of memory while connecting");
    if (const char* password = pq_.pass(conn_.get()); password && *password)
      secrets_.emplace_back(password);
    where_ = Describe();
    if (pq_.status(conn_.get()) != CONNECTION_OK)
      ThrowIO("{}: cannot connect: {}", where_, Clean(pq_.error_message(conn_.get())));
    // Library code never prints: notices would go to stderr by default.
    pq_.set_notice_processor(
        conn_.get(), [](void*, const char*) {}, nullptr);
    // extra_float_digits > 0 makes servers before 12 print doubles exactly
    // too (12 and later always print the shortest exact form).
    ExecScript(
        "SET client_min_messages TO warning; SET client_encoding TO 'UTF8';"
        " SET extra_float_digits TO 3");
  }

  using SqlDb::Exec;
  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

  int64_t Exec(std::string_view sql, std::span<const SqlValue> params,
               const RowCallback& on_row) override {
    const std::string& name = Prepare(sql, params);
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& value = params[i];
      if (std::holds_alternative<std::nullptr_t>(value)) continue;  // NULL
      if (const auto* n = std::get_if<int64_t>(&value)) {
        texts[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&value)) {
        texts[i] = FormatDouble(*d);
      } else {
        std::string_view text = std::get<std::string_view>(value);
        if (text.find('\0') != std::string_view::npos)
          ThrowInvalid("{}: text with a NUL character cannot be stored (in \"{}\")", where_,
                       SqlStart(sql));
        texts[i] = text;  // text-format parameters are NUL-terminated
      }
      values[i] = texts[i].c_str();
    }
    ResultPtr result(pq_.exec_prepared(conn_.get(), name.c_str(), static_cast<int>(values.size()),
                                       values.data(), nullptr, nullptr, 0));
    ExecStatusType status = result ? pq_.result_status(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result.get(), sql);
    if (on_row) {
      int rows = pq_.ntuples(result.get());
      for (int row = 0; row < rows; ++row) on_row(PgRow(pq_, result.get(), row));
    }
    return ChangedRows(result.get());
  }

  void ExecScript(std::string_view sql) override {
    std::string text(sql);
    ResultPtr result(pq_.exec(conn_.get(), text.c_str()));
    ExecStatusType status = result ? pq_.result_status(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
      Fail(result.get(), sql);
  }

  // Both are a plain BEGIN (READ COMMITTED): PostgreSQL takes row locks as
  // statements run, so a write transaction needs no lock up front; a store
  // that reads then writes locks what it reads (SELECT ... FOR UPDATE).
  void BeginRead() override { Begin(); }
  void BeginWrite() override { Begin(); }

  void Commit() override {
    PGTransactionStatusType state = pq_.transaction_status(conn_.get());
    if (state == PQTRANS_IDLE) ThrowInternal("{}: COMMIT without a transaction", where_);
    if (state == PQTRANS_INERROR) {
      // The server would answer COMMIT with a silent ROLLBACK.
      Rollback();
      ThrowIO("{}: transaction not committed: a statement in it failed", where_);
    }
    ExecScript("COMMIT");
  }

  void Rollback() override {
    PGTransactionStatusType state = pq_.transaction_status(conn_.get());
    if (state != PQTRANS_INTRANS && state != PQTRANS_INERROR) return;
    ResultPtr result(pq_.exec(conn_.get(), "ROLLBACK"));
  }

 private:
  struct CachedStatement {
    std::string name;
    uint64_t last_use = 0;
  };

  void Begin() {
    if (pq_.transaction_status(conn_.get()) != PQTRANS_IDLE)
      ThrowInternal("{}: a transaction is already open", where_);
    ExecScript("BEGIN");
  }

  /// The prepared statement for `sql` with these parameter types, prepared
  /// now if it is not cached. Integers and doubles are declared bigint and
  /// double precision; text and NULL are left to the server to infer.
  const std::string& Prepare(std::string_view sql, std::span<const SqlValue> params) {
    std::string key(sql);
    key += '\0';
    std::vector<Oid> types(params.size(), kUntyped);
    for (size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<int64_t>(params[i])) {
        types[i] = kInt8Oid;
        key += 'i';
      } else if (std::holds_alternative<double>(params[i])) {
        types[i] = kFloat8Oid;
        key += 'd';
      } else {
        key += 'u';
      }
    }
    ++use_clock_;
    if (auto it = cache_.find(key); it != cache_.end()) {
      it->second.last_use = use_clock_;
      return it->second.name;
    }
    TranslatedSql translated = TranslatePlaceholders(sql);
    if (translated.placeholders != params.size())
      ThrowInternal("{}: {} parameters given for {} placeholders in \"{}\"", where_, params.size(),
                    translated.placeholders, SqlStart(sql));
    if (cache_.size() >= kStatementCacheSize) EvictLeastRecentlyUsed();
    std::string name = "s" + std::to_string(++statements_made_);
    ResultPtr result(pq_.prepare(conn_.get(), name.c_str(), translated.text.c_str(),
                                 static_cast<int>(types.size()), types.data()));
    if (!result || pq_.result_status(result.get()) != PGRES_COMMAND_OK) Fail(result.get(), sql);
    auto [it, inserted] = cache_.emplace(std::move(key), CachedStatement{std::move(name), 0});
    it->second.last_use = use_clock_;
    return it->second.name;
  }

  void EvictLeastRecentlyUsed() {
    auto oldest = cache_.begin();
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->second.last_use < oldest->second.last_use) oldest = it;
    // Fails only inside a failed transaction, where the caller's statement
    // fails too; the name is never reused, so a leftover statement is
    // harmless until the connection closes.
    ResultPtr result(pq_.exec(conn_.get(), ("DEALLOCATE " + oldest->second.name).c_str()));
    cache_.erase(oldest);
  }

  int64_t ChangedRows(PGresult* result) const {
    std::string_view tag = pq_.cmd_status(result);
    bool changes = tag.starts_with("INSERT ") || tag.starts_with("UPDATE ") ||
                   tag.starts_with("DELETE ") || tag.starts_with("MERGE ");
    if (!changes) return 0;  // SELECT n counts rows read, not changed
    std::string_view count = pq_.cmd_tuples(result);
    int64_t n = 0;
    std::from_chars(count.data(), count.data() + count.size(), n);
    return n;
  }

  [[noreturn]] void Fail(const PGresult* result, std::string_view sql) {
    if (pq_.status(conn_.get()) == CONNECTION_BAD)
      ThrowIO("{}: connection lost: {}", where_, Clean(pq_.error_message(conn_.get())));
    const char* sqlstate = result ? pq_.result_error_field(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        result ? pq_.result_error_field(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = result ? pq_.result_error_field(result, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    std::string message = Clean(primary ? primary : pq_.error_message(conn_.get()));
    if (detail) message += " (" + Clean(detail) + ")";
    if (sqlstate && std::string_view(sqlstate) == "23505")  // unique_violation
      throw Error(ErrorKind::kData, kAlreadyExists, fmt::format("{}: {}", where_, message));
    ThrowIO("{}: {} (in \"{}\")", where_, message, SqlStart(sql));
  }

  /// "postgresql host:port/db" (the host may be a socket directory); just
  /// "postgresql" when libpq could not parse the connection string.
  std::string Describe() const {
    auto text = [](const char* s) { return std::string_view(s ? s : ""); };
    std::string_view host = text(pq_.host(conn_.get()));
    std::string_view port = text(pq_.port(conn_.get()));
    std::string_view db = text(pq_.db(conn_.get()));
    if (host.empty() && port.empty() && db.empty()) return "postgresql";
    return fmt::format("postgresql {}:{}/{}", host, port, db);
  }

  /// One line, trailing blanks dropped, and no password, whatever libpq or
  /// the server put in it.
  std::string Clean(std::string_view text) const {
    std::string out;
    for (char c : text) {
      if (c == '\n' || c == '\t' || c == '\r') {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    for (const std::string& secret : secrets_) {
      for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3))
        out.replace(at, secret.size(), "***");
    }
    return out;
  }

  const PqLibrary& pq_;
  std::vector<std::string> secrets_;
  std::unique_ptr<PGconn, ConnFinisher> conn_;
  std::string where_;  // "postgresql host:port/db", for messages
  std::unordered_map<std::string, CachedStatement> cache_;
  uint64_t use_clock_ = 0;
  uint64_t statements_made_ = 0;
};

}  // namespace

std::unique_ptr<SqlDb> OpenPostgresDb(const std::string& conninfo) {
  return std::make_unique<PostgresDb>(conninfo);
}

}  // namespace leanops::track
