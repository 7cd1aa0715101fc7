// Schema migrations of the SQL store (layout documented in sql_store.h).
//
// Each migration is written once in a neutral form; the few words that differ
// between SQLite and PostgreSQL are placeholders:
//   {id}     an auto-assigned 64-bit primary key
//   {int}    a 64-bit integer
//   {real}   a double
//   {norowid} SQLite's WITHOUT ROWID (a table clustered on its primary key)

#include <string>
#include <string_view>

#include "core/error.h"
#include "track/sql_store.h"

namespace leanops::track {
namespace {

constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE experiments (
  experiment_id {id},
  name TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL,
  creation_time {int} NOT NULL,
  last_update_time {int} NOT NULL);
CREATE TABLE experiment_tags (
  experiment_id {int} NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)) {norowid};
CREATE TABLE runs (
  id {id},
  run_uuid TEXT NOT NULL UNIQUE,
  experiment_id {int} NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time {int} NOT NULL,
  end_time {int},
  artifact_uri TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL,
  deleted_time {int});
CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC, run_uuid);
CREATE TABLE params (
  run {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run, key)) {norowid};
CREATE TABLE tags (
  run {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run, key)) {norowid};
CREATE TABLE metrics (
  run {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  step {int} NOT NULL,
  timestamp {int} NOT NULL,
  value {real} NOT NULL,
  is_nan {int} NOT NULL,
  PRIMARY KEY (run, key, timestamp, step, value, is_nan)) {norowid};
CREATE TABLE latest_metrics (
  run {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  step {int} NOT NULL,
  timestamp {int} NOT NULL,
  value {real} NOT NULL,
  is_nan {int} NOT NULL,
  PRIMARY KEY (run, key)) {norowid};
CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);
CREATE TABLE datasets (
  id {id},
  experiment_id {int} NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source TEXT NOT NULL,
  schema TEXT NOT NULL,
  profile TEXT NOT NULL,
  UNIQUE (experiment_id, name, digest));
CREATE TABLE inputs (
  run {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  dataset {int} NOT NULL REFERENCES datasets (id),
  context TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  PRIMARY KEY (run, dataset)) {norowid};
CREATE TABLE registered_models (
  name TEXT PRIMARY KEY,
  creation_time {int} NOT NULL,
  last_updated_time {int} NOT NULL,
  description TEXT NOT NULL,
  user_id TEXT NOT NULL);
CREATE TABLE registered_model_tags (
  name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, key)) {norowid};
CREATE TABLE model_versions (
  name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
  version {int} NOT NULL,
  creation_time {int} NOT NULL,
  last_updated_time {int} NOT NULL,
  description TEXT NOT NULL,
  user_id TEXT NOT NULL,
  current_stage TEXT NOT NULL,
  source TEXT NOT NULL,
  run_id TEXT NOT NULL,
  run_link TEXT NOT NULL,
  status TEXT NOT NULL,
  status_message TEXT NOT NULL,
  PRIMARY KEY (name, version)) {norowid};
CREATE INDEX model_versions_by_run ON model_versions (run_id);
CREATE TABLE model_version_tags (
  name TEXT NOT NULL,
  version {int} NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, version, key),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
    ON UPDATE CASCADE ON DELETE CASCADE) {norowid};
CREATE TABLE model_aliases (
  name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
  alias TEXT NOT NULL,
  version {int} NOT NULL,
  PRIMARY KEY (name, alias)) {norowid};
CREATE TABLE alias_history (
  id {id},
  name TEXT NOT NULL,
  alias TEXT NOT NULL,
  from_version {int},
  to_version {int},
  user_id TEXT NOT NULL,
  time {int} NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX alias_history_by_alias ON alias_history (name, alias, id);
)sql";

// Index i holds the migration from version i to i + 1.
constexpr std::string_view kMigrations[] = {kMigration1};

std::string ForDialect(std::string_view text, SqlDialect dialect) {
  const bool pg = dialect == SqlDialect::kPostgres;
  struct Word {
    std::string_view placeholder;
    std::string_view sqlite;
    std::string_view postgres;
  };
  static constexpr Word kWords[] = {
      {"{id}", "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"{int}", "INTEGER", "BIGINT"},
      {"{real}", "REAL", "DOUBLE PRECISION"},
      {"{norowid}", "WITHOUT ROWID", ""},
  };
  std::string out;
  out.reserve(text.size() + 512);
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == '{') {
      for (const Word& word : kWords) {
        if (text.substr(i, word.placeholder.size()) == word.placeholder) {
          out += pg ? word.postgres : word.sqlite;
          i += word.placeholder.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

int ReadVersion(SqlDb& db) {
  int version = 0;
  db.Exec("SELECT version FROM leanops_schema", {},
          [&](const SqlRow& row) { version = static_cast<int>(row.Int(0)); });
  return version;
}

}  // namespace

int CurrentSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

void MigrateSchema(SqlDb& db) {
  // Creating the version table is idempotent, so concurrent first opens
  // cannot both fail; the migrations themselves run under the write lock.
  db.ExecScript("CREATE TABLE IF NOT EXISTS leanops_schema (version INTEGER NOT NULL)");
  InWriteTransaction(db, [&] {
    if (db.dialect() == SqlDialect::kPostgres) {
      db.ExecScript("LOCK TABLE leanops_schema IN EXCLUSIVE MODE");
    }
    int version = ReadVersion(db);
    if (version > CurrentSchemaVersion()) {
      ThrowData(
          "the tracking database has schema version {}, newer than this leanops knows ({}); "
          "upgrade leanops",
          version, CurrentSchemaVersion());
    }
    if (version == CurrentSchemaVersion()) return;
    const bool fresh = version == 0;
    for (; version < CurrentSchemaVersion(); ++version) {
      db.ExecScript(ForDialect(kMigrations[version], db.dialect()));
    }
    if (fresh) {
      db.Exec("INSERT INTO leanops_schema (version) VALUES (?)", {int64_t{version}});
    } else {
      db.Exec("UPDATE leanops_schema SET version = ?", {int64_t{version}});
    }
  });
}

}  // namespace leanops::track
