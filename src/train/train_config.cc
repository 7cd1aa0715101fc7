#include "train/train_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_system.h"
#include "core/strings.h"
#include "pipeline/params_file.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

std::string String(const Json& value, const std::string& where) {
  if (!value.is_string()) ThrowData("{}: expected a string, not {}", where, value.dump());
  return value.get<std::string>();
}

// One string or a list of them.
std::vector<std::string> Strings(const Json& value, const std::string& where) {
  if (value.is_string()) return {value.get<std::string>()};
  if (!value.is_array()) ThrowData("{}: expected a string or a list of strings", where);
  std::vector<std::string> strings;
  for (const Json& item : value) strings.push_back(String(item, where));
  return strings;
}

Task ParseTask(const Json& value, const std::string& where) {
  std::string name = String(value, where);
  if (name == "binary") return Task::kBinary;
  if (name == "multiclass") return Task::kMulticlass;
  if (name == "regression") return Task::kRegression;
  ThrowData("{}: '{}' is not one of: binary, multiclass, regression", where, name);
}

SplitConfig ParseSplit(const Json& json, const std::string& where) {
  CheckKeys(json, {"method", "test_size", "stratify", "folds"}, where);
  SplitConfig split;
  if (json.contains("method")) {
    std::string method = String(json["method"], where + ".method");
    if (method == "kfold") {
      split.method = SplitConfig::Method::kKFold;
    } else if (method != "holdout") {
      ThrowData("{}.method: '{}' is not one of: holdout, kfold", where, method);
    }
  }
  if (json.contains("test_size")) {
    const Json& v = json["test_size"];
    if (!v.is_number() || v.get<double>() <= 0 || v.get<double>() >= 1)
      ThrowData("{}.test_size: expected a fraction between 0 and 1, not {}", where, v.dump());
    split.test_size = v.get<double>();
  }
  if (json.contains("stratify")) {
    if (!json["stratify"].is_boolean()) ThrowData("{}.stratify: expected true or false", where);
    split.stratify = json["stratify"].get<bool>();
  }
  if (json.contains("folds")) {
    const Json& v = json["folds"];
    if (!v.is_number_integer() || v.get<int64_t>() < 2 || v.get<int64_t>() > 100)
      ThrowData("{}.folds: expected a whole number from 2 to 100, not {}", where, v.dump());
    split.folds = v.get<int>();
  }
  return split;
}

DataConfig ParseData(const Json& json, const std::string& where) {
  CheckKeys(json,
            {"train", "test", "target", "task", "id_columns", "ignore_columns", "weight_column",
             "types", "split"},
            where);
  DataConfig data;
  if (json.contains("train")) data.train = Strings(json["train"], where + ".train");
  if (json.contains("test")) data.test = String(json["test"], where + ".test");
  if (json.contains("target")) data.target = String(json["target"], where + ".target");
  if (json.contains("task")) data.task = ParseTask(json["task"], where + ".task");
  if (json.contains("id_columns"))
    data.id_columns = Strings(json["id_columns"], where + ".id_columns");
  if (json.contains("ignore_columns"))
    data.ignore_columns = Strings(json["ignore_columns"], where + ".ignore_columns");
  if (json.contains("weight_column"))
    data.weight_column = String(json["weight_column"], where + ".weight_column");
  if (json.contains("types")) {
    const Json& types = json["types"];
    if (!types.is_object()) ThrowData("{}.types: expected a mapping of column: type", where);
    for (const auto& [column, type] : types.items()) {
      std::string name = String(type, where + ".types." + column);
      std::optional<table::ColumnType> t = table::ColumnTypeFromName(name);
      if (!t)
        ThrowData("{}.types.{}: '{}' is not one of: int64, float64, bool, string, date, timestamp",
                  where, column, name);
      data.types.emplace(column, *t);
    }
  }
  if (json.contains("split")) data.split = ParseSplit(json["split"], where + ".split");
  return data;
}

FeaturesConfig ParseFeatures(const Json& json, const std::string& where) {
  CheckKeys(json, {"auto", "numeric", "categorical", "datetime"}, where);
  FeaturesConfig features;
  features.given = true;
  features.auto_infer = false;
  if (json.contains("auto")) {
    if (!json["auto"].is_boolean()) ThrowData("{}.auto: expected true or false", where);
    features.auto_infer = json["auto"].get<bool>();
  }
  std::vector<std::string> seen;
  for (FeatureKind kind :
       {FeatureKind::kNumeric, FeatureKind::kCategorical, FeatureKind::kDatetime}) {
    std::string key(FeatureKindName(kind));
    if (!json.contains(key)) continue;
    const Json& columns = json[key];
    std::string at = where + "." + key;
    // A list names columns with default options; a mapping gives options.
    if (columns.is_array()) {
      for (const Json& column : columns) {
        std::string name = String(column, at);
        features.specs.push_back(ParseFeatureSpec(name, kind, nullptr, at + "." + name));
      }
    } else if (columns.is_object()) {
      for (const auto& [name, options] : columns.items())
        features.specs.push_back(ParseFeatureSpec(name, kind, options, at + "." + name));
    } else if (!columns.is_null()) {
      ThrowData("{}: expected a list of columns or a mapping of column: options", at);
    }
  }
  for (const FeatureSpec& spec : features.specs) {
    if (std::find(seen.begin(), seen.end(), spec.column) != seen.end())
      ThrowData("{}: column '{}' is listed twice", where, spec.column);
    seen.push_back(spec.column);
  }
  return features;
}

}  // namespace

void CheckKeys(const Json& object, const std::vector<std::string>& accepted,
               const std::string& where) {
  if (!object.is_object()) ThrowData("{}: expected a mapping, not {}", where, object.dump());
  for (const auto& [key, value] : object.items()) {
    if (std::find(accepted.begin(), accepted.end(), key) == accepted.end())
      ThrowData("{}.{}: unknown key (accepted: {})", where, key, fmt::join(accepted, ", "));
  }
}

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary:
      return "binary";
    case Task::kMulticlass:
      return "multiclass";
    case Task::kRegression:
      break;
  }
  return "regression";
}

std::string_view ModelTypeName(ModelType type) {
  switch (type) {
    case ModelType::kXGBoost:
      return "xgboost";
    case ModelType::kRandomForest:
      return "random_forest";
    case ModelType::kLinear:
      return "linear";
    case ModelType::kLogistic:
      break;
  }
  return "logistic";
}

std::optional<ModelType> ModelTypeFromName(std::string_view name) {
  for (ModelType type :
       {ModelType::kXGBoost, ModelType::kRandomForest, ModelType::kLinear, ModelType::kLogistic})
    if (ModelTypeName(type) == name) return type;
  return std::nullopt;
}

void SetConfigValue(Json& document, const std::string& dotted, Json value) {
  Json* at = &document;
  std::vector<std::string> keys = Split(dotted, '.', true);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) ThrowUsage("'{}': empty key", dotted);
    if (!at->is_object()) {
      if (!at->is_null()) ThrowUsage("'{}': '{}' is not a mapping", dotted, keys[i - 1]);
      *at = Json::object();
    }
    at = &(*at)[keys[i]];
  }
  *at = std::move(value);
}

Json LoadConfigDocument(const std::string& path, const std::string& section,
                        const std::vector<std::string>& overrides) {
  Json document = Json::object();
  if (!path.empty()) {
    std::string abs = std::filesystem::absolute(path).lexically_normal().string();
    std::optional<Json> loaded = LoadParamsFile(RealFs(), abs, path);
    if (!loaded) ThrowData("config file '{}' does not exist", path);
    document = std::move(*loaded);
    if (!section.empty()) {
      const Json* part = FindDotted(document, section);
      if (!part) ThrowData("{}: has no section '{}'", path, section);
      document = *part;
    }
    if (document.is_null()) document = Json::object();
    if (!document.is_object()) ThrowData("{}: expected a mapping of data, features, model", path);
  }
  for (const std::string& text : overrides) {
    size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      ThrowUsage("--set {}: expected KEY=VALUE, such as model.max_depth=8", text);
    // The value is parsed as a one-line YAML document named "value"; its
    // errors are reported against the flag instead.
    Json value;
    try {
      value = ParseParamsText(text.substr(eq + 1), "value");
    } catch (const Error& e) {
      std::string_view why = e.what();
      if (why.starts_with("value:")) why.remove_prefix(6);
      ThrowUsage("--set {}: the value is not valid YAML ({})", text, why);
    }
    SetConfigValue(document, text.substr(0, eq), std::move(value));
  }
  return document;
}

TrainConfig ParseTrainConfig(const Json& document, const std::string& source) {
  CheckKeys(document, {"data", "features", "model", "seed"}, source);
  TrainConfig config;
  if (document.contains("data")) config.data = ParseData(document["data"], source + ": data");
  if (document.contains("features") && !document["features"].is_null())
    config.features = ParseFeatures(document["features"], source + ": features");
  if (document.contains("model")) {
    const Json& model = document["model"];
    if (!model.is_object()) ThrowData("{}: model: expected a mapping", source);
    for (const auto& [key, value] : model.items()) {
      if (key == "type") {
        std::string name = String(value, source + ": model.type");
        std::optional<ModelType> type = ModelTypeFromName(name);
        if (!type)
          ThrowData("{}: model.type: '{}' is not one of: xgboost, random_forest, linear, logistic",
                    source, name);
        config.model.type = *type;
      } else {
        config.model.params[key] = value;
      }
    }
  }
  if (document.contains("seed")) {
    const Json& seed = document["seed"];
    if (!seed.is_number_integer() || seed.get<int64_t>() < 0)
      ThrowData("{}: seed: expected a whole number >= 0", source);
    config.seed = seed.get<uint64_t>();
  }
  return config;
}

}  // namespace leanops::train
