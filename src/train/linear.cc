// Ridge, prediction and the JSON form; the logistic fit is in logistic.cc.
#include "train/linear.h"

#include <Eigen/Dense>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "train/linear_internal.h"

namespace leanops::train {

ConstRowMap CheckFeatures(Features x, std::string_view what) {
  if (x.rows == 0) ThrowData("{}: no rows", what);
  if (x.cols == 0) ThrowData("{}: no feature columns", what);
  if (x.values.size() != x.rows * x.cols) {
    ThrowData("{}: {} feature values for {} rows x {} columns", what, x.values.size(), x.rows,
              x.cols);
  }
  for (size_t i = 0; i < x.values.size(); ++i) {
    if (!std::isfinite(x.values[i])) {
      ThrowData("{}: feature {} of row {} is {}", what, i % x.cols, i / x.cols, x.values[i]);
    }
  }
  return ConstRowMap(x.values.data(), static_cast<Eigen::Index>(x.rows),
                     static_cast<Eigen::Index>(x.cols));
}

Eigen::VectorXd CheckWeights(std::span<const double> weights, size_t rows, std::string_view what) {
  if (weights.empty()) return Eigen::VectorXd::Ones(static_cast<Eigen::Index>(rows));
  if (weights.size() != rows) ThrowData("{}: {} weights for {} rows", what, weights.size(), rows);
  double total = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      ThrowData("{}: weight of row {} is {}; weights must be finite and >= 0", what, i, weights[i]);
    }
    total += weights[i];
  }
  if (total <= 0) ThrowData("{}: all weights are zero", what);
  return Eigen::Map<const Eigen::VectorXd>(weights.data(), static_cast<Eigen::Index>(rows));
}

LinearModel FitRidge(Features x, std::span<const double> targets, double alpha,
                     std::span<const double> weights) {
  constexpr std::string_view kWhat = "ridge";
  ConstRowMap xs = CheckFeatures(x, kWhat);
  if (targets.size() != x.rows)
    ThrowData("{}: {} targets for {} rows", kWhat, targets.size(), x.rows);
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!std::isfinite(targets[i])) ThrowData("{}: target of row {} is {}", kWhat, i, targets[i]);
  }
  if (!(alpha >= 0) || !std::isfinite(alpha))
    ThrowData("{}: alpha is {}; need alpha >= 0", kWhat, alpha);
  Eigen::VectorXd s = CheckWeights(weights, x.rows, kWhat);
  Eigen::Map<const Eigen::VectorXd> y(targets.data(), static_cast<Eigen::Index>(x.rows));

  // The intercept is unpenalised, so it drops out once X and y are centred
  // on their weighted means.
  double total = s.sum();
  Eigen::RowVectorXd x_mean = (s.transpose() * xs) / total;
  double y_mean = s.dot(y) / total;
  Eigen::MatrixXd xc = xs.rowwise() - x_mean;
  Eigen::VectorXd yc = y.array() - y_mean;
  Eigen::MatrixXd gram = xc.transpose() * s.asDiagonal() * xc;
  gram.diagonal().array() += alpha;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(gram);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || ldlt.rcond() < 1e-12) {
    ThrowData(
        "{}: X'X + alpha*I is singular or nearly so (alpha = {}, reciprocal condition {:.3g}): "
        "some features are constant or collinear; use alpha > 0",
        kWhat, alpha, ldlt.rcond());
  }
  Eigen::VectorXd w = ldlt.solve(xc.transpose() * s.cwiseProduct(yc));

  LinearModel model;
  model.kind = LinearKind::kRidge;
  model.num_features = x.cols;
  model.coef.assign(w.data(), w.data() + w.size());
  model.intercept = {y_mean - x_mean.dot(w)};
  return model;
}

namespace {

// Checks the model against itself and the features; returns the features.
ConstRowMap CheckForPredict(const LinearModel& model, Features x, LinearKind kind) {
  constexpr std::string_view kWhat = "predict";
  bool logistic = model.kind == LinearKind::kLogistic;
  if (model.kind != kind) {
    ThrowData("{}: a {} model gives {}", kWhat, logistic ? "logistic" : "ridge",
              logistic ? "probabilities (PredictProba)" : "values (PredictValues)");
  }
  size_t outputs = OutputRows(model);
  if (model.coef.size() != outputs * model.num_features || model.intercept.size() != outputs) {
    ThrowInternal("{}: linear model with inconsistent shapes", kWhat);
  }
  if (x.cols != model.num_features) {
    ThrowData("{}: the model takes {} features, the data has {}", kWhat, model.num_features,
              x.cols);
  }
  return CheckFeatures(x, kWhat);
}

Eigen::MatrixXd Scores(const LinearModel& model, const ConstRowMap& xs) {
  Eigen::Map<const RowMatrix> coef(model.coef.data(),
                                   static_cast<Eigen::Index>(model.intercept.size()),
                                   static_cast<Eigen::Index>(model.num_features));
  Eigen::Map<const Eigen::RowVectorXd> intercept(model.intercept.data(),
                                                 static_cast<Eigen::Index>(model.intercept.size()));
  return (xs * coef.transpose()).rowwise() + intercept;
}

}  // namespace

size_t OutputRows(const LinearModel& model) {
  return model.kind == LinearKind::kLogistic && model.num_classes > 2 ? model.num_classes : 1;
}

double Sigmoid(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  double e = std::exp(z);
  return e / (1 + e);
}

std::vector<double> PredictValues(const LinearModel& model, Features x) {
  ConstRowMap xs = CheckForPredict(model, x, LinearKind::kRidge);
  Eigen::MatrixXd z = Scores(model, xs);
  return std::vector<double>(z.data(), z.data() + z.size());
}

std::vector<double> PredictProba(const LinearModel& model, Features x) {
  ConstRowMap xs = CheckForPredict(model, x, LinearKind::kLogistic);
  Eigen::MatrixXd z = Scores(model, xs);
  size_t k = model.num_classes;
  std::vector<double> proba(x.rows * k);
  for (size_t i = 0; i < x.rows; ++i) {
    double* row = &proba[i * k];
    auto r = static_cast<Eigen::Index>(i);
    if (k == 2) {
      row[1] = Sigmoid(z(r, 0));
      row[0] = 1 - row[1];
      continue;
    }
    double top = z.row(r).maxCoeff(), sum = 0;
    for (size_t c = 0; c < k; ++c)
      sum += row[c] = std::exp(z(r, static_cast<Eigen::Index>(c)) - top);
    for (size_t c = 0; c < k; ++c) row[c] /= sum;
  }
  return proba;
}

nlohmann::ordered_json LinearModelToJson(const LinearModel& model) {
  nlohmann::ordered_json json;
  json["type"] = model.kind == LinearKind::kRidge ? "ridge" : "logistic";
  json["num_features"] = model.num_features;
  if (model.kind == LinearKind::kLogistic) json["num_classes"] = model.num_classes;
  nlohmann::ordered_json coef = nlohmann::ordered_json::array();
  for (size_t r = 0; r < model.intercept.size(); ++r) {
    auto begin = model.coef.begin() + static_cast<ptrdiff_t>(r * model.num_features);
    coef.push_back(std::vector<double>(begin, begin + static_cast<ptrdiff_t>(model.num_features)));
  }
  json["coef"] = std::move(coef);
  json["intercept"] = model.intercept;
  return json;
}

namespace {

// A non-negative integer field, or a kData error naming it.
size_t CountField(const nlohmann::ordered_json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_number_unsigned()) {
    ThrowData("linear model JSON: '{}' must be a non-negative integer", key);
  }
  return it->get<size_t>();
}

void ReadNumbers(const nlohmann::ordered_json& array, size_t count, std::string_view what,
                 std::vector<double>* out) {
  if (!array.is_array() || array.size() != count) {
    ThrowData("linear model JSON: '{}' must be an array of {} numbers", what, count);
  }
  for (const auto& v : array) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      ThrowData("linear model JSON: '{}' holds {}, not a finite number", what, v.dump());
    }
    out->push_back(v.get<double>());
  }
}

}  // namespace

LinearModel LinearModelFromJson(const nlohmann::ordered_json& json) {
  if (!json.is_object()) ThrowData("linear model JSON: not an object");
  LinearModel model;
  auto type = json.find("type");
  if (type != json.end() && *type == "ridge") {
    model.kind = LinearKind::kRidge;
  } else if (type != json.end() && *type == "logistic") {
    model.kind = LinearKind::kLogistic;
    model.num_classes = CountField(json, "num_classes");
    if (model.num_classes < 2) ThrowData("linear model JSON: 'num_classes' must be >= 2");
  } else {
    ThrowData("linear model JSON: 'type' must be \"ridge\" or \"logistic\"");
  }
  model.num_features = CountField(json, "num_features");
  if (model.num_features == 0) ThrowData("linear model JSON: 'num_features' must be >= 1");
  size_t outputs = OutputRows(model);
  auto coef = json.find("coef"), intercept = json.find("intercept");
  if (coef == json.end() || !coef->is_array() || coef->size() != outputs) {
    ThrowData("linear model JSON: 'coef' must be an array of {} rows", outputs);
  }
  for (const auto& row : *coef) ReadNumbers(row, model.num_features, "coef", &model.coef);
  if (intercept == json.end()) ThrowData("linear model JSON: 'intercept' is missing");
  ReadNumbers(*intercept, outputs, "intercept", &model.intercept);
  return model;
}

}  // namespace leanops::train
