// The tracking store and model registry: MLflow's data model behind one
// interface, with the same rules as MLflow's SQL store.
//
// Backends: SQLite (embedded default) and PostgreSQL, both through SqlStore
// (sql_store.h), so both behave identically. The REST server exposes a Store
// over MLflow's REST API; RestStore (rest_client.h) is a Store that talks to
// such a server, so leanops commands work the same against either.
//
// Every method is safe to call from several threads at once. Failures throw
// leanops::Error with an MLflow error code (api_error.h):
//   RESOURCE_DOES_NOT_EXIST   unknown experiment, run, model, version, alias
//   RESOURCE_ALREADY_EXISTS   a name that is taken
//   INVALID_PARAMETER_VALUE   a bad argument, filter or page token
//   INVALID_STATE             e.g. logging to a deleted run
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "track/entities.h"

namespace leanops::track {

/// Limits MLflow enforces (service.proto, validation.py).
inline constexpr size_t kMaxParamValueBytes = 6000;
inline constexpr size_t kMaxTagValueBytes = 8000;
inline constexpr size_t kMaxKeyBytes = 250;
inline constexpr size_t kMaxBatchMetrics = 1000;
inline constexpr size_t kMaxBatchParams = 100;
inline constexpr size_t kMaxBatchTags = 100;
inline constexpr size_t kMaxBatchEntries = 1000;

struct ExperimentQuery {
  std::string filter;  // "name LIKE 'x%' and tags.team = 'ml'"
  std::vector<std::string> order_by;
  ViewType view = ViewType::kActiveOnly;
  int64_t max_results = 1000;
  std::string page_token;
};

struct NewRun {
  std::string experiment_id;  // "" = the default experiment "0"
  std::string run_name;       // "" = a generated name, as MLflow does
  std::string user_id;
  std::optional<int64_t> start_time;  // none = now
  std::vector<Tag> tags;
};

struct RunUpdate {
  std::string run_id;
  std::optional<RunStatus> status;
  std::optional<int64_t> end_time;
  std::optional<std::string> run_name;
};

struct RunQuery {
  std::vector<std::string> experiment_ids;
  std::string filter;  // MLflow's grammar, see search_filter.h
  ViewType view = ViewType::kActiveOnly;
  int64_t max_results = 1000;
  std::vector<std::string> order_by;  // "metrics.auc DESC", "attributes.start_time"
  std::string page_token;
};

struct NewModelVersion {
  std::string name;
  std::string source;
  std::string run_id;
  std::string run_link;
  std::string description;
  std::string user_id;
  std::vector<Tag> tags;
};

/// Who moves an alias and why (kept in the alias history).
struct AliasChange {
  std::string user;
  std::string reason;
};

struct ModelSearch {
  std::string filter;  // "name LIKE '%churn%'" ; versions: "name = 'm'", "run_id IN ('a','b')"
  std::vector<std::string> order_by;
  int64_t max_results = 100;
  std::string page_token;
};

class Store {
 public:
  virtual ~Store() = default;

  // Experiments. The default experiment "0" ("Default") always exists.
  virtual std::string CreateExperiment(const std::string& name,
                                       const std::string& artifact_location,
                                       const std::vector<Tag>& tags) = 0;
  virtual Experiment GetExperiment(const std::string& experiment_id) = 0;
  virtual Experiment GetExperimentByName(const std::string& name) = 0;
  virtual Page<Experiment> SearchExperiments(const ExperimentQuery& query) = 0;
  virtual void DeleteExperiment(const std::string& experiment_id) = 0;  // and its runs
  virtual void RestoreExperiment(const std::string& experiment_id) = 0;
  virtual void RenameExperiment(const std::string& experiment_id, const std::string& new_name) = 0;
  virtual void SetExperimentTag(const std::string& experiment_id, const Tag& tag) = 0;
  virtual void DeleteExperimentTag(const std::string& experiment_id, const std::string& key) = 0;

  // Runs.
  virtual Run CreateRun(const NewRun& run) = 0;
  virtual RunInfo UpdateRun(const RunUpdate& update) = 0;
  virtual void DeleteRun(const std::string& run_id) = 0;
  virtual void RestoreRun(const std::string& run_id) = 0;
  virtual Run GetRun(const std::string& run_id) = 0;
  virtual Page<Run> SearchRuns(const RunQuery& query) = 0;

  /// Metrics append (an exact duplicate of a logged point is ignored, so a
  /// retried request adds nothing); a param cannot change once written
  /// (INVALID_PARAMETER_VALUE) but may be logged again with the same value;
  /// tags are overwritten, the last of one key in a batch winning. The batch
  /// is one transaction. Limits are the kMax* above.
  virtual void LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                        const std::vector<Param>& params, const std::vector<Tag>& tags) = 0;
  virtual void DeleteTag(const std::string& run_id, const std::string& key) = 0;
  virtual void LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) = 0;

  /// Every logged point of one metric, ordered by timestamp, step, value (as
  /// MLflow's SQL store).
  /// max_results 0 means all.
  virtual Page<Metric> GetMetricHistory(const std::string& run_id, const std::string& key,
                                        int64_t max_results, const std::string& page_token) = 0;

  // Registry.
  virtual RegisteredModel CreateRegisteredModel(const std::string& name,
                                                const std::vector<Tag>& tags,
                                                const std::string& description) = 0;
  virtual RegisteredModel RenameRegisteredModel(const std::string& name,
                                                const std::string& new_name) = 0;
  virtual RegisteredModel UpdateRegisteredModel(const std::string& name,
                                                const std::string& description) = 0;
  virtual void DeleteRegisteredModel(const std::string& name) = 0;
  virtual RegisteredModel GetRegisteredModel(const std::string& name) = 0;
  virtual Page<RegisteredModel> SearchRegisteredModels(const ModelSearch& query) = 0;
  virtual void SetRegisteredModelTag(const std::string& name, const Tag& tag) = 0;
  virtual void DeleteRegisteredModelTag(const std::string& name, const std::string& key) = 0;

  /// The latest version in each of `stages` (all stages when empty).
  virtual std::vector<ModelVersion> GetLatestVersions(const std::string& name,
                                                      const std::vector<std::string>& stages) = 0;
  /// The next version number of a registered model, which must exist
  /// (RESOURCE_DOES_NOT_EXIST otherwise), as in MLflow.
  virtual ModelVersion CreateModelVersion(const NewModelVersion& version) = 0;
  virtual ModelVersion UpdateModelVersion(const std::string& name, int64_t version,
                                          const std::string& description) = 0;
  /// With archive_existing, other versions in `stage` (Staging/Production)
  /// move to Archived.
  virtual ModelVersion TransitionModelVersionStage(const std::string& name, int64_t version,
                                                   const std::string& stage,
                                                   bool archive_existing) = 0;
  virtual void DeleteModelVersion(const std::string& name, int64_t version) = 0;
  virtual ModelVersion GetModelVersion(const std::string& name, int64_t version) = 0;
  virtual Page<ModelVersion> SearchModelVersions(const ModelSearch& query) = 0;
  virtual std::string GetModelVersionDownloadUri(const std::string& name, int64_t version) = 0;
  virtual void SetModelVersionTag(const std::string& name, int64_t version, const Tag& tag) = 0;
  virtual void DeleteModelVersionTag(const std::string& name, int64_t version,
                                     const std::string& key) = 0;

  /// Points `alias` at `version` (moving it if it exists) and records the
  /// move in the alias history.
  virtual void SetAlias(const std::string& name, const std::string& alias, int64_t version,
                        const AliasChange& change) = 0;
  virtual void DeleteAlias(const std::string& name, const std::string& alias,
                           const AliasChange& change) = 0;
  virtual ModelVersion GetModelVersionByAlias(const std::string& name,
                                              const std::string& alias) = 0;
  /// Moves of `alias` of model `name`, oldest first ("" alias = every alias).
  virtual std::vector<AliasEvent> GetAliasHistory(const std::string& name,
                                                  const std::string& alias) = 0;
};

/// Opens the store a URI names:
///   sqlite:///relative/or/abs.db, sqlite:////abs.db, or a plain file path
///   postgresql://user:pass@host:port/db (also postgres://)
///   http://host:port, https://... (a leanops or MLflow server, via RestStore)
/// `default_artifact_root` is where new experiments keep artifacts when they
/// do not name a location ("mlflow-artifacts:/" on a server that proxies
/// artifacts, a local folder otherwise). Throws kData for an unknown scheme.
std::unique_ptr<Store> OpenStore(const std::string& uri, const std::string& default_artifact_root);

}  // namespace leanops::track
