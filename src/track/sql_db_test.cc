// Tests of the SQL connections: one typed suite runs on SQLite (a file in a
// temp dir) and on PostgreSQL (when LEANOPS_PG_URL names a server, each test
// in a schema of its own); then what is particular to each backend:
// concurrent SQLite writers, and PostgreSQL's connection errors.
#include "track/sql_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "track/api_error.h"

namespace leanops::track {
namespace {

namespace stdfs = std::filesystem;

std::string RandomSuffix() {
  std::random_device random;
  return std::to_string(getpid()) + "_" + std::to_string(random() % 100000000);
}

std::string PgUrl() {
  const char* url = std::getenv("LEANOPS_PG_URL");
  return url ? url : "";
}

struct SqliteBackend {
  std::string dir;
  std::string path;

  std::unique_ptr<SqlDb> Start() {
    dir = (stdfs::temp_directory_path() / ("leanops-sqldb-test-" + RandomSuffix())).string();
    stdfs::create_directories(dir);
    path = dir + "/test.db";
    return Open();
  }
  std::unique_ptr<SqlDb> Open() { return OpenSqliteDb(path); }
  void Finish() {
    if (!dir.empty()) stdfs::remove_all(dir);
  }
};

struct PostgresBackend {
  std::string schema;

  std::unique_ptr<SqlDb> Start() {
    schema = "t_" + RandomSuffix();
    std::unique_ptr<SqlDb> db = OpenPostgresDb(PgUrl());
    db->ExecScript("CREATE SCHEMA " + schema);
    db->ExecScript("SET search_path TO " + schema);
    return db;
  }
  std::unique_ptr<SqlDb> Open() {
    std::unique_ptr<SqlDb> db = OpenPostgresDb(PgUrl());
    db->ExecScript("SET search_path TO " + schema);
    return db;
  }
  void Finish() {
    // On a connection of its own: the test's may be broken or in a failed
    // transaction.
    if (!schema.empty()) OpenPostgresDb(PgUrl())->ExecScript("DROP SCHEMA " + schema + " CASCADE");
  }
};

template <typename Backend>
class SqlDbTest : public testing::Test {
 protected:
  void SetUp() override {
    if (std::is_same_v<Backend, PostgresBackend> && PgUrl().empty())
      GTEST_SKIP() << "LEANOPS_PG_URL is not set (scripts/test.sh starts a PostgreSQL server)";
    db_ = backend_.Start();
  }
  void TearDown() override {
    db_.reset();
    backend_.Finish();
  }

  bool OnSqlite() const { return db_->dialect() == SqlDialect::kSqlite; }

  int64_t Count(const std::string& table) {
    int64_t count = -1;
    db_->Exec("SELECT COUNT(*) FROM " + table, {}, [&](const SqlRow& row) { count = row.Int(0); });
    return count;
  }

  Backend backend_;
  std::unique_ptr<SqlDb> db_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, SqliteBackend> ? "Sqlite" : "Postgres";
  }
};
using Backends = testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(SqlDbTest, Backends, BackendNames);

/// Runs `body` and returns the leanops::Error it throws.
template <typename Body>
Error Thrown(Body&& body) {
  try {
    body();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no leanops::Error was thrown";
  return Error(ErrorKind::kInternal, "nothing thrown");
}

TYPED_TEST(SqlDbTest, Int64ExtremesRoundTrip) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE ints (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
  const std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max(),
                                       0,
                                       -1,
                                       1,
                                       int64_t{1} << 53 | 1};
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(db.Exec("INSERT INTO ints (k, v) VALUES (?, ?)", {int64_t(i), values[i]}), 1);
  for (int64_t value : values) {
    std::vector<int64_t> read;
    db.Exec("SELECT v FROM ints WHERE v = ?", {value},
            [&](const SqlRow& row) { read.push_back(row.Int(0)); });
    EXPECT_EQ(read, std::vector<int64_t>{value});
  }
}

TYPED_TEST(SqlDbTest, DoublesRoundTripExactly) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE reals (k BIGINT PRIMARY KEY, v DOUBLE PRECISION)");
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values = {0.1,     1.0 / 3, 1e308,    -1e308,
                                      DBL_MAX, DBL_MIN, 4.9e-324, 2.5,
                                      -0.0,    inf,     -inf,     123456789.123456789};
  for (size_t i = 0; i < values.size(); ++i)
    db.Exec("INSERT INTO reals (k, v) VALUES (?, ?)", {int64_t(i), values[i]});
  for (size_t i = 0; i < values.size(); ++i) {
    double read = 1;
    db.Exec("SELECT v FROM reals WHERE k = ?", {int64_t(i)},
            [&](const SqlRow& row) { read = row.Double(0); });
    EXPECT_EQ(read, values[i]) << "value " << i;
  }
  // PostgreSQL keeps the sign of zero; SQLite stores an integral double in
  // a REAL column as an integer, so -0.0 reads back as 0.0 (sql_db.h).
  double zero = 1;
  db.Exec("SELECT v FROM reals WHERE k = 8", {}, [&](const SqlRow& row) { zero = row.Double(0); });
  EXPECT_EQ(std::signbit(zero), !this->OnSqlite());

  // NaN: PostgreSQL stores it, SQLite stores NULL.
  db.Exec("INSERT INTO reals (k, v) VALUES (100, ?)", {std::numeric_limits<double>::quiet_NaN()});
  db.Exec("SELECT v FROM reals WHERE k = 100", {}, [&](const SqlRow& row) {
    if (this->OnSqlite()) {
      EXPECT_TRUE(row.IsNull(0));
    } else {
      EXPECT_TRUE(std::isnan(row.Double(0)));
    }
  });
  // A double parameter compared with a double column finds its row.
  int64_t key = -1;
  db.Exec("SELECT k FROM reals WHERE v = ?", {0.1}, [&](const SqlRow& row) { key = row.Int(0); });
  EXPECT_EQ(key, 0);
}

TYPED_TEST(SqlDbTest, TextRoundTrips) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE texts (k BIGINT PRIMARY KEY, v TEXT)");
  const std::vector<std::string> values = {
      "",
      "it's",
      "say \"hi\"",
      "a?b ? $1 :name",
      "-- not a comment /* nor this */",
      "h\xC3\xA9llo w\xC3\xB6rld \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x99\x82",
      "line1\nline2\ttab\\backslash",
      std::string(100000, 'x')};
  for (size_t i = 0; i < values.size(); ++i)
    db.Exec("INSERT INTO texts (k, v) VALUES (?, ?)", {int64_t(i), std::string_view(values[i])});
  db.Exec("INSERT INTO texts (k, v) VALUES (?, ?)", {int64_t(100), std::string_view()});
  for (size_t i = 0; i < values.size(); ++i) {
    std::string read = "unread";
    bool null = true;
    db.Exec("SELECT v FROM texts WHERE k = ?", {int64_t(i)}, [&](const SqlRow& row) {
      read = row.Text(0);
      null = row.IsNull(0);
    });
    EXPECT_EQ(read, values[i]);
    EXPECT_FALSE(null) << "value " << i;
  }
  // An empty view is the empty string, not NULL; text compares as given.
  EXPECT_EQ(db.Exec("UPDATE texts SET k = k WHERE v = '' AND v IS NOT NULL", {}), 2);
  EXPECT_EQ(db.Exec("UPDATE texts SET k = k WHERE v = ?", {std::string_view("it's")}), 1);
}

TYPED_TEST(SqlDbTest, NullsReadAsNullZeroAndEmpty) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE nulls (k BIGINT, i BIGINT, d DOUBLE PRECISION, t TEXT)");
  db.Exec("INSERT INTO nulls (k, i, d, t) VALUES (?, ?, ?, ?)",
          {int64_t(1), nullptr, nullptr, nullptr});
  int rows = 0;
  db.Exec("SELECT i, d, t, k FROM nulls", {}, [&](const SqlRow& row) {
    ++rows;
    EXPECT_EQ(row.Columns(), 4);
    EXPECT_TRUE(row.IsNull(0));
    EXPECT_TRUE(row.IsNull(1));
    EXPECT_TRUE(row.IsNull(2));
    EXPECT_FALSE(row.IsNull(3));
    EXPECT_EQ(row.Int(0), 0);
    EXPECT_EQ(row.Double(1), 0.0);
    EXPECT_EQ(row.Text(2), "");
    EXPECT_EQ(Thrown([&] { row.Int(4); }).kind(), ErrorKind::kInternal);
  });
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(db.Exec("UPDATE nulls SET k = 2 WHERE i IS NULL AND d IS NULL AND t IS NULL", {}), 1);
}

TYPED_TEST(SqlDbTest, ReportsChangedRows) {
  SqlDb& db = *this->db_;
  EXPECT_EQ(db.Exec("CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL)", {}), 0);
  for (int64_t k = 1; k <= 3; ++k)
    EXPECT_EQ(db.Exec("INSERT INTO kv (k, v) VALUES (?, 'a')", {k}), 1);
  EXPECT_EQ(db.Exec("UPDATE kv SET v = 'b' WHERE k >= ?", {int64_t(2)}), 2);
  EXPECT_EQ(db.Exec("SELECT k FROM kv", {}), 0);  // rows read are not changes
  EXPECT_EQ(db.Exec("UPDATE kv SET v = 'c' WHERE k > 100", {}), 0);
  EXPECT_EQ(db.Exec("INSERT INTO kv (k, v) VALUES (1, 'x') ON CONFLICT (k) DO NOTHING", {}), 0);
  EXPECT_EQ(db.Exec("CREATE INDEX kv_by_v ON kv (v)", {}), 0);
  EXPECT_EQ(db.Exec("DELETE FROM kv WHERE v = ?", {std::string_view("b")}), 2);
  EXPECT_EQ(this->Count("kv"), 1);
}

TYPED_TEST(SqlDbTest, UniqueViolationIsAlreadyExists) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE names (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  db.Exec("INSERT INTO names (id, name) VALUES (1, 'a')", {});
  for (const char* sql : {"INSERT INTO names (id, name) VALUES (1, 'b')",     // primary key
                          "INSERT INTO names (id, name) VALUES (2, 'a')"}) {  // unique column
    Error error = Thrown([&] { db.Exec(sql, {}); });
    EXPECT_EQ(error.kind(), ErrorKind::kData) << sql;
    EXPECT_STREQ(error.code(), kAlreadyExists) << sql;
  }
  // Other constraint violations are not "already exists".
  Error not_null = Thrown([&] { db.Exec("INSERT INTO names (id, name) VALUES (3, NULL)", {}); });
  EXPECT_EQ(not_null.kind(), ErrorKind::kIO);
  EXPECT_STREQ(not_null.code(), "");
  EXPECT_EQ(this->Count("names"), 1);
}

TYPED_TEST(SqlDbTest, UpsertWithOnConflictDoUpdate) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
  const char* upsert =
      "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v";
  EXPECT_EQ(db.Exec(upsert, {std::string_view("x"), int64_t(1)}), 1);
  EXPECT_EQ(db.Exec(upsert, {std::string_view("x"), int64_t(2)}), 1);
  EXPECT_EQ(db.Exec(upsert, {std::string_view("y"), int64_t(3)}), 1);
  std::vector<std::pair<std::string, int64_t>> rows;
  db.Exec("SELECT k, v FROM kv ORDER BY k", {},
          [&](const SqlRow& row) { rows.emplace_back(row.Text(0), row.Int(1)); });
  EXPECT_EQ(rows, (std::vector<std::pair<std::string, int64_t>>{{"x", 2}, {"y", 3}}));
}

TYPED_TEST(SqlDbTest, ReturningGivesRows) {
  SqlDb& db = *this->db_;
  db.ExecScript(this->OnSqlite()
                    ? "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"
                    : "CREATE TABLE items (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                      " name TEXT NOT NULL)");
  std::vector<int64_t> ids;
  for (const char* name : {"a", "b"}) {
    EXPECT_EQ(db.Exec("INSERT INTO items (name) VALUES (?) RETURNING id", {std::string_view(name)},
                      [&](const SqlRow& row) { ids.push_back(row.Int(0)); }),
              1);
  }
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_LT(ids[0], ids[1]);
  std::vector<std::string> renamed;
  EXPECT_EQ(db.Exec("UPDATE items SET name = name || '!' RETURNING name", {},
                    [&](const SqlRow& row) { renamed.emplace_back(row.Text(0)); }),
            2);
  std::sort(renamed.begin(), renamed.end());
  EXPECT_EQ(renamed, (std::vector<std::string>{"a!", "b!"}));
}

TYPED_TEST(SqlDbTest, AggregatesAndExistsReadAsNumbers) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE nums (v BIGINT NOT NULL)");
  for (int64_t v : {1, 2}) db.Exec("INSERT INTO nums (v) VALUES (?)", {v});
  db.Exec(
      "SELECT COUNT(*), SUM(v), AVG(v), EXISTS (SELECT 1 FROM nums WHERE v = ?),"
      " EXISTS (SELECT 1 FROM nums WHERE v = ?) FROM nums",
      {int64_t(2), int64_t(5)}, [&](const SqlRow& row) {
        EXPECT_EQ(row.Int(0), 2);
        EXPECT_EQ(row.Int(1), 3);
        EXPECT_EQ(row.Double(2), 1.5);
        EXPECT_EQ(row.Int(2), 1);  // truncated
        EXPECT_EQ(row.Int(3), 1);
        EXPECT_EQ(row.Int(4), 0);
      });
}

TYPED_TEST(SqlDbTest, WriteTransactionRollsBackWhenBodyThrows) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE kv (k BIGINT PRIMARY KEY)");
  EXPECT_THROW(InWriteTransaction(db,
                                  [&] {
                                    db.Exec("INSERT INTO kv (k) VALUES (1)", {});
                                    throw std::runtime_error("body failed");
                                  }),
               std::runtime_error);
  EXPECT_EQ(this->Count("kv"), 0);
  int64_t changed =
      InWriteTransaction(db, [&] { return db.Exec("INSERT INTO kv (k) VALUES (2)", {}); });
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(InReadTransaction(db, [&] { return this->Count("kv"); }), 1);
  // What another connection sees: the committed row only.
  std::unique_ptr<SqlDb> other = this->backend_.Open();
  int64_t seen = 0;
  other->Exec("SELECT k FROM kv", {}, [&](const SqlRow& row) { seen = row.Int(0); });
  EXPECT_EQ(seen, 2);
}

TYPED_TEST(SqlDbTest, TransactionMisuseIsReported) {
  SqlDb& db = *this->db_;
  db.Rollback();  // no transaction: nothing to do, no throw
  EXPECT_EQ(Thrown([&] { db.Commit(); }).kind(), ErrorKind::kInternal);
  db.BeginWrite();
  EXPECT_EQ(Thrown([&] { db.BeginRead(); }).kind(), ErrorKind::kInternal);
  db.Rollback();
  db.Rollback();
}

TYPED_TEST(SqlDbTest, FailedStatementInsideTransaction) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE kv (k BIGINT PRIMARY KEY)");
  db.BeginWrite();
  db.Exec("INSERT INTO kv (k) VALUES (1)", {});
  EXPECT_STREQ(Thrown([&] { db.Exec("INSERT INTO kv (k) VALUES (1)", {}); }).code(),
               kAlreadyExists);
  if (this->OnSqlite()) {
    // SQLite undoes the failed statement only.
    db.Commit();
    EXPECT_EQ(this->Count("kv"), 1);
  } else {
    // PostgreSQL aborts the whole transaction: Commit says so and rolls back.
    EXPECT_EQ(Thrown([&] { db.Commit(); }).kind(), ErrorKind::kIO);
    EXPECT_EQ(this->Count("kv"), 0);
  }
}

TYPED_TEST(SqlDbTest, ReusesCachedStatements) {
  SqlDb& db = *this->db_;
  db.ExecScript("CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL)");
  InWriteTransaction(db, [&] {
    for (int64_t k = 0; k < 1000; ++k) {
      std::string value = "v" + std::to_string(k);
      db.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", {k, std::string_view(value)});
    }
  });
  EXPECT_EQ(this->Count("kv"), 1000);
  std::string last;
  db.Exec("SELECT v FROM kv WHERE k = ?", {int64_t(999)},
          [&](const SqlRow& row) { last = row.Text(0); });
  EXPECT_EQ(last, "v999");

  // More distinct statements than the cache holds, then the first again.
  auto add = [&](int n) {
    int64_t sum = -1;
    db.Exec("SELECT ? + " + std::to_string(n), {int64_t(1000)},
            [&](const SqlRow& row) { sum = row.Int(0); });
    return sum;
  };
  for (int n = 0; n < 600; ++n) ASSERT_EQ(add(n), 1000 + n);
  for (int n = 0; n < 10; ++n) EXPECT_EQ(add(n), 1000 + n);
  // The same text with other parameter types.
  double half = 0;
  db.Exec("SELECT ? + 0", {0.5}, [&](const SqlRow& row) { half = row.Double(0); });
  EXPECT_EQ(half, 0.5);
}

TYPED_TEST(SqlDbTest, QuestionMarksInQuotesAndCommentsAreNotPlaceholders) {
  SqlDb& db = *this->db_;
  int rows = 0;
  db.Exec("SELECT 'it''s ?' AS \"col?\", ? AS b, /* ? */ '?' || ? AS c -- trailing ?\n",
          {int64_t(7), std::string_view("x")}, [&](const SqlRow& row) {
            ++rows;
            EXPECT_EQ(row.Text(0), "it's ?");
            EXPECT_EQ(row.Int(1), 7);
            EXPECT_EQ(row.Text(2), "?x");
          });
  EXPECT_EQ(rows, 1);
  if (!this->OnSqlite()) {
    // PostgreSQL's nested comments and backslash-escaped strings.
    std::string read;
    db.Exec("SELECT /* a /* ? */ ? */ E'\\'?' || ?", {std::string_view("y")},
            [&](const SqlRow& row) { read = row.Text(0); });
    EXPECT_EQ(read, "'?y");
  }
  EXPECT_EQ(Thrown([&] { db.Exec("SELECT ?", {}); }).kind(), ErrorKind::kInternal);
  EXPECT_EQ(Thrown([&] { db.Exec("SELECT 1", {int64_t(1)}); }).kind(), ErrorKind::kInternal);
}

TYPED_TEST(SqlDbTest, FailedStatementNamesBackendAndSql) {
  Error error = Thrown([&] { this->db_->Exec("SELECT k FROM no_such_table WHERE k = 1", {}); });
  EXPECT_EQ(error.kind(), ErrorKind::kIO);
  std::string message = error.what();
  EXPECT_NE(message.find(this->OnSqlite() ? "sqlite " : "postgresql "), std::string::npos)
      << message;
  EXPECT_NE(message.find("no_such_table"), std::string::npos) << message;
  EXPECT_NE(message.find("SELECT k FROM"), std::string::npos) << message;
}

TEST(SqliteDbTest, ConcurrentWritersOnOneFileLoseNoRows) {
  stdfs::path dir = stdfs::temp_directory_path() / ("leanops-sqldb-test-" + RandomSuffix());
  stdfs::create_directories(dir);
  std::string path = (dir / "shared.db").string();
  OpenSqliteDb(path)->ExecScript("CREATE TABLE seq (n BIGINT PRIMARY KEY, writer BIGINT)");

  // Each transaction reads the highest number and writes the next: without
  // BEGIN IMMEDIATE two writers would read the same number (or one would
  // fail with SQLITE_BUSY at its first write).
  constexpr int kWriters = 2;
  constexpr int kPerWriter = 100;
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      try {
        std::unique_ptr<SqlDb> db = OpenSqliteDb(path);
        for (int i = 0; i < kPerWriter; ++i) {
          InWriteTransaction(*db, [&] {
            int64_t next = 0;
            db->Exec("SELECT COALESCE(MAX(n), 0) + 1 FROM seq", {},
                     [&](const SqlRow& row) { next = row.Int(0); });
            db->Exec("INSERT INTO seq (n, writer) VALUES (?, ?)", {next, int64_t(w)});
          });
        }
      } catch (const std::exception& e) {
        errors[w] = e.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  std::unique_ptr<SqlDb> db = OpenSqliteDb(path);
  db->Exec("SELECT COUNT(*), MAX(n), COUNT(DISTINCT writer) FROM seq", {}, [&](const SqlRow& row) {
    EXPECT_EQ(row.Int(0), kWriters * kPerWriter);
    EXPECT_EQ(row.Int(1), kWriters * kPerWriter);
    EXPECT_EQ(row.Int(2), kWriters);
  });
  db.reset();
  stdfs::remove_all(dir);
}

TEST(SqliteDbTest, ExecTakesOneStatement) {
  stdfs::path dir = stdfs::temp_directory_path() / ("leanops-sqldb-test-" + RandomSuffix());
  stdfs::create_directories(dir);
  std::unique_ptr<SqlDb> db = OpenSqliteDb((dir / "one.db").string());
  EXPECT_EQ(Thrown([&] { db->Exec("SELECT 1; SELECT 2", {}); }).kind(), ErrorKind::kInternal);
  int64_t one = 0;
  db->Exec("SELECT 1; -- done", {}, [&](const SqlRow& row) { one = row.Int(0); });
  EXPECT_EQ(one, 1);
  db.reset();
  stdfs::remove_all(dir);
}

TEST(SqliteDbTest, OpenNamesTheFileWhenItCannotBeCreated) {
  Error error = Thrown([] { OpenSqliteDb("/nonexistent-leanops-dir/sub/x.db"); });
  EXPECT_EQ(error.kind(), ErrorKind::kIO);
  EXPECT_NE(std::string(error.what()).find("sqlite /nonexistent-leanops-dir/sub/x.db"),
            std::string::npos)
      << error.what();
}

// Needs libpq only: nothing listens on port 1.
TEST(PostgresDbTest, UnreachableServerIsIoErrorWithoutPassword) {
  for (const char* conninfo :
       {"postgresql://alice:Secr3tPw@127.0.0.1:1/tracking",
        "postgres://alice:Secr3tPw@127.0.0.1:1/tracking",
        "host=127.0.0.1 port=1 user=alice password=Secr3tPw dbname=tracking"}) {
    Error error = Thrown([&] { OpenPostgresDb(conninfo); });
    std::string message = error.what();
    EXPECT_EQ(error.kind(), ErrorKind::kIO) << message;
    EXPECT_NE(message.find("postgresql 127.0.0.1:1/tracking"), std::string::npos) << message;
    EXPECT_EQ(message.find("Secr3tPw"), std::string::npos) << message;
  }
  // A malformed URI: libpq's message quotes the bad part, here the password.
  Error error =
      Thrown([] { OpenPostgresDb("postgresql://alice:Secr3t%zzPw@127.0.0.1:1/tracking"); });
  EXPECT_EQ(error.kind(), ErrorKind::kIO);
  EXPECT_EQ(std::string(error.what()).find("Secr3t"), std::string::npos) << error.what();
}

TEST(PostgresDbTest, LostConnectionIsIoError) {
  if (PgUrl().empty()) GTEST_SKIP() << "LEANOPS_PG_URL is not set";
  std::unique_ptr<SqlDb> db = OpenPostgresDb(PgUrl());
  Error killed = Thrown([&] { db->Exec("SELECT pg_terminate_backend(pg_backend_pid())", {}); });
  EXPECT_EQ(killed.kind(), ErrorKind::kIO);
  Error after = Thrown([&] { db->Exec("SELECT 1", {}); });
  EXPECT_EQ(after.kind(), ErrorKind::kIO);
  EXPECT_NE(std::string(after.what()).find("postgresql "), std::string::npos) << after.what();
  EXPECT_NE(std::string(after.what()).find("connection"), std::string::npos) << after.what();
  db->Rollback();  // still does not throw
}

TEST(PostgresDbTest, TextWithNulIsRejected) {
  if (PgUrl().empty()) GTEST_SKIP() << "LEANOPS_PG_URL is not set";
  std::unique_ptr<SqlDb> db = OpenPostgresDb(PgUrl());
  std::string text("a\0b", 3);
  Error error = Thrown([&] { db->Exec("SELECT ?", {std::string_view(text)}); });
  EXPECT_STREQ(error.code(), kInvalidParameter);
}

TEST(SqlStartTest, OneLineAtMost80BytesWithoutCuttingACharacter) {
  EXPECT_EQ(SqlStart("SELECT 1\nFROM\tt"), "SELECT 1 FROM t");
  std::string long_sql = std::string(79, 'x') + "\xC3\xA9tail";
  EXPECT_EQ(SqlStart(long_sql), std::string(79, 'x') + "...");
  EXPECT_EQ(SqlStart(std::string(80, 'y')), std::string(80, 'y'));
}

}  // namespace
}  // namespace leanops::track
