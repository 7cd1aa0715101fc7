// A trained model: the fitted feature transforms, one estimator (an XGBoost
// booster or a linear model) and what is needed to read its output (task,
// classes). Scoring takes raw rows, as they come from the CSV.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "table/table.h"
#include "train/booster.h"
#include "train/features.h"
#include "train/train_config.h"

namespace leanops::train {

class LinearEstimator;  // linear_estimator.h

/// Model outputs for a table's rows, in row order.
struct Predictions {
  size_t rows = 0;
  /// Values per row: the class count for multiclass, else 1.
  size_t width = 1;
  /// The probability of the second class (binary), each class's probability
  /// (multiclass, row-major), or the predicted value (regression).
  std::vector<double> values;
  /// Classification: the index into TrainedModel::classes of each row's
  /// predicted class (binary: probability >= threshold).
  std::vector<uint32_t> labels;
  /// The values are float32 (a booster's output) held as doubles: print
  /// them as floats, which is all the precision they have.
  bool single_precision = false;
};

class TrainedModel {
 public:
  TrainedModel();
  ~TrainedModel();
  TrainedModel(TrainedModel&&) noexcept;
  TrainedModel& operator=(TrainedModel&&) noexcept;

  Task task = Task::kBinary;
  ModelType type = ModelType::kXGBoost;
  std::string target;
  /// Classification: the class values as text, sorted (numbers numerically);
  /// label i of the estimator is classes[i].
  std::vector<std::string> classes;
  FeatureTransform features;
  /// Effective hyperparameters (model_params.h), for the record.
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  std::optional<Booster> booster;           // xgboost, random_forest
  std::unique_ptr<LinearEstimator> linear;  // linear, logistic
  /// A bare booster loaded from a file XGBoost wrote elsewhere: features
  /// are the input's columns, taken by the booster's feature names (or in
  /// file order when it has none), with no transforms.
  bool bare = false;

  /// Checks that `table` has every input column with its training type;
  /// throws kData listing every missing or mistyped column.
  void CheckSignature(const table::Table& table) const;

  /// Scores `rows` of `table` (every row when empty), after CheckSignature.
  /// `threshold` makes binary labels.
  Predictions Predict(const table::Table& table, std::span<const uint32_t> rows, int jobs,
                      double threshold = 0.5) const;

  /// The raw input columns (name and training type).
  std::vector<InputColumn> inputs() const;

 private:
  Matrix<float> BareFeatures(const table::Table& table, std::span<const uint32_t> rows) const;
  Predictions FromOutputs(std::vector<double> values, size_t rows, double threshold) const;
};

}  // namespace leanops::train
