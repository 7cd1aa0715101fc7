// SqlStore: the Store on a SQL database (SQLite or PostgreSQL), one
// implementation for both so that they behave identically.
//
// Schema (sql_schema.cc, versioned; each migration runs once, in a write
// transaction, recorded in leanops_schema):
//   experiments(experiment_id, name UNIQUE, artifact_location, lifecycle_stage,
//               creation_time, last_update_time) + experiment_tags
//   runs(id, run_uuid UNIQUE, experiment_id, name, user_id, status, start_time,
//        end_time, artifact_uri, lifecycle_stage, deleted_time)
//        index (experiment_id, start_time DESC, run_uuid) for listings
//   params(run, key, value), tags(run, key, value)          primary key (run, key)
//   metrics(run, key, step, timestamp, value, is_nan)       primary key on all
//        columns, timestamp first: history is a range scan in MLflow's
//        (timestamp, step, value) order, and an
//        exact duplicate (a retried request) is ignored, as in MLflow
//   latest_metrics(run, key, step, timestamp, value, is_nan) primary key (run, key)
//        + index (key, value): searches and orderings by metric never touch
//        the history
//   datasets(id, experiment_id, name, digest, source_type, source, schema,
//            profile) + inputs(run, dataset, context, tags_json)
//   registered_models(name, ...) + registered_model_tags
//   model_versions(name, version, ..., current_stage) + model_version_tags;
//        a deleted version is kept as stage 'Deleted_Internal' so that its
//        number is never reused, as MLflow does
//   model_aliases(name, alias, version), alias_history(id, name, alias,
//        from_version, to_version, user_id, time, reason)
// NaN metric values are stored as 0 with is_nan = 1 (SQLite cannot store NaN).
//
// Concurrency: each call takes a connection from a pool and runs in one
// transaction; writers use BeginWrite, so SQLite serialises them (WAL lets
// readers go on) and PostgreSQL row-locks what a read-then-write depends on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "track/sql_db.h"
#include "track/store.h"

namespace leanops::track {

struct SqlStoreOptions {
  /// Makes a new connection; called when the pool is empty.
  std::function<std::unique_ptr<SqlDb>()> connect;
  /// Where experiments that name no artifact location keep artifacts:
  /// <root>/<experiment_id>/<run_id>/artifacts.
  std::string default_artifact_root;
  /// Wall clock in milliseconds since the epoch (tests may fix it).
  std::function<int64_t()> now_ms;
};

/// Opens the store, creating or migrating the schema. A database written by
/// a newer leanops (a schema version this one does not know) is refused.
std::unique_ptr<Store> OpenSqlStore(SqlStoreOptions options);

/// The schema version this build writes.
int CurrentSchemaVersion();

/// Creates or migrates the schema on `db` (used by OpenSqlStore).
void MigrateSchema(SqlDb& db);

}  // namespace leanops::track
