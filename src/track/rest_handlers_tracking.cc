// The tracking service's endpoints (mlflow/protos/service.proto), each as
// MLflow's handler in mlflow/server/handlers.py reads its request.
#include <algorithm>
#include <cmath>
#include <set>

#include "track/api_error.h"
#include "track/rest_handlers.h"
#include "track/rest_json.h"
#include "track/rest_json_writer.h"

namespace leanops::track::rest {
namespace {

using nlohmann::json;

// Most runs endpoints take "run_id" and fall back to the deprecated
// "run_uuid", as MLflow's schema check does.
std::string RunId(Call& call) {
  std::string run_id = call.String("run_id");
  if (run_id.empty()) run_id = call.String("run_uuid");
  if (run_id.empty()) Call::ThrowMissing("run_id");
  return run_id;
}

ViewType ViewTypeField(Call& call, const char* name) {
  const json* value = call.Raw(name);
  if (value == nullptr) return ViewType::kActiveOnly;
  if (value->is_string()) return ParseViewType(value->get<std::string>());
  if (value->is_number_integer()) return ParseViewType(value->dump());
  Call::ThrowBadValue(name, *value);
}

void CreateExperiment(Call& call) {
  std::string name = call.RequiredString("name");
  std::string artifact_location = call.String("artifact_location");
  std::vector<Tag> tags = call.Tags("tags");
  if (!artifact_location.empty()) {
    if (artifact_location.find('#') != std::string::npos) {
      ThrowInvalid("'artifact_location' URL can't include fragments or params.");
    }
    if (artifact_location.rfind("runs:", 0) == 0) {
      ThrowInvalid("Artifact location cannot be a runs:/ URI. Given: '{}'", artifact_location);
    }
  }
  std::string id = call.store.CreateExperiment(name, artifact_location, tags);
  call.Reply({{"experiment_id", id}});
}

void GetExperiment(Call& call) {
  Experiment experiment = call.store.GetExperiment(call.RequiredString("experiment_id"));
  call.Reply({{"experiment", ToJson(experiment)}});
}

void GetExperimentByName(Call& call) {
  Experiment experiment = call.store.GetExperimentByName(call.RequiredString("experiment_name"));
  call.Reply({{"experiment", ToJson(experiment)}});
}

void DeleteExperiment(Call& call) {
  call.store.DeleteExperiment(call.RequiredString("experiment_id"));
  call.Reply(json::object());
}

void RestoreExperiment(Call& call) {
  call.store.RestoreExperiment(call.RequiredString("experiment_id"));
  call.Reply(json::object());
}

void UpdateExperiment(Call& call) {
  std::string id = call.RequiredString("experiment_id");
  std::string new_name = call.RequiredString("new_name");
  call.store.RenameExperiment(id, new_name);
  call.Reply(json::object());
}

void SetExperimentTag(Call& call) {
  std::string id = call.RequiredString("experiment_id");
  Tag tag{call.RequiredString("key"), call.String("value")};
  call.store.SetExperimentTag(id, tag);
  call.Reply(json::object());
}

void DeleteExperimentTag(Call& call) {
  std::string id = call.RequiredString("experiment_id");
  call.store.DeleteExperimentTag(id, call.RequiredString("key"));
  call.Reply(json::object());
}

void SearchExperiments(Call& call) {
  ExperimentQuery query;
  query.view = ViewTypeField(call, "view_type");
  if (auto max_results = call.Int("max_results")) query.max_results = *max_results;
  query.order_by = call.StringList("order_by");
  query.filter = call.String("filter");
  query.page_token = call.String("page_token");
  json out = json::object();
  PutPage(out, "experiments", call.store.SearchExperiments(query),
          [](const Experiment& experiment) { return ToJson(experiment); });
  call.Reply(out);
}

void CreateRun(Call& call) {
  NewRun run;
  run.experiment_id = call.String("experiment_id");
  run.user_id = call.String("user_id");
  run.start_time = call.Int("start_time");
  run.tags = call.Tags("tags");
  run.run_name = call.String("run_name");
  call.Reply({{"run", ToJson(call.store.CreateRun(run))}});
}

void UpdateRun(Call& call) {
  RunUpdate update;
  update.run_id = RunId(call);
  if (const json* status = call.Raw("status")) {
    if (!status->is_string() && !status->is_number_integer()) {
      Call::ThrowBadValue("status", *status);
    }
    update.status =
        ParseRunStatus(status->is_string() ? status->get<std::string>() : status->dump());
  }
  update.end_time = call.Int("end_time");
  if (call.Raw("run_name") != nullptr) update.run_name = call.String("run_name");
  call.Reply({{"run_info", ToJson(call.store.UpdateRun(update))}});
}

void DeleteRun(Call& call) {
  call.store.DeleteRun(call.RequiredString("run_id"));
  call.Reply(json::object());
}

void RestoreRun(Call& call) {
  call.store.RestoreRun(call.RequiredString("run_id"));
  call.Reply(json::object());
}

void GetRun(Call& call) { call.Reply({{"run", ToJson(call.store.GetRun(RunId(call)))}}); }

void SearchRuns(Call& call) {
  RunQuery query;
  query.experiment_ids = call.StringList("experiment_ids");
  query.filter = call.String("filter");
  query.view = ViewTypeField(call, "run_view_type");
  if (auto max_results = call.Int("max_results")) {
    if (*max_results > 50000) Call::ThrowBadValue("max_results", *call.Raw("max_results"));
    query.max_results = *max_results;
  }
  query.order_by = call.StringList("order_by");
  query.page_token = call.String("page_token");
  Page<Run> page = call.store.SearchRuns(query);
  if (std::optional<std::string> text = RunPageJson(page)) return call.ReplyJsonText(*text);
  json out = json::object();
  PutPage(out, "runs", page, [](const Run& run) { return ToJson(run); });
  call.Reply(out);
}

void LogMetric(Call& call) {
  std::string run_id = RunId(call);
  Metric metric;
  metric.key = call.RequiredString("key");
  metric.value = call.RequiredDouble("value");
  metric.timestamp = call.RequiredInt("timestamp");
  metric.step = call.Int("step").value_or(0);
  call.store.LogBatch(run_id, {metric}, {}, {});
  call.Reply(json::object());
}

void LogParam(Call& call) {
  std::string run_id = RunId(call);
  Param param{call.RequiredString("key"), call.String("value")};
  call.store.LogBatch(run_id, {}, {param}, {});
  call.Reply(json::object());
}

void SetTag(Call& call) {
  std::string run_id = RunId(call);
  Tag tag{call.RequiredString("key"), call.String("value")};
  call.store.LogBatch(run_id, {}, {}, {tag});
  call.Reply(json::object());
}

void DeleteTag(Call& call) {
  std::string run_id = call.RequiredString("run_id");
  call.store.DeleteTag(run_id, call.RequiredString("key"));
  call.Reply(json::object());
}

// A list field of log-batch, with MLflow's per-entry presence checks
// ("Missing value for required parameter 'metrics[3].timestamp'.").
const json& BatchList(Call& call, const char* name,
                      std::initializer_list<const char*> required_fields) {
  static const json kEmpty = json::array();
  const json* list = call.Raw(name);
  if (list == nullptr) return kEmpty;
  if (!list->is_array()) Call::ThrowBadValue(name, *list);
  for (size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    if (!entry.is_object()) Call::ThrowBadValue(name, *list);
    for (const char* field : required_fields) {
      auto it = entry.find(field);
      if (it == entry.end() || it->is_null() ||
          (it->is_string() && it->get_ref<const std::string&>().empty())) {
        std::string path = fmt::format("{}[{}].{}", name, i, field);
        Call::ThrowMissing(path.c_str());
      }
    }
  }
  return *list;
}

void LogBatch(Call& call) {
  // The documented limit of service.proto; the store checks the counts.
  constexpr size_t kMaxBatchRequestBytes = 1000000;
  call.Fields();
  if (call.body_size() > kMaxBatchRequestBytes) {
    ThrowInvalid("Batched logging API requests must be at most {} bytes, got a request of size {}.",
                 kMaxBatchRequestBytes, call.body_size());
  }
  std::string run_id = call.RequiredString("run_id");
  std::vector<Metric> metrics;
  for (const json& entry : BatchList(call, "metrics", {"key", "value", "timestamp"})) {
    metrics.push_back(MetricFromJson(entry));
  }
  std::vector<Param> params;
  for (const json& entry : BatchList(call, "params", {"key"})) params.push_back(TagFromJson(entry));
  std::vector<Tag> tags;
  for (const json& entry : BatchList(call, "tags", {"key"})) tags.push_back(TagFromJson(entry));
  call.store.LogBatch(run_id, metrics, params, tags);
  call.Reply(json::object());
}

// Appends the model's MLmodel description to the run's
// "mlflow.log-model.history" tag, as MLflow's record_logged_model does.
void LogModel(Call& call) {
  std::string run_id = call.RequiredString("run_id");
  std::string model_json = call.RequiredString("model_json");
  json model = json::parse(model_json, nullptr, false);
  if (model.is_discarded() || !model.is_object()) {
    ThrowInvalid("Malformed model info. \n {} \n is not a valid JSON.", model_json);
  }
  std::vector<std::string> missing;
  for (const char* field : {"artifact_path", "flavors", "run_id", "utc_time_created"}) {
    if (!model.contains(field)) missing.push_back(fmt::format("'{}'", field));
  }
  if (!missing.empty()) {
    ThrowInvalid("Model json is missing mandatory fields: {{{}}}", fmt::join(missing, ", "));
  }
  constexpr const char* kHistoryTag = "mlflow.log-model.history";
  Run run = call.store.GetRun(run_id);
  json history = json::array();
  for (const Tag& tag : run.tags) {
    if (tag.key != kHistoryTag) continue;
    json previous = json::parse(tag.value, nullptr, false);
    if (previous.is_array()) history = std::move(previous);
  }
  history.push_back(std::move(model));
  call.store.LogBatch(run_id, {}, {}, {Tag{kHistoryTag, history.dump()}});
  call.Reply(json::object());
}

void LogInputs(Call& call) {
  std::string run_id = call.RequiredString("run_id");
  std::vector<DatasetInput> inputs;
  if (const json* datasets = call.Raw("datasets")) {
    if (!datasets->is_array()) Call::ThrowBadValue("datasets", *datasets);
    for (const json& entry : *datasets) inputs.push_back(DatasetInputFromJson(entry));
  }
  call.store.LogInputs(run_id, inputs);
  call.Reply(json::object());
}

void GetMetricHistory(Call& call) {
  std::string run_id = RunId(call);
  std::string key = call.RequiredString("metric_key");
  int64_t max_results = call.Int("max_results").value_or(0);
  Page<Metric> page =
      call.store.GetMetricHistory(run_id, key, max_results, call.String("page_token"));
  if (std::optional<std::string> text = MetricPageJson(page)) return call.ReplyJsonText(*text);
  json out = json::object();
  PutPage(out, "metrics", page, [](const Metric& metric) { return ToJson(metric); });
  call.Reply(out);
}

// The UI's chart query: the metric of several runs at up to max_results
// steps spread over [start_step, end_step], keeping each run's first and
// last step (AbstractStore.get_metric_history_bulk_interval).
void GetMetricHistoryBulkInterval(Call& call) {
  constexpr size_t kMaxRuns = 100;
  constexpr int64_t kMaxResultsPerRun = 2500;
  constexpr size_t kMaxHistory = 25000;
  std::vector<std::string> run_ids = call.StringList("run_ids");
  if (run_ids.empty()) Call::ThrowMissing("run_ids");
  if (run_ids.size() > kMaxRuns) {
    ThrowInvalid(
        "GetMetricHistoryBulkInterval request must specify at most {} run_ids. Received {} "
        "run_ids. See the API docs for more information about request parameters.",
        kMaxRuns, run_ids.size());
  }
  std::string key = call.RequiredString("metric_key");
  int64_t max_results = call.Int("max_results").value_or(kMaxResultsPerRun);
  if (max_results < 1 || max_results > kMaxResultsPerRun) {
    ThrowInvalid(
        "max_results must be between 1 and {}. See the API docs for more information about "
        "request parameters.",
        kMaxResultsPerRun);
  }
  std::optional<int64_t> start_step = call.Int("start_step");
  std::optional<int64_t> end_step = call.Int("end_step");
  if (start_step.has_value() != end_step.has_value()) {
    ThrowInvalid("If either start step or end step are specified, both must be specified.");
  }
  if (start_step && *start_step > *end_step) {
    ThrowInvalid("end_step must be greater than start_step. Found start_step={} and end_step={}.",
                 *start_step, *end_step);
  }

  std::vector<std::vector<Metric>> histories;
  std::set<int64_t> steps_set;
  std::set<int64_t> ends;  // each run's first and last step
  for (const std::string& run_id : run_ids) {
    histories.push_back(call.store.GetMetricHistory(run_id, key, 0, "").items);
    const std::vector<Metric>& history = histories.back();
    if (history.empty()) continue;
    auto [low, high] =
        std::minmax_element(history.begin(), history.end(),
                            [](const Metric& a, const Metric& b) { return a.step < b.step; });
    ends.insert(low->step);
    ends.insert(high->step);
    for (const Metric& metric : history) steps_set.insert(metric.step);
  }
  std::vector<int64_t> all_steps(steps_set.begin(), steps_set.end());
  if (!start_step) {
    start_step = 0;
    end_step = all_steps.empty() ? 0 : all_steps.back();
  }
  std::set<int64_t> sampled;
  for (int64_t step : ends) {
    if (*start_step <= step && step <= *end_step) sampled.insert(step);
  }
  size_t begin =
      std::lower_bound(all_steps.begin(), all_steps.end(), *start_step) - all_steps.begin();
  size_t end = std::upper_bound(all_steps.begin(), all_steps.end(), *end_step) - all_steps.begin();
  size_t count = end > begin ? end - begin : 0;
  if (count <= static_cast<size_t>(max_results)) {
    for (size_t i = begin; i < end; ++i) sampled.insert(all_steps[i]);
  } else {
    double interval = static_cast<double>(count) / static_cast<double>(max_results);
    for (int64_t i = 0; i < max_results; ++i) {
      size_t index = begin + static_cast<size_t>(std::floor(static_cast<double>(i) * interval));
      if (index < end) sampled.insert(all_steps[index]);
    }
    sampled.insert(all_steps[end - 1]);
  }

  json metrics = json::array();
  for (size_t r = 0; r < run_ids.size(); ++r) {
    std::vector<Metric> selected;
    for (const Metric& metric : histories[r]) {
      if (sampled.count(metric.step)) selected.push_back(metric);
    }
    std::stable_sort(selected.begin(), selected.end(), [](const Metric& a, const Metric& b) {
      return a.step != b.step ? a.step < b.step : a.timestamp < b.timestamp;
    });
    if (selected.size() > kMaxHistory) selected.resize(kMaxHistory);
    for (const Metric& metric : selected) {
      json entry = ToJson(metric);
      entry["run_id"] = run_ids[r];
      metrics.push_back(std::move(entry));
    }
  }
  json out = json::object();
  if (!metrics.empty()) out["metrics"] = std::move(metrics);
  call.Reply(out);
}

}  // namespace

std::vector<Route> TrackingRoutes() {
  return {
      {"POST", "/mlflow/experiments/create", CreateExperiment},
      {"POST", "/mlflow/experiments/search", SearchExperiments},
      {"GET", "/mlflow/experiments/search", SearchExperiments},
      {"GET", "/mlflow/experiments/get", GetExperiment},
      {"GET", "/mlflow/experiments/get-by-name", GetExperimentByName},
      {"POST", "/mlflow/experiments/delete", DeleteExperiment},
      {"POST", "/mlflow/experiments/restore", RestoreExperiment},
      {"POST", "/mlflow/experiments/update", UpdateExperiment},
      {"POST", "/mlflow/experiments/set-experiment-tag", SetExperimentTag},
      {"POST", "/mlflow/experiments/delete-experiment-tag", DeleteExperimentTag},
      {"POST", "/mlflow/runs/create", CreateRun},
      {"POST", "/mlflow/runs/update", UpdateRun},
      {"POST", "/mlflow/runs/delete", DeleteRun},
      {"POST", "/mlflow/runs/restore", RestoreRun},
      {"GET", "/mlflow/runs/get", GetRun},
      {"POST", "/mlflow/runs/search", SearchRuns},
      {"POST", "/mlflow/runs/log-metric", LogMetric},
      {"POST", "/mlflow/runs/log-parameter", LogParam},
      {"POST", "/mlflow/runs/log-batch", LogBatch},
      {"POST", "/mlflow/runs/set-tag", SetTag},
      {"POST", "/mlflow/runs/delete-tag", DeleteTag},
      {"POST", "/mlflow/runs/log-model", LogModel},
      {"POST", "/mlflow/runs/log-inputs", LogInputs},
      {"GET", "/mlflow/metrics/get-history", GetMetricHistory},
      {"GET", "/mlflow/metrics/get-history-bulk-interval", GetMetricHistoryBulkInterval},
  };
}

}  // namespace leanops::track::rest
