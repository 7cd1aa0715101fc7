// The linear and logistic models (linear.h) behind the one interface the
// trainer and the scorer use.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "train/booster.h"
#include "train/model_params.h"
#include "train/train_config.h"

namespace leanops::train {

class LinearEstimator {
 public:
  virtual ~LinearEstimator() = default;

  /// Fits ridge (ModelType::kLinear, regression) or L2 logistic regression
  /// (kLogistic, binary or multiclass with `num_classes`) on `x`; labels are
  /// class indexes for classification. Throws kData when the task does not
  /// suit the model type or the data has NaN (impute first).
  static std::unique_ptr<LinearEstimator> Fit(ModelType type, Task task, const LinearPlan& plan,
                                              const Matrix<double>& x, std::span<const double> y,
                                              std::span<const double> weights, int num_classes);
  static std::unique_ptr<LinearEstimator> FromJson(const nlohmann::ordered_json& json,
                                                   const std::string& source);

  /// Per row: the value (ridge), the probability of class 1 (binary), or
  /// each class's probability (multiclass, row-major).
  virtual std::vector<double> Predict(const Matrix<double>& x) const = 0;
  virtual nlohmann::ordered_json ToJson() const = 0;
  /// Whether the solver met its tolerance (always true for ridge).
  virtual bool converged() const = 0;
};

}  // namespace leanops::train
