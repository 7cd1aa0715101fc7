// The SqlStore class, shared by its implementation files:
//   sql_store.cc           pool, experiments, runs, logging, history
//   sql_store_search.cc    run search (filter and order_by to SQL), loading run data
//   sql_store_registry.cc  registered models, versions, stages, aliases
// Not part of the module's contract: use sql_store.h.
#pragma once

#include <exception>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "track/search_filter.h"
#include "track/sql_store.h"

namespace leanops::track {

class SqlStore;

/// A pooled connection, returned to the pool when the lease ends normally
/// and dropped when it ends by an exception (it may be broken).
class Lease {
 public:
  Lease(SqlStore* store, std::unique_ptr<SqlDb> db)
      : store_(store), db_(std::move(db)), exceptions_(std::uncaught_exceptions()) {}
  Lease(Lease&&) = default;
  ~Lease();
  SqlDb& operator*() { return *db_; }
  SqlDb* operator->() { return db_.get(); }

 private:
  SqlStore* store_;
  std::unique_ptr<SqlDb> db_;
  int exceptions_;
};

/// A run's internal key and info.
struct RunRow {
  int64_t id = 0;
  RunInfo info;
};

class SqlStore final : public Store {
 public:
  explicit SqlStore(SqlStoreOptions options);

  std::string CreateExperiment(const std::string& name, const std::string& artifact_location,
                               const std::vector<Tag>& tags) override;
  Experiment GetExperiment(const std::string& experiment_id) override;
  Experiment GetExperimentByName(const std::string& name) override;
  Page<Experiment> SearchExperiments(const ExperimentQuery& query) override;
  void DeleteExperiment(const std::string& experiment_id) override;
  void RestoreExperiment(const std::string& experiment_id) override;
  void RenameExperiment(const std::string& experiment_id, const std::string& new_name) override;
  void SetExperimentTag(const std::string& experiment_id, const Tag& tag) override;
  void DeleteExperimentTag(const std::string& experiment_id, const std::string& key) override;

  Run CreateRun(const NewRun& run) override;
  RunInfo UpdateRun(const RunUpdate& update) override;
  void DeleteRun(const std::string& run_id) override;
  void RestoreRun(const std::string& run_id) override;
  Run GetRun(const std::string& run_id) override;
  Page<Run> SearchRuns(const RunQuery& query) override;
  void LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                const std::vector<Param>& params, const std::vector<Tag>& tags) override;
  void DeleteTag(const std::string& run_id, const std::string& key) override;
  void LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) override;
  Page<Metric> GetMetricHistory(const std::string& run_id, const std::string& key,
                                int64_t max_results, const std::string& page_token) override;

  RegisteredModel CreateRegisteredModel(const std::string& name, const std::vector<Tag>& tags,
                                        const std::string& description) override;
  RegisteredModel RenameRegisteredModel(const std::string& name,
                                        const std::string& new_name) override;
  RegisteredModel UpdateRegisteredModel(const std::string& name,
                                        const std::string& description) override;
  void DeleteRegisteredModel(const std::string& name) override;
  RegisteredModel GetRegisteredModel(const std::string& name) override;
  Page<RegisteredModel> SearchRegisteredModels(const ModelSearch& query) override;
  void SetRegisteredModelTag(const std::string& name, const Tag& tag) override;
  void DeleteRegisteredModelTag(const std::string& name, const std::string& key) override;
  std::vector<ModelVersion> GetLatestVersions(const std::string& name,
                                              const std::vector<std::string>& stages) override;
  ModelVersion CreateModelVersion(const NewModelVersion& version) override;
  ModelVersion UpdateModelVersion(const std::string& name, int64_t version,
                                  const std::string& description) override;
  ModelVersion TransitionModelVersionStage(const std::string& name, int64_t version,
                                           const std::string& stage,
                                           bool archive_existing) override;
  void DeleteModelVersion(const std::string& name, int64_t version) override;
  ModelVersion GetModelVersion(const std::string& name, int64_t version) override;
  Page<ModelVersion> SearchModelVersions(const ModelSearch& query) override;
  std::string GetModelVersionDownloadUri(const std::string& name, int64_t version) override;
  void SetModelVersionTag(const std::string& name, int64_t version, const Tag& tag) override;
  void DeleteModelVersionTag(const std::string& name, int64_t version,
                             const std::string& key) override;
  void SetAlias(const std::string& name, const std::string& alias, int64_t version,
                const AliasChange& change) override;
  void DeleteAlias(const std::string& name, const std::string& alias,
                   const AliasChange& change) override;
  ModelVersion GetModelVersionByAlias(const std::string& name, const std::string& alias) override;
  std::vector<AliasEvent> GetAliasHistory(const std::string& name,
                                          const std::string& alias) override;

  /// Called by Lease.
  void Release(std::unique_ptr<SqlDb> db);

  // Shared by the implementation files.
  Lease Connect();
  int64_t Now() const { return options_.now_ms(); }
  SqlDialect dialect() const { return dialect_; }

 private:
  void EnsureDefaultExperiment();
  Experiment LoadExperiment(SqlDb& db, int64_t experiment_id);
  int64_t RequireExperiment(SqlDb& db, const std::string& experiment_id);
  RunRow RequireRun(SqlDb& db, const std::string& run_id);
  RunRow RequireActiveRun(SqlDb& db, const std::string& run_id);
  void LogParams(SqlDb& db, const RunRow& run, std::span<const Param> params);
  void LogTags(SqlDb& db, const RunRow& run, std::span<const Tag> tags);
  void LogMetrics(SqlDb& db, const RunRow& run, std::span<const Metric> metrics);

  // Registry helpers (sql_store_registry.cc).
  RegisteredModel LoadRegisteredModel(SqlDb& db, const std::string& name);
  void RequireRegisteredModel(SqlDb& db, const std::string& name);
  ModelVersion LoadModelVersion(SqlDb& db, const std::string& name, int64_t version);
  std::vector<ModelVersion> QueryModelVersions(SqlDb& db, const std::string& where,
                                               std::span<const SqlValue> params);
  void RecordAliasMove(SqlDb& db, const std::string& name, const std::string& alias,
                       std::optional<int64_t> from, std::optional<int64_t> to,
                       const AliasChange& change);

  SqlStoreOptions options_;
  SqlDialect dialect_ = SqlDialect::kSqlite;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SqlDb>> idle_;
};

// Helpers shared by the implementation files (sql_store.cc).

/// Parses a numeric id ("12"); anything else is not found.
std::optional<int64_t> ParseId(const std::string& text);
/// "ORDER BY" text for a string column, byte order on both dialects.
std::string TextOrder(SqlDialect dialect, const std::string& column);
/// `column LIKE ?` (case-sensitive) or its ILIKE form for the dialect.
std::string LikeSql(SqlDialect dialect, const std::string& column, Comparator op);
/// SQL operator text for = != > >= < <=.
const char* SqlOperator(Comparator op);
/// Validates a page size against MLflow's limit (50,000).
void CheckMaxResults(int64_t max_results, int64_t limit);
/// Reads the run info columns selected by kRunColumns starting at `first`.
RunInfo ReadRunInfo(const SqlRow& row, int first);
extern const char* const kRunColumns;  // "r.run_uuid, r.name, ..." (9 columns)
/// Fills metrics (latest), params, tags and inputs of runs keyed by internal id.
void LoadRunData(SqlDb& db, std::span<const int64_t> ids, std::span<Run*> runs);

}  // namespace leanops::track
