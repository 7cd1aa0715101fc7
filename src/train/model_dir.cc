#include "train/model_dir.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_system.h"
#include "core/md5.h"
#include "leanops_version.h"
#include "table/value_format.h"
#include "train/linear_estimator.h"
#include "train/xgboost_library.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kFormatVersion = 1;
constexpr const char* kBoosterFile = "model.xgb";
constexpr const char* kStateFile = "leanops.json";
constexpr const char* kExampleFile = "input_example.json";

// MLflow's column types (mlflow/types/schema.py DataType).
const char* MlflowType(table::ColumnType type) {
  switch (type) {
    case table::ColumnType::kInt64:
      return "long";
    case table::ColumnType::kFloat64:
      return "double";
    case table::ColumnType::kBool:
      return "boolean";
    case table::ColumnType::kString:
      return "string";
    case table::ColumnType::kDate:
    case table::ColumnType::kTimestamp:
      break;
  }
  return "datetime";
}

Json CellJson(const table::Column& column, size_t row) {
  if (column.IsNull(row)) return nullptr;
  switch (column.type()) {
    case table::ColumnType::kInt64:
      return column.int64s()[row];
    case table::ColumnType::kFloat64: {
      double v = column.float64s()[row];
      return std::isfinite(v) ? Json(v) : Json(nullptr);
    }
    case table::ColumnType::kBool:
      return column.bools()[row] != 0;
    case table::ColumnType::kString:
      return std::string(column.StringAt(row));
    case table::ColumnType::kDate:
      return table::FormatDate(column.int64s()[row]);
    case table::ColumnType::kTimestamp:
      return table::FormatTimestamp(column.int64s()[row]);
  }
  return nullptr;
}

// pandas' "split" orient, which MLflow's input examples use.
Json ExampleJson(const table::Table& example) {
  Json columns = Json::array(), data = Json::array();
  for (const table::Column& c : example.columns()) columns.push_back(c.name());
  for (size_t r = 0; r < example.num_rows(); ++r) {
    Json row = Json::array();
    for (const table::Column& c : example.columns()) row.push_back(CellJson(c, r));
    data.push_back(std::move(row));
  }
  return {{"columns", columns}, {"data", data}};
}

// YAML single-quoted scalar: no escapes but '' for '.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A column schema as MLflow writes it: Python's json.dumps, which puts a
// space after each ':' and ','.
std::string SchemaText(const std::vector<std::pair<std::string, const char*>>& columns) {
  std::string text = "[";
  for (const auto& [name, type] : columns) {
    if (text.size() > 1) text += ", ";
    text +=
        fmt::format(R"({{"type": "{}", "name": {}, "required": true}})", type, Json(name).dump());
  }
  return text + "]";
}

std::string SignatureInputs(const TrainedModel& model) {
  std::vector<std::pair<std::string, const char*>> columns;
  for (const InputColumn& c : model.inputs()) columns.emplace_back(c.name, MlflowType(c.type));
  return SchemaText(columns);
}

std::string SignatureOutputs(const TrainedModel& model) {
  std::vector<std::pair<std::string, const char*>> columns;
  if (model.task == Task::kRegression) {
    columns.emplace_back("prediction", "double");
  } else {
    columns.emplace_back("prediction", "string");
    if (model.task == Task::kBinary) {
      columns.emplace_back("probability", "double");
    } else {
      for (const std::string& c : model.classes) columns.emplace_back("probability_" + c, "double");
    }
  }
  return SchemaText(columns);
}

std::string UtcTime(int64_t seconds) {
  using namespace std::chrono;
  sys_seconds t{std::chrono::seconds{seconds}};
  sys_days day = floor<days>(t);
  hh_mm_ss hms{t - day};
  return fmt::format("{} {:02}:{:02}:{:02}.000000",
                     table::FormatDate(day.time_since_epoch().count()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

// A UUID-shaped id from the model's bytes: the same model gets the same id.
std::string ModelUuid(const std::string& booster, const std::string& state) {
  return Md5Hex(Md5Hex(booster) + Md5Hex(state));
}

std::string MlmodelText(const TrainedModel& model, const ModelDirMeta& meta,
                        const std::string& uuid) {
  std::string y;
  if (!meta.artifact_path.empty()) y += "artifact_path: " + meta.artifact_path + "\n";
  y += "flavors:\n";
  y += "  leanops:\n";
  y += fmt::format("    data: {}\n", kStateFile);
  y += fmt::format("    leanops_version: {}\n", LEANOPS_VERSION);
  y += fmt::format("    model_type: {}\n", ModelTypeName(model.type));
  y += fmt::format("    task: {}\n", TaskName(model.task));
  if (model.booster) {
    y += "  xgboost:\n";
    y += "    code: null\n";
    y += fmt::format("    data: {}\n", kBoosterFile);
    y += "    model_class: xgboost.core.Booster\n";
    y += "    model_format: xgb\n";
    y += fmt::format("    xgb_version: {}\n", XGBoostVersion());
  }
  y += "model_uuid: " + uuid + "\n";
  if (!meta.run_id.empty()) y += "run_id: " + meta.run_id + "\n";
  if (meta.example) {
    y += "saved_input_example_info:\n";
    y += fmt::format("  artifact_path: {}\n", kExampleFile);
    y += "  pandas_orient: split\n";
    y += "  type: dataframe\n";
  }
  y += "signature:\n";
  y += "  inputs: " + Quoted(SignatureInputs(model)) + "\n";
  y += "  outputs: " + Quoted(SignatureOutputs(model)) + "\n";
  y += "  params: null\n";
  y += "utc_time_created: " + Quoted(UtcTime(meta.created_seconds)) + "\n";
  return y;
}

Json StateJson(const TrainedModel& model) {
  Json state = {{"format_version", kFormatVersion},
                {"task", TaskName(model.task)},
                {"model_type", ModelTypeName(model.type)},
                {"target", model.target},
                {"classes", model.classes},
                {"params", model.params},
                {"transforms", model.features.ToJson()}};
  if (model.booster) {
    state["estimator"] = {{"kind", "xgboost"}, {"data", kBoosterFile}};
  } else {
    state["estimator"] = {{"kind", "linear"}, {"model", model.linear->ToJson()}};
  }
  return state;
}

Task TaskFromName(const std::string& name, const std::string& source) {
  if (name == "binary") return Task::kBinary;
  if (name == "multiclass") return Task::kMulticlass;
  if (name == "regression") return Task::kRegression;
  ThrowData("{}: unknown task '{}'", source, name);
}

// A booster file alone: its objective tells the task; classes are 0..K-1.
TrainedModel BareModel(const std::string& path) {
  TrainedModel model;
  model.booster = Booster::Load(RealFs().ReadFile(path), path);
  model.bare = true;
  std::string objective = model.booster->Objective();
  if (objective.starts_with("binary:")) {
    model.task = Task::kBinary;
    model.classes = {"0", "1"};
  } else if (objective == "multi:softprob") {
    model.task = Task::kMulticlass;
    for (size_t i = 0; i < model.booster->outputs_per_row(); ++i)
      model.classes.push_back(std::to_string(i));
  } else {
    model.task = Task::kRegression;
  }
  return model;
}

TrainedModel LoadDir(const std::string& dir) {
  std::string state_path = dir + "/" + kStateFile;
  if (!RealFs().Stat(state_path).is_file()) {
    // An MLflow model from elsewhere: its xgboost flavor alone.
    std::string booster_path = dir + "/" + kBoosterFile;
    if (RealFs().Stat(booster_path).is_file()) return BareModel(booster_path);
    ThrowData("'{}' is not a leanops model directory (it has no {})", dir, kStateFile);
  }
  Json state;
  try {
    state = Json::parse(RealFs().ReadFile(state_path));
  } catch (const Json::parse_error& e) {
    ThrowData("{}: not valid JSON: {}", state_path, e.what());
  }
  TrainedModel model;
  try {
    if (state.at("format_version").get<int>() > kFormatVersion)
      ThrowData("{}: written by a newer leanops (format {}); upgrade leanops", state_path,
                state.at("format_version").get<int>());
    model.task = TaskFromName(state.at("task").get<std::string>(), state_path);
    std::optional<ModelType> type = ModelTypeFromName(state.at("model_type").get<std::string>());
    if (!type) ThrowData("{}: unknown model type", state_path);
    model.type = *type;
    model.target = state.at("target").get<std::string>();
    model.classes = state.at("classes").get<std::vector<std::string>>();
    model.params = state.at("params");
    model.features = FeatureTransform::FromJson(state.at("transforms"), state_path);
    const Json& estimator = state.at("estimator");
    if (estimator.at("kind") == "xgboost") {
      std::string path = dir + "/" + estimator.at("data").get<std::string>();
      if (!RealFs().Stat(path).is_file()) ThrowData("'{}' is missing from the model", path);
      model.booster = Booster::Load(RealFs().ReadFile(path), path);
    } else {
      model.linear = LinearEstimator::FromJson(estimator.at("model"), state_path);
    }
  } catch (const Json::exception& e) {
    ThrowData("{}: malformed model state: {}", state_path, e.what());
  }
  return model;
}

}  // namespace

void SaveModelDir(const TrainedModel& model, const std::string& dir, const ModelDirMeta& meta) {
  FileSystem& fs = RealFs();
  std::string booster_bytes = model.booster ? model.booster->Save() : "";
  std::string state = StateJson(model).dump(2) + "\n";
  std::string tmp = TempNameFor(dir);
  fs.RemoveAll(tmp);
  fs.MakeDirs(tmp);
  try {
    if (model.booster) fs.WriteFileAtomic(tmp + "/" + kBoosterFile, booster_bytes);
    fs.WriteFileAtomic(tmp + "/" + kStateFile, state);
    if (meta.example)
      fs.WriteFileAtomic(tmp + "/" + kExampleFile, ExampleJson(*meta.example).dump() + "\n");
    fs.WriteFileAtomic(tmp + "/MLmodel", MlmodelText(model, meta, ModelUuid(booster_bytes, state)));
    fs.SyncDir(tmp);
    // Swap the new directory in; the old one is removed only after.
    std::string old = TempNameFor(dir);
    bool had_old = fs.Stat(dir).exists();
    if (had_old) fs.Rename(dir, old);
    fs.Rename(tmp, dir);
    if (had_old) fs.RemoveAll(old);
  } catch (...) {
    fs.RemoveAll(tmp);
    throw;
  }
}

TrainedModel LoadModel(const std::string& path) {
  FileInfo info = RealFs().StatFollow(path);
  if (info.is_dir()) return LoadDir(path);
  if (!info.is_file()) ThrowData("model '{}' does not exist", path);
  return BareModel(path);
}

}  // namespace leanops::train
