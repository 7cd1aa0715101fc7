#include "train/linear_estimator.h"

#include <cmath>

#include "core/error.h"
#include "train/linear.h"

namespace leanops::train {
namespace {

Features View(const Matrix<double>& x) { return {x.values, x.rows, x.cols}; }

void RequireFinite(const Matrix<double>& x) {
  for (double v : x.values)
    if (!std::isfinite(v))
      ThrowData(
          "linear models need every feature value: impute the nulls (impute: median) "
          "and clip or transform infinite values");
}

class Fitted : public LinearEstimator {
 public:
  Fitted(LinearModel model, bool converged) : model_(std::move(model)), converged_(converged) {}

  std::vector<double> Predict(const Matrix<double>& x) const override {
    RequireFinite(x);
    if (model_.kind == LinearKind::kRidge) return PredictValues(model_, View(x));
    std::vector<double> proba = PredictProba(model_, View(x));
    if (model_.num_classes != 2) return proba;
    // Binary: the probability of the second class, as the booster gives it.
    std::vector<double> positive(x.rows);
    for (size_t r = 0; r < x.rows; ++r) positive[r] = proba[r * 2 + 1];
    return positive;
  }
  nlohmann::ordered_json ToJson() const override { return LinearModelToJson(model_); }
  bool converged() const override { return converged_; }

 private:
  LinearModel model_;
  bool converged_;
};

}  // namespace

std::unique_ptr<LinearEstimator> LinearEstimator::Fit(
    ModelType type, Task task, const LinearPlan& plan, const Matrix<double>& x,
    std::span<const double> y, std::span<const double> weights, int num_classes) {
  RequireFinite(x);
  if (type == ModelType::kLinear) {
    if (task != Task::kRegression)
      ThrowData("model type 'linear' is for regression; use 'logistic' for a {} task",
                TaskName(task));
    return std::make_unique<Fitted>(FitRidge(View(x), y, plan.alpha, weights), true);
  }
  if (task == Task::kRegression)
    ThrowData("model type 'logistic' is for classification; use 'linear' for regression");
  LogisticOptions options;
  options.c = plan.c;
  options.tol = plan.tol;
  options.max_iter = plan.max_iter;
  LogisticFit fit = FitLogistic(View(x), y, static_cast<size_t>(num_classes), options, weights);
  return std::make_unique<Fitted>(std::move(fit.model), fit.converged);
}

std::unique_ptr<LinearEstimator> LinearEstimator::FromJson(const nlohmann::ordered_json& json,
                                                           const std::string& source) {
  try {
    return std::make_unique<Fitted>(LinearModelFromJson(json), true);
  } catch (const Error& e) {
    ThrowData("{}: {}", source, e.what());
  }
}

}  // namespace leanops::train
