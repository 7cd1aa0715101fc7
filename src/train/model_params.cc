#include "train/model_params.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <vector>

#include "core/error.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

enum class ValueKind { kInt, kNumber, kString, kFeatures };

struct ParamDef {
  const char* name;
  ValueKind kind;
  Json default_value;        // null: left to XGBoost
  const char* xgboost_name;  // nullptr: not passed through as is
};

const std::vector<ParamDef>& DefsOf(ModelType type) {
  static const std::vector<ParamDef> xgboost = {
      {"n_estimators", ValueKind::kInt, 100, nullptr},
      {"max_depth", ValueKind::kInt, 6, "max_depth"},
      {"learning_rate", ValueKind::kNumber, 0.3, "eta"},
      {"subsample", ValueKind::kNumber, 1.0, "subsample"},
      {"colsample_bytree", ValueKind::kNumber, 1.0, "colsample_bytree"},
      {"colsample_bylevel", ValueKind::kNumber, 1.0, "colsample_bylevel"},
      {"colsample_bynode", ValueKind::kNumber, 1.0, "colsample_bynode"},
      {"min_child_weight", ValueKind::kNumber, 1.0, "min_child_weight"},
      {"gamma", ValueKind::kNumber, 0.0, "gamma"},
      {"reg_lambda", ValueKind::kNumber, 1.0, "lambda"},
      {"reg_alpha", ValueKind::kNumber, 0.0, "alpha"},
      {"max_bin", ValueKind::kInt, 256, "max_bin"},
      {"max_leaves", ValueKind::kInt, 0, "max_leaves"},
      {"grow_policy", ValueKind::kString, "depthwise", "grow_policy"},
      {"tree_method", ValueKind::kString, "hist", "tree_method"},
      {"scale_pos_weight", ValueKind::kNumber, 1.0, "scale_pos_weight"},
      {"max_delta_step", ValueKind::kNumber, 0.0, "max_delta_step"},
      {"eval_metric", ValueKind::kString, nullptr, "eval_metric"},
  };
  static const std::vector<ParamDef> forest = {
      {"n_estimators", ValueKind::kInt, 40, "num_parallel_tree"},
      {"max_depth", ValueKind::kInt, 8, "max_depth"},
      {"max_features", ValueKind::kFeatures, "sqrt", nullptr},
      {"max_samples", ValueKind::kNumber, 0.2, "subsample"},
      {"min_child_weight", ValueKind::kNumber, 1.0, "min_child_weight"},
      {"reg_lambda", ValueKind::kNumber, 1e-5, "lambda"},
      {"max_bin", ValueKind::kInt, 64, "max_bin"},
  };
  static const std::vector<ParamDef> linear = {{"alpha", ValueKind::kNumber, 1.0, nullptr}};
  static const std::vector<ParamDef> logistic = {{"C", ValueKind::kNumber, 1.0, nullptr},
                                                 {"max_iter", ValueKind::kInt, 100, nullptr},
                                                 {"tol", ValueKind::kNumber, 1e-6, nullptr}};
  switch (type) {
    case ModelType::kXGBoost:
      return xgboost;
    case ModelType::kRandomForest:
      return forest;
    case ModelType::kLinear:
      return linear;
    case ModelType::kLogistic:
      break;
  }
  return logistic;
}

// Names every model type accepts besides its own.
const std::vector<std::string> kCommon = {"seed", "random_state", "n_jobs"};

void CheckValue(const ParamDef& def, const Json& value, const std::string& where) {
  bool ok = false;
  switch (def.kind) {
    case ValueKind::kInt:
      ok = value.is_number_integer();
      break;
    case ValueKind::kNumber:
      ok = value.is_number();
      break;
    case ValueKind::kString:
      ok = value.is_string();
      break;
    case ValueKind::kFeatures:
      ok = value.is_number() || (value.is_string() && (value == "sqrt" || value == "log2"));
      break;
  }
  if (!ok) {
    const char* expected = def.kind == ValueKind::kInt      ? "a whole number"
                           : def.kind == ValueKind::kNumber ? "a number"
                           : def.kind == ValueKind::kString
                               ? "a string"
                               : "\"sqrt\", \"log2\", a fraction or a count";
    ThrowData("{}: expected {}, not {}", where, expected, value.dump());
  }
  if (value.is_number() && value.get<double>() < 0)
    ThrowData("{}: must not be negative, not {}", where, value.dump());
}

std::string Text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return fmt::format("{}", value.get<double>());
  return value.dump();
}

double FeatureFraction(const Json& value, int num_features) {
  double n = std::max(1, num_features);
  if (value == "sqrt") return std::max(1.0, std::floor(std::sqrt(n))) / n;
  if (value == "log2") return std::max(1.0, std::floor(std::log2(n))) / n;
  if (value.is_number_integer() && value.get<int64_t>() >= 1)
    return std::min(1.0, static_cast<double>(value.get<int64_t>()) / n);
  return std::clamp(value.get<double>(), 1e-9, 1.0);
}

}  // namespace

Json EffectiveParams(const TrainConfig& config, const std::string& source, int num_features) {
  const std::vector<ParamDef>& defs = DefsOf(config.model.type);
  const Json& given = config.model.params;
  std::vector<std::string> accepted;
  for (const ParamDef& def : defs) accepted.push_back(def.name);
  accepted.insert(accepted.end(), kCommon.begin(), kCommon.end());
  for (const auto& [key, value] : given.items()) {
    std::string name =
        key == "eta" && config.model.type == ModelType::kXGBoost ? "learning_rate" : key;
    if (std::find(accepted.begin(), accepted.end(), name) == accepted.end())
      ThrowData("{}: model.{}: not a hyperparameter of model type {} (accepted: {})", source, key,
                ModelTypeName(config.model.type), fmt::join(accepted, ", "));
  }
  if (given.contains("seed") && given.contains("random_state"))
    ThrowData("{}: model: give seed or random_state, not both", source);
  Json params = Json::object();
  for (const ParamDef& def : defs) {
    Json value = def.default_value;
    if (given.contains(def.name)) {
      value = given[def.name];
    } else if (std::string_view(def.name) == "learning_rate" && given.contains("eta")) {
      value = given["eta"];
    }
    if (value.is_null()) continue;
    CheckValue(def, value, fmt::format("{}: model.{}", source, def.name));
    params[def.name] = value;
  }
  Json seed = given.contains("seed")           ? given["seed"]
              : given.contains("random_state") ? given["random_state"]
                                               : Json(config.seed);
  if (!seed.is_number_integer() || seed.get<int64_t>() < 0)
    ThrowData("{}: model.seed: expected a whole number >= 0, not {}", source, seed.dump());
  params["seed"] = seed;
  if (given.contains("n_jobs")) {
    if (!given["n_jobs"].is_number_integer())
      ThrowData("{}: model.n_jobs: expected a whole number", source);
    params["n_jobs"] = given["n_jobs"];
  }
  if (config.model.type == ModelType::kRandomForest)
    params["colsample_bynode"] = FeatureFraction(params["max_features"], num_features);
  return params;
}

BoosterPlan PlanBooster(const TrainConfig& config, Task task, int num_classes, int num_features,
                        int jobs) {
  Json params = EffectiveParams(config, "config", num_features);
  BoosterPlan plan;
  auto add = [&](const std::string& key, const std::string& value) {
    plan.params.emplace_back(key, value);
  };
  switch (task) {
    case Task::kBinary:
      add("objective", "binary:logistic");
      break;
    case Task::kMulticlass:
      add("objective", "multi:softprob");
      add("num_class", std::to_string(num_classes));
      break;
    case Task::kRegression:
      add("objective", "reg:squarederror");
      break;
  }
  for (const ParamDef& def : DefsOf(config.model.type)) {
    if (def.xgboost_name && params.contains(def.name))
      add(def.xgboost_name, Text(params[def.name]));
  }
  if (config.model.type == ModelType::kRandomForest) {
    add("tree_method", "hist");
    add("eta", "1");
    add("colsample_bynode", Text(params["colsample_bynode"]));
    plan.rounds = 1;
    plan.forest = true;
  } else {
    plan.rounds = params["n_estimators"].get<int>();
  }
  add("seed", Text(params["seed"]));
  int threads = params.contains("n_jobs") ? params["n_jobs"].get<int>() : jobs;
  add("nthread", std::to_string(threads > 0 ? threads : jobs));
  add("verbosity", "0");
  return plan;
}

LinearPlan PlanLinear(const TrainConfig& config) {
  Json params = EffectiveParams(config, "config", 0);
  LinearPlan plan;
  if (config.model.type == ModelType::kLinear) {
    plan.alpha = params["alpha"].get<double>();
  } else {
    plan.c = params["C"].get<double>();
    plan.max_iter = params["max_iter"].get<int>();
    plan.tol = params["tol"].get<double>();
    if (plan.c <= 0) ThrowData("model.C: must be above 0");
  }
  return plan;
}

}  // namespace leanops::train
