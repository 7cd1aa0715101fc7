// The tracking and registry data model, as MLflow defines it
// (mlflow/protos/service.proto and model_registry.proto).
//
// Identifiers that MLflow sends as strings stay strings here (experiment ids,
// run ids); model versions are numbers in the store and strings on the wire.
// Times are milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leanops::track {

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};
using Param = Tag;

struct Metric {
  std::string key;
  double value = 0;  // may be NaN or +-infinity
  int64_t timestamp = 0;
  int64_t step = 0;
};

enum class LifecycleStage { kActive, kDeleted };
/// "active" / "deleted", as MLflow spells them.
const char* LifecycleName(LifecycleStage stage);

enum class ViewType { kActiveOnly = 1, kDeletedOnly = 2, kAll = 3 };
/// Parses "ACTIVE_ONLY", "DELETED_ONLY", "ALL" (or 1, 2, 3); throws
/// INVALID_PARAMETER_VALUE otherwise.
ViewType ParseViewType(const std::string& text);

struct Experiment {
  std::string experiment_id;
  std::string name;
  std::string artifact_location;
  LifecycleStage lifecycle_stage = LifecycleStage::kActive;
  int64_t creation_time = 0;
  int64_t last_update_time = 0;
  std::vector<Tag> tags;
};

enum class RunStatus { kRunning = 1, kScheduled = 2, kFinished = 3, kFailed = 4, kKilled = 5 };
const char* RunStatusName(RunStatus status);  // "RUNNING", ...
/// Parses a status name (or its number); throws INVALID_PARAMETER_VALUE.
RunStatus ParseRunStatus(const std::string& text);

struct RunInfo {
  std::string run_id;  // 32 lowercase hex digits
  std::string run_name;
  std::string experiment_id;
  std::string user_id;
  RunStatus status = RunStatus::kRunning;
  int64_t start_time = 0;
  std::optional<int64_t> end_time;
  std::string artifact_uri;
  LifecycleStage lifecycle_stage = LifecycleStage::kActive;
};

struct Dataset {
  std::string name;
  std::string digest;
  std::string source_type;
  std::string source;
  std::string schema;
  std::string profile;
};

struct DatasetInput {
  std::vector<Tag> tags;  // e.g. mlflow.data.context = training
  Dataset dataset;
};

struct Run {
  RunInfo info;
  std::vector<Metric> metrics;  // the latest value of each key
  std::vector<Param> params;
  std::vector<Tag> tags;
  std::vector<DatasetInput> inputs;
};

/// Model registry ------------------------------------------------------------

/// The legacy stages: "None", "Staging", "Production", "Archived".
/// Parsing is case-insensitive, as MLflow's; throws INVALID_PARAMETER_VALUE.
std::string CanonicalStage(const std::string& text);

enum class ModelVersionStatus { kPendingRegistration = 1, kFailedRegistration = 2, kReady = 3 };
const char* ModelVersionStatusName(ModelVersionStatus status);

struct ModelVersion {
  std::string name;
  int64_t version = 0;
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string user_id;
  std::string current_stage = "None";
  std::string description;
  std::string source;
  std::string run_id;
  ModelVersionStatus status = ModelVersionStatus::kReady;
  std::string status_message;
  std::vector<Tag> tags;
  std::string run_link;
  std::vector<std::string> aliases;
};

struct ModelAlias {
  std::string alias;
  int64_t version = 0;
};

struct RegisteredModel {
  std::string name;
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string user_id;
  std::string description;
  std::vector<ModelVersion> latest_versions;  // the latest version of each stage
  std::vector<Tag> tags;
  std::vector<ModelAlias> aliases;
};

/// One move of an alias, kept so that `models rollback` can undo it and
/// `models show` can tell who moved it, when and why.
struct AliasEvent {
  std::string model;
  std::string alias;
  std::optional<int64_t> from_version;  // none: the alias was created
  std::optional<int64_t> to_version;    // none: the alias was deleted
  std::string user;
  int64_t timestamp = 0;
  std::string reason;
};

/// A page of results and the token of the next one ("" on the last page).
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

}  // namespace leanops::track
