// RestStore: each Store method is the request MLflow's Python RestStore makes
// (mlflow/store/tracking/rest_store.py, mlflow/store/model_registry/
// rest_store.py, mlflow/utils/rest_utils.py): the RPC's first endpoint under
// /api/2.0, GET fields in the query string (a repeated field as k=v&k=v),
// other methods' fields in a JSON body. Unset optional fields are left out,
// as protobuf's JSON writer leaves them out.
//
// Beyond MLflow's API, two things the registry keeps for `models rollback`:
//
//   SetAlias / DeleteAlias add "leanops_user" and "leanops_reason" (when not
//   empty) to MLflow's request body; MLflow's server ignores unknown fields.
//
//   GetAliasHistory has no MLflow endpoint; a leanops server answers
//     GET /api/2.0/leanops/registered-models/alias-history?name=M[&alias=A]
//   (no alias = every alias of M) with
//     {"events": [{"model": "M", "alias": "A",
//                  "from_version": "1",   (absent when the alias was created)
//                  "to_version": "2",     (absent when the alias was deleted)
//                  "user": "u", "timestamp": 1700000000000, "reason": "r"}]}
//   oldest first. MLflow's own server answers 404 (ENDPOINT_NOT_FOUND).
//
// The transport (settings, retries, errors) is rest_transport.h's.
#include "track/rest_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "track/api_error.h"
#include "track/rest_json.h"
#include "track/rest_transport.h"

namespace leanops::track {
namespace {

using nlohmann::json;

using Call = RestCall;

// Reading answers ---------------------------------------------------------

const json& Member(const json& answer, const char* key, const Call& call) {
  auto it = answer.find(key);
  if (it == answer.end() || it->is_null())
    ThrowIO("tracking server's answer to {} {} lacks '{}'", call.method, call.path, key);
  return *it;
}

template <typename T, typename Parse>
std::vector<T> List(const json& answer, const char* key, Parse parse) {
  std::vector<T> out;
  auto it = answer.find(key);
  if (it == answer.end() || !it->is_array()) return out;
  out.reserve(it->size());
  for (const json& item : *it) out.push_back(parse(item));
  return out;
}

std::optional<int64_t> OptionalInt64(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return Int64FromJson(*it, key);
}

AliasEvent AliasEventFromJson(const json& object) {
  AliasEvent event;
  event.model = AnswerText(object, "model");
  event.alias = AnswerText(object, "alias");
  event.from_version = OptionalInt64(object, "from_version");
  event.to_version = OptionalInt64(object, "to_version");
  event.user = AnswerText(object, "user");
  event.timestamp = OptionalInt64(object, "timestamp").value_or(0);
  event.reason = AnswerText(object, "reason");
  return event;
}

// Writing requests --------------------------------------------------------

const char* ViewTypeName(ViewType view) {
  switch (view) {
    case ViewType::kActiveOnly:
      return "ACTIVE_ONLY";
    case ViewType::kDeletedOnly:
      return "DELETED_ONLY";
    case ViewType::kAll:
      return "ALL";
  }
  return "ACTIVE_ONLY";
}

template <typename T>
json JsonList(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(ToJson(item));
  return out;
}

// Sets an optional field only when it has a value, as protobuf leaves unset fields out.
void SetIfAny(json& fields, const char* key, const std::string& value) {
  if (!value.empty()) fields[key] = value;
}
void SetIfAny(json& fields, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) fields[key] = values;
}
template <typename T>
void SetIfAny(json& fields, const char* key, const std::vector<T>& items) {
  if (!items.empty()) fields[key] = JsonList(items);
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RestStore : public Store {
 public:
  explicit RestStore(RestTransport transport) : http_(std::move(transport)) {}

  // Experiments -------------------------------------------------------------

  std::string CreateExperiment(const std::string& name, const std::string& artifact_location,
                               const std::vector<Tag>& tags) override {
    Call call{"POST", "/mlflow/experiments/create", {{"name", name}}, false};
    SetIfAny(call.fields, "artifact_location", artifact_location);
    SetIfAny(call.fields, "tags", tags);
    json answer = http_.Send(call);
    Member(answer, "experiment_id", call);
    return AnswerText(answer, "experiment_id");
  }

  Experiment GetExperiment(const std::string& experiment_id) override {
    Call call{"GET", "/mlflow/experiments/get", {{"experiment_id", experiment_id}}};
    return ExperimentFromJson(Member(http_.Send(call), "experiment", call));
  }

  Experiment GetExperimentByName(const std::string& name) override {
    Call call{"GET", "/mlflow/experiments/get-by-name", {{"experiment_name", name}}};
    return ExperimentFromJson(Member(http_.Send(call), "experiment", call));
  }

  Page<Experiment> SearchExperiments(const ExperimentQuery& query) override {
    Call call{"POST", "/mlflow/experiments/search"};
    call.fields["max_results"] = query.max_results;
    SetIfAny(call.fields, "page_token", query.page_token);
    SetIfAny(call.fields, "filter", query.filter);
    SetIfAny(call.fields, "order_by", query.order_by);
    call.fields["view_type"] = ViewTypeName(query.view);
    json answer = http_.Send(call);
    return {List<Experiment>(answer, "experiments", ExperimentFromJson),
            AnswerText(answer, "next_page_token")};
  }

  void DeleteExperiment(const std::string& experiment_id) override {
    http_.Send({"POST", "/mlflow/experiments/delete", {{"experiment_id", experiment_id}}, false});
  }

  void RestoreExperiment(const std::string& experiment_id) override {
    http_.Send({"POST", "/mlflow/experiments/restore", {{"experiment_id", experiment_id}}, false});
  }

  void RenameExperiment(const std::string& experiment_id, const std::string& new_name) override {
    http_.Send({"POST",
                "/mlflow/experiments/update",
                {{"experiment_id", experiment_id}, {"new_name", new_name}},
                false});
  }

  void SetExperimentTag(const std::string& experiment_id, const Tag& tag) override {
    http_.Send({"POST",
                "/mlflow/experiments/set-experiment-tag",
                {{"experiment_id", experiment_id}, {"key", tag.key}, {"value", tag.value}}});
  }

  void DeleteExperimentTag(const std::string& experiment_id, const std::string& key) override {
    http_.Send({"POST",
                "/mlflow/experiments/delete-experiment-tag",
                {{"experiment_id", experiment_id}, {"key", key}},
                false});
  }

  // Runs --------------------------------------------------------------------

  Run CreateRun(const NewRun& run) override {
    Call call{"POST", "/mlflow/runs/create", {}, false};
    call.fields["experiment_id"] = run.experiment_id.empty() ? "0" : run.experiment_id;
    SetIfAny(call.fields, "user_id", run.user_id);
    // MLflow's client always sends the start time; its server takes it as given.
    call.fields["start_time"] = run.start_time.value_or(WallClockMs());
    SetIfAny(call.fields, "tags", run.tags);
    SetIfAny(call.fields, "run_name", run.run_name);
    return RunFromJson(Member(http_.Send(call), "run", call));
  }

  RunInfo UpdateRun(const RunUpdate& update) override {
    Call call{
        "POST", "/mlflow/runs/update", {{"run_uuid", update.run_id}, {"run_id", update.run_id}}};
    if (update.status) call.fields["status"] = RunStatusName(*update.status);
    if (update.end_time) call.fields["end_time"] = *update.end_time;
    if (update.run_name) call.fields["run_name"] = *update.run_name;
    return RunInfoFromJson(Member(http_.Send(call), "run_info", call));
  }

  void DeleteRun(const std::string& run_id) override {
    http_.Send({"POST", "/mlflow/runs/delete", {{"run_id", run_id}}, false});
  }

  void RestoreRun(const std::string& run_id) override {
    http_.Send({"POST", "/mlflow/runs/restore", {{"run_id", run_id}}, false});
  }

  Run GetRun(const std::string& run_id) override {
    Call call{"GET", "/mlflow/runs/get", {{"run_uuid", run_id}, {"run_id", run_id}}};
    return RunFromJson(Member(http_.Send(call), "run", call));
  }

  Page<Run> SearchRuns(const RunQuery& query) override {
    Call call{"POST", "/mlflow/runs/search"};
    SetIfAny(call.fields, "experiment_ids", query.experiment_ids);
    SetIfAny(call.fields, "filter", query.filter);
    call.fields["run_view_type"] = ViewTypeName(query.view);
    call.fields["max_results"] = query.max_results;
    SetIfAny(call.fields, "order_by", query.order_by);
    SetIfAny(call.fields, "page_token", query.page_token);
    json answer = http_.Send(call);
    return {List<Run>(answer, "runs", RunFromJson), AnswerText(answer, "next_page_token")};
  }

  // An exact duplicate of a logged point is ignored, so the batch may be repeated.
  void LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                const std::vector<Param>& params, const std::vector<Tag>& tags) override {
    Call call{"POST", "/mlflow/runs/log-batch", {{"run_id", run_id}}};
    SetIfAny(call.fields, "metrics", metrics);
    SetIfAny(call.fields, "params", params);
    SetIfAny(call.fields, "tags", tags);
    http_.Send(call);
  }

  void DeleteTag(const std::string& run_id, const std::string& key) override {
    http_.Send({"POST", "/mlflow/runs/delete-tag", {{"run_id", run_id}, {"key", key}}, false});
  }

  void LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) override {
    Call call{"POST", "/mlflow/runs/log-inputs", {{"run_id", run_id}}};
    SetIfAny(call.fields, "datasets", inputs);
    http_.Send(call);
  }

  Page<Metric> GetMetricHistory(const std::string& run_id, const std::string& key,
                                int64_t max_results, const std::string& page_token) override {
    Call call{"GET",
              "/mlflow/metrics/get-history",
              {{"run_uuid", run_id}, {"run_id", run_id}, {"metric_key", key}}};
    if (max_results > 0) call.fields["max_results"] = max_results;
    SetIfAny(call.fields, "page_token", page_token);
    json answer = http_.Send(call);
    return {List<Metric>(answer, "metrics", MetricFromJson), AnswerText(answer, "next_page_token")};
  }

  // Registry ----------------------------------------------------------------

  RegisteredModel CreateRegisteredModel(const std::string& name, const std::vector<Tag>& tags,
                                        const std::string& description) override {
    Call call{"POST", "/mlflow/registered-models/create", {{"name", name}}, false};
    SetIfAny(call.fields, "tags", tags);
    SetIfAny(call.fields, "description", description);
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  RegisteredModel RenameRegisteredModel(const std::string& name,
                                        const std::string& new_name) override {
    Call call{"POST",
              "/mlflow/registered-models/rename",
              {{"name", name}, {"new_name", new_name}},
              false};
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  RegisteredModel UpdateRegisteredModel(const std::string& name,
                                        const std::string& description) override {
    Call call{"PATCH",
              "/mlflow/registered-models/update",
              {{"name", name}, {"description", description}}};
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  void DeleteRegisteredModel(const std::string& name) override {
    http_.Send({"DELETE", "/mlflow/registered-models/delete", {{"name", name}}, false});
  }

  RegisteredModel GetRegisteredModel(const std::string& name) override {
    Call call{"GET", "/mlflow/registered-models/get", {{"name", name}}};
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  Page<RegisteredModel> SearchRegisteredModels(const ModelSearch& query) override {
    Call call{"GET", "/mlflow/registered-models/search", SearchFields(query)};
    json answer = http_.Send(call);
    return {List<RegisteredModel>(answer, "registered_models", RegisteredModelFromJson),
            AnswerText(answer, "next_page_token")};
  }

  void SetRegisteredModelTag(const std::string& name, const Tag& tag) override {
    http_.Send({"POST",
                "/mlflow/registered-models/set-tag",
                {{"name", name}, {"key", tag.key}, {"value", tag.value}}});
  }

  void DeleteRegisteredModelTag(const std::string& name, const std::string& key) override {
    http_.Send(
        {"DELETE", "/mlflow/registered-models/delete-tag", {{"name", name}, {"key", key}}, false});
  }

  std::vector<ModelVersion> GetLatestVersions(const std::string& name,
                                              const std::vector<std::string>& stages) override {
    Call call{"POST", "/mlflow/registered-models/get-latest-versions", {{"name", name}}};
    SetIfAny(call.fields, "stages", stages);
    return List<ModelVersion>(http_.Send(call), "model_versions", ModelVersionFromJson);
  }

  ModelVersion CreateModelVersion(const NewModelVersion& version) override {
    Call call{"POST",
              "/mlflow/model-versions/create",
              {{"name", version.name}, {"source", version.source}},
              false};
    SetIfAny(call.fields, "run_id", version.run_id);
    SetIfAny(call.fields, "run_link", version.run_link);
    SetIfAny(call.fields, "tags", version.tags);
    SetIfAny(call.fields, "description", version.description);
    // Not in MLflow's request (its server takes the user from the login);
    // a leanops server records it.
    SetIfAny(call.fields, "user_id", version.user_id);
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  ModelVersion UpdateModelVersion(const std::string& name, int64_t version,
                                  const std::string& description) override {
    Call call{"PATCH",
              "/mlflow/model-versions/update",
              {{"name", name}, {"version", std::to_string(version)}, {"description", description}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  ModelVersion TransitionModelVersionStage(const std::string& name, int64_t version,
                                           const std::string& stage,
                                           bool archive_existing) override {
    Call call{"POST",
              "/mlflow/model-versions/transition-stage",
              {{"name", name},
               {"version", std::to_string(version)},
               {"stage", stage},
               {"archive_existing_versions", archive_existing}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  void DeleteModelVersion(const std::string& name, int64_t version) override {
    http_.Send({"DELETE",
                "/mlflow/model-versions/delete",
                {{"name", name}, {"version", std::to_string(version)}},
                false});
  }

  ModelVersion GetModelVersion(const std::string& name, int64_t version) override {
    Call call{"GET",
              "/mlflow/model-versions/get",
              {{"name", name}, {"version", std::to_string(version)}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  Page<ModelVersion> SearchModelVersions(const ModelSearch& query) override {
    Call call{"GET", "/mlflow/model-versions/search", SearchFields(query)};
    json answer = http_.Send(call);
    return {List<ModelVersion>(answer, "model_versions", ModelVersionFromJson),
            AnswerText(answer, "next_page_token")};
  }

  std::string GetModelVersionDownloadUri(const std::string& name, int64_t version) override {
    Call call{"GET",
              "/mlflow/model-versions/get-download-uri",
              {{"name", name}, {"version", std::to_string(version)}}};
    json answer = http_.Send(call);
    Member(answer, "artifact_uri", call);
    return AnswerText(answer, "artifact_uri");
  }

  void SetModelVersionTag(const std::string& name, int64_t version, const Tag& tag) override {
    http_.Send({"POST",
                "/mlflow/model-versions/set-tag",
                {{"name", name},
                 {"version", std::to_string(version)},
                 {"key", tag.key},
                 {"value", tag.value}}});
  }

  void DeleteModelVersionTag(const std::string& name, int64_t version,
                             const std::string& key) override {
    http_.Send({"DELETE",
                "/mlflow/model-versions/delete-tag",
                {{"name", name}, {"version", std::to_string(version)}, {"key", key}},
                false});
  }

  void SetAlias(const std::string& name, const std::string& alias, int64_t version,
                const AliasChange& change) override {
    Call call{"POST",
              "/mlflow/registered-models/alias",
              {{"name", name}, {"alias", alias}, {"version", std::to_string(version)}},
              false};
    AddAliasChange(call, change);
    http_.Send(call);
  }

  void DeleteAlias(const std::string& name, const std::string& alias,
                   const AliasChange& change) override {
    Call call{
        "DELETE", "/mlflow/registered-models/alias", {{"name", name}, {"alias", alias}}, false};
    AddAliasChange(call, change);
    http_.Send(call);
  }

  ModelVersion GetModelVersionByAlias(const std::string& name, const std::string& alias) override {
    Call call{"GET", "/mlflow/registered-models/alias", {{"name", name}, {"alias", alias}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  std::vector<AliasEvent> GetAliasHistory(const std::string& name,
                                          const std::string& alias) override {
    Call call{"GET", "/leanops/registered-models/alias-history", {{"name", name}}};
    SetIfAny(call.fields, "alias", alias);
    return List<AliasEvent>(http_.Send(call), "events", AliasEventFromJson);
  }

 private:
  static json SearchFields(const ModelSearch& query) {
    json fields = json::object();
    SetIfAny(fields, "filter", query.filter);
    fields["max_results"] = query.max_results;
    SetIfAny(fields, "order_by", query.order_by);
    SetIfAny(fields, "page_token", query.page_token);
    return fields;
  }

  static void AddAliasChange(Call& call, const AliasChange& change) {
    SetIfAny(call.fields, "leanops_user", change.user);
    SetIfAny(call.fields, "leanops_reason", change.reason);
  }

  RestTransport http_;
};

}  // namespace

std::unique_ptr<Store> OpenRestStore(const std::string& base_url, const std::string& token) {
  return std::make_unique<RestStore>(RestTransport(base_url, ReadHttpSettings(token), RealClock()));
}

}  // namespace leanops::track
