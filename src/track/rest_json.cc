#include "track/rest_json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "track/api_error.h"

namespace leanops::track {
namespace {

using nlohmann::json;

// Protobuf's JSON form leaves out unset optional fields; a reader treats a
// missing field as its default.
const json* Field(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string StringField(const json& object, const char* name) {
  const json* value = Field(object, name);
  if (value == nullptr) return "";
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return value->dump();
  ThrowInvalid("Invalid value {} for field '{}': expected a string", value->dump(), name);
}

int64_t Int64Field(const json& object, const char* name) {
  const json* value = Field(object, name);
  return value == nullptr ? 0 : Int64FromJson(*value, name);
}

void PutIfSet(json& out, const char* name, const std::string& value) {
  if (!value.empty()) out[name] = value;
}

std::vector<Tag> TagsFromJson(const json& object, const char* name) {
  std::vector<Tag> tags;
  const json* list = Field(object, name);
  if (list == nullptr) return tags;
  if (!list->is_array()) ThrowInvalid("Invalid value for field '{}': expected a list", name);
  for (const json& entry : *list) tags.push_back(TagFromJson(entry));
  return tags;
}

template <typename T, typename F>
void PutList(json& out, const char* name, const std::vector<T>& items, F to_json) {
  if (items.empty()) return;
  json list = json::array();
  for (const T& item : items) list.push_back(to_json(item));
  out[name] = std::move(list);
}

LifecycleStage LifecycleFromJson(const json& object) {
  return StringField(object, "lifecycle_stage") == "deleted" ? LifecycleStage::kDeleted
                                                             : LifecycleStage::kActive;
}

ModelVersionStatus ModelVersionStatusFromText(const std::string& text) {
  static constexpr ModelVersionStatus kAll[] = {ModelVersionStatus::kPendingRegistration,
                                                ModelVersionStatus::kFailedRegistration,
                                                ModelVersionStatus::kReady};
  for (ModelVersionStatus status : kAll) {
    if (text == ModelVersionStatusName(status) ||
        text == std::to_string(static_cast<int>(status))) {
      return status;
    }
  }
  ThrowInvalid("Invalid model version status '{}'", text);
}

}  // namespace

json DoubleToJson(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

double DoubleFromJson(const json& value, const char* field) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (!text.empty() && text.find_first_of(" \t\n") == std::string::npos) {
      char* end = nullptr;
      errno = 0;
      double parsed = std::strtod(text.c_str(), &end);
      // strtod also reads "nan" and "inf"; protobuf accepts only the spellings above.
      if (end == text.c_str() + text.size() && std::isfinite(parsed)) return parsed;
    }
  }
  ThrowInvalid("Invalid value {} for field '{}': expected a double", value.dump(), field);
}

int64_t Int64FromJson(const json& value, const char* field) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      ThrowInvalid("Invalid value {} for field '{}': out of range", value.dump(), field);
    }
    return value.get<int64_t>();
  }
  if (value.is_number_float()) {
    double number = value.get<double>();
    // Protobuf accepts a float that holds an exact integer ("1e3", 5.0).
    if (std::isfinite(number) && number == std::trunc(number) && std::fabs(number) < 9.2e18) {
      return static_cast<int64_t>(number);
    }
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    size_t digits = !text.empty() && text[0] == '-' ? 1 : 0;
    bool decimal =
        text.size() > digits && text.find_first_not_of("0123456789", digits) == std::string::npos;
    if (decimal) {
      errno = 0;
      long long parsed = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) return parsed;
    }
  }
  ThrowInvalid("Invalid value {} for field '{}': expected an integer", value.dump(), field);
}

json ToJson(const Tag& tag) { return {{"key", tag.key}, {"value", tag.value}}; }

json ToJson(const Metric& metric) {
  return {{"key", metric.key},
          {"value", DoubleToJson(metric.value)},
          {"timestamp", metric.timestamp},
          {"step", metric.step}};
}

json ToJson(const Experiment& experiment) {
  json out = {{"experiment_id", experiment.experiment_id},
              {"name", experiment.name},
              {"artifact_location", experiment.artifact_location},
              {"lifecycle_stage", LifecycleName(experiment.lifecycle_stage)},
              {"creation_time", experiment.creation_time},
              {"last_update_time", experiment.last_update_time}};
  PutList(out, "tags", experiment.tags, [](const Tag& tag) { return ToJson(tag); });
  return out;
}

json ToJson(const RunInfo& info) {
  // run_uuid is the deprecated twin of run_id that MLflow still fills in, so
  // that clients older than 1.0 keep working.
  json out = {{"run_id", info.run_id},
              {"run_uuid", info.run_id},
              {"run_name", info.run_name},
              {"experiment_id", info.experiment_id},
              {"user_id", info.user_id},
              {"status", RunStatusName(info.status)},
              {"start_time", info.start_time},
              {"artifact_uri", info.artifact_uri},
              {"lifecycle_stage", LifecycleName(info.lifecycle_stage)}};
  if (info.end_time) out["end_time"] = *info.end_time;
  return out;
}

json ToJson(const Run& run) {
  json data = json::object();
  PutList(data, "metrics", run.metrics, [](const Metric& metric) { return ToJson(metric); });
  PutList(data, "params", run.params, [](const Param& param) { return ToJson(param); });
  PutList(data, "tags", run.tags, [](const Tag& tag) { return ToJson(tag); });
  json inputs = json::object();
  PutList(inputs, "dataset_inputs", run.inputs,
          [](const DatasetInput& input) { return ToJson(input); });
  return {{"info", ToJson(run.info)}, {"data", std::move(data)}, {"inputs", std::move(inputs)}};
}

json ToJson(const DatasetInput& input) {
  const Dataset& dataset = input.dataset;
  json dataset_json = {{"name", dataset.name},
                       {"digest", dataset.digest},
                       {"source_type", dataset.source_type},
                       {"source", dataset.source}};
  PutIfSet(dataset_json, "schema", dataset.schema);
  PutIfSet(dataset_json, "profile", dataset.profile);
  json out = {{"dataset", std::move(dataset_json)}};
  PutList(out, "tags", input.tags, [](const Tag& tag) { return ToJson(tag); });
  return out;
}

json ToJson(const ModelVersion& version) {
  json out = {{"name", version.name},
              {"version", std::to_string(version.version)},
              {"creation_timestamp", version.creation_timestamp},
              {"last_updated_timestamp", version.last_updated_timestamp},
              {"current_stage", version.current_stage},
              {"source", version.source},
              {"status", ModelVersionStatusName(version.status)}};
  PutIfSet(out, "user_id", version.user_id);
  PutIfSet(out, "description", version.description);
  PutIfSet(out, "run_id", version.run_id);
  PutIfSet(out, "status_message", version.status_message);
  PutIfSet(out, "run_link", version.run_link);
  PutList(out, "tags", version.tags, [](const Tag& tag) { return ToJson(tag); });
  PutList(out, "aliases", version.aliases, [](const std::string& alias) { return json(alias); });
  return out;
}

json ToJson(const RegisteredModel& model) {
  json out = {{"name", model.name},
              {"creation_timestamp", model.creation_timestamp},
              {"last_updated_timestamp", model.last_updated_timestamp}};
  PutIfSet(out, "user_id", model.user_id);
  PutIfSet(out, "description", model.description);
  PutList(out, "latest_versions", model.latest_versions,
          [](const ModelVersion& version) { return ToJson(version); });
  PutList(out, "tags", model.tags, [](const Tag& tag) { return ToJson(tag); });
  PutList(out, "aliases", model.aliases, [](const ModelAlias& alias) {
    return json{{"alias", alias.alias}, {"version", std::to_string(alias.version)}};
  });
  return out;
}

Tag TagFromJson(const json& object) {
  if (!object.is_object()) ThrowInvalid("Invalid tag {}: expected an object", object.dump());
  return Tag{StringField(object, "key"), StringField(object, "value")};
}

Metric MetricFromJson(const json& object) {
  if (!object.is_object()) ThrowInvalid("Invalid metric {}: expected an object", object.dump());
  Metric metric;
  metric.key = StringField(object, "key");
  const json* value = Field(object, "value");
  metric.value = value == nullptr ? 0 : DoubleFromJson(*value, "value");
  metric.timestamp = Int64Field(object, "timestamp");
  metric.step = Int64Field(object, "step");
  return metric;
}

Experiment ExperimentFromJson(const json& object) {
  Experiment experiment;
  experiment.experiment_id = StringField(object, "experiment_id");
  experiment.name = StringField(object, "name");
  experiment.artifact_location = StringField(object, "artifact_location");
  experiment.lifecycle_stage = LifecycleFromJson(object);
  experiment.creation_time = Int64Field(object, "creation_time");
  experiment.last_update_time = Int64Field(object, "last_update_time");
  experiment.tags = TagsFromJson(object, "tags");
  return experiment;
}

RunInfo RunInfoFromJson(const json& object) {
  RunInfo info;
  info.run_id = StringField(object, "run_id");
  if (info.run_id.empty()) info.run_id = StringField(object, "run_uuid");
  info.run_name = StringField(object, "run_name");
  info.experiment_id = StringField(object, "experiment_id");
  info.user_id = StringField(object, "user_id");
  if (const json* status = Field(object, "status")) {
    info.status = ParseRunStatus(status->is_string() ? status->get<std::string>() : status->dump());
  }
  info.start_time = Int64Field(object, "start_time");
  if (const json* end_time = Field(object, "end_time")) {
    info.end_time = Int64FromJson(*end_time, "end_time");
  }
  info.artifact_uri = StringField(object, "artifact_uri");
  info.lifecycle_stage = LifecycleFromJson(object);
  return info;
}

Run RunFromJson(const json& object) {
  Run run;
  if (const json* info = Field(object, "info")) run.info = RunInfoFromJson(*info);
  if (const json* data = Field(object, "data")) {
    if (const json* metrics = Field(*data, "metrics")) {
      for (const json& metric : *metrics) run.metrics.push_back(MetricFromJson(metric));
    }
    run.params = TagsFromJson(*data, "params");
    run.tags = TagsFromJson(*data, "tags");
  }
  if (const json* inputs = Field(object, "inputs")) {
    if (const json* datasets = Field(*inputs, "dataset_inputs")) {
      for (const json& input : *datasets) run.inputs.push_back(DatasetInputFromJson(input));
    }
  }
  return run;
}

DatasetInput DatasetInputFromJson(const json& object) {
  if (!object.is_object()) {
    ThrowInvalid("Invalid dataset input {}: expected an object", object.dump());
  }
  DatasetInput input;
  input.tags = TagsFromJson(object, "tags");
  if (const json* dataset = Field(object, "dataset")) {
    input.dataset.name = StringField(*dataset, "name");
    input.dataset.digest = StringField(*dataset, "digest");
    input.dataset.source_type = StringField(*dataset, "source_type");
    input.dataset.source = StringField(*dataset, "source");
    input.dataset.schema = StringField(*dataset, "schema");
    input.dataset.profile = StringField(*dataset, "profile");
  }
  return input;
}

ModelVersion ModelVersionFromJson(const json& object) {
  ModelVersion version;
  version.name = StringField(object, "name");
  version.version = Int64Field(object, "version");
  version.creation_timestamp = Int64Field(object, "creation_timestamp");
  version.last_updated_timestamp = Int64Field(object, "last_updated_timestamp");
  version.user_id = StringField(object, "user_id");
  std::string stage = StringField(object, "current_stage");
  if (!stage.empty()) version.current_stage = stage;
  version.description = StringField(object, "description");
  version.source = StringField(object, "source");
  version.run_id = StringField(object, "run_id");
  if (const json* status = Field(object, "status")) {
    version.status = ModelVersionStatusFromText(status->is_string() ? status->get<std::string>()
                                                                    : status->dump());
  }
  version.status_message = StringField(object, "status_message");
  version.tags = TagsFromJson(object, "tags");
  version.run_link = StringField(object, "run_link");
  if (const json* aliases = Field(object, "aliases")) {
    for (const json& alias : *aliases) {
      if (alias.is_string()) version.aliases.push_back(alias.get<std::string>());
    }
  }
  return version;
}

RegisteredModel RegisteredModelFromJson(const json& object) {
  RegisteredModel model;
  model.name = StringField(object, "name");
  model.creation_timestamp = Int64Field(object, "creation_timestamp");
  model.last_updated_timestamp = Int64Field(object, "last_updated_timestamp");
  model.user_id = StringField(object, "user_id");
  model.description = StringField(object, "description");
  if (const json* versions = Field(object, "latest_versions")) {
    for (const json& version : *versions) {
      model.latest_versions.push_back(ModelVersionFromJson(version));
    }
  }
  model.tags = TagsFromJson(object, "tags");
  if (const json* aliases = Field(object, "aliases")) {
    for (const json& alias : *aliases) {
      model.aliases.push_back(
          ModelAlias{StringField(alias, "alias"), Int64Field(alias, "version")});
    }
  }
  return model;
}

}  // namespace leanops::track
