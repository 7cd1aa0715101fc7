// The training config: what `leanops train --config train.yaml` reads.
//
//   data:
//     train: data/train.csv          # one file or a list (same columns)
//     test: data/test.csv            # optional: evaluate on this file instead of a split
//     target: churned
//     task: binary                   # binary | multiclass | regression (inferred when absent)
//     id_columns: [customer_id]      # never features
//     ignore_columns: []
//     weight_column: weight          # optional sample weights
//     types: {zip: string}           # optional: column types for the CSV reader
//     split: {method: holdout, test_size: 0.2, stratify: true}   # or {method: kfold, folds: 5}
//   features:                        # absent: inferred from the column types
//     auto: false                    # also infer the columns not listed (default false)
//     numeric: {age: {impute: median, scale: standard}, income: {log1p: true}}
//     categorical: {plan: {encode: onehot}}
//     datetime: {signup_date: {parts: [month, day_of_week]}}
//   model:
//     type: xgboost                  # xgboost | random_forest | linear | logistic
//     n_estimators: 200              # hyperparameters, by their scikit-learn/XGBoost names
//     max_depth: 6
//   seed: 42                         # splits and models (model.seed/random_state win)
//
// The config may be one section of a larger file (params.yaml's `train:`),
// so that `leanops repro` tracks its values as DVC params. Keys are checked:
// an unknown key is an error listing the accepted ones.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "table/table.h"
#include "train/features.h"

namespace leanops::train {

enum class Task { kBinary, kMulticlass, kRegression };
enum class ModelType { kXGBoost, kRandomForest, kLinear, kLogistic };

std::string_view TaskName(Task task);            // "binary", "multiclass", "regression"
std::string_view ModelTypeName(ModelType type);  // "xgboost", "random_forest", ...
std::optional<ModelType> ModelTypeFromName(std::string_view name);

struct SplitConfig {
  enum class Method { kHoldout, kKFold };
  Method method = Method::kHoldout;
  double test_size = 0.2;
  bool stratify = true;  // classification only
  int folds = 5;
};

struct DataConfig {
  std::vector<std::string> train;
  std::string test;
  std::string target;
  std::optional<Task> task;
  std::vector<std::string> id_columns;
  std::vector<std::string> ignore_columns;
  std::string weight_column;
  std::map<std::string, table::ColumnType, std::less<>> types;
  SplitConfig split;
};

struct FeaturesConfig {
  bool given = false;      // the config has a features section
  bool auto_infer = true;  // infer the columns not listed
  std::vector<FeatureSpec> specs;
};

struct ModelConfig {
  ModelType type = ModelType::kXGBoost;
  /// Hyperparameters as written (checked against the model type by
  /// model_params.h).
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
};

struct TrainConfig {
  DataConfig data;
  FeaturesConfig features;
  ModelConfig model;
  uint64_t seed = 42;
};

/// The config as a JSON document, before it is checked: the file (or its
/// `section`, a dotted key such as "train"), with `overrides` ("model.max_depth=8",
/// values read as YAML scalars) applied. An empty path starts from an empty
/// document, for flags-only training.
nlohmann::ordered_json LoadConfigDocument(const std::string& path, const std::string& section,
                                          const std::vector<std::string>& overrides);

/// Sets the dotted key ("model.max_depth") of a config document, making
/// mappings on the way; kUsage when a key on the way holds a value.
void SetConfigValue(nlohmann::ordered_json& document, const std::string& dotted,
                    nlohmann::ordered_json value);

/// kData unless `object` is a mapping whose keys are all `accepted`; the
/// error names `where`.key and lists what is accepted.
void CheckKeys(const nlohmann::ordered_json& object, const std::vector<std::string>& accepted,
               const std::string& where);

/// Checks and reads a config document; `source` names it in errors
/// ("train.yaml: model.max_depth: ...").
TrainConfig ParseTrainConfig(const nlohmann::ordered_json& document, const std::string& source);

}  // namespace leanops::train
