#include "train/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "core/error.h"

namespace leanops::train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// sklearn 1.2 log_loss(eps="auto"): np.finfo(float64).eps.
constexpr double kLogLossEps = std::numeric_limits<double>::epsilon();

double WeightOf(std::span<const double> weights, size_t i) {
  return weights.empty() ? 1.0 : weights[i];
}

// Checks what every metric needs and returns the total weight.
double CheckCommon(size_t n, size_t predictions, std::span<const double> weights,
                   std::string_view what) {
  if (n == 0) ThrowData("{}: no rows to evaluate", what);
  if (predictions != n) {
    ThrowData("{}: {} predictions for {} rows", what, predictions, n);
  }
  if (weights.empty()) return static_cast<double>(n);
  if (weights.size() != n) ThrowData("{}: {} weights for {} rows", what, weights.size(), n);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!(weights[i] >= 0) || !std::isfinite(weights[i])) {
      ThrowData("{}: weight of row {} is {}; weights must be finite and >= 0", what, i, weights[i]);
    }
    total += weights[i];
  }
  if (total <= 0) ThrowData("{}: all weights are zero", what);
  return total;
}

void CheckLabels(std::span<const double> labels, size_t num_classes, std::string_view what) {
  for (size_t i = 0; i < labels.size(); ++i) {
    double y = labels[i];
    if (!(y >= 0 && y < static_cast<double>(num_classes)) || y != std::floor(y)) {
      ThrowData("{}: label of row {} is {}; expected a class number 0..{}", what, i, y,
                num_classes - 1);
    }
  }
}

void CheckProbabilities(std::span<const double> prob, std::string_view what) {
  for (size_t i = 0; i < prob.size(); ++i) {
    if (!(prob[i] >= 0 && prob[i] <= 1)) {
      ThrowData("{}: probability at {} is {}; expected a value in [0, 1]", what, i, prob[i]);
    }
  }
}

// sklearn's _binary_clf_curve: false and true positive weight at each
// distinct score, scores decreasing. Sums run in sorted order as np.cumsum.
struct ClfCurve {
  std::vector<double> fps, tps, thresholds;
};

ClfCurve BuildClfCurve(std::span<const double> positive, std::span<const double> scores,
                       std::span<const double> weights) {
  std::vector<size_t> order;
  order.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    if (WeightOf(weights, i) != 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  ClfCurve curve;
  double tp = 0, fp = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    size_t i = order[k];
    if (positive[i] == 1) {
      tp += WeightOf(weights, i);
    } else {
      fp += WeightOf(weights, i);
    }
    if (k + 1 == order.size() || scores[order[k + 1]] != scores[i]) {
      curve.fps.push_back(fp);
      curve.tps.push_back(tp);
      curve.thresholds.push_back(scores[i]);
    }
  }
  return curve;
}

RocCurve ToRocCurve(const ClfCurve& c) {
  // drop_intermediate: keep a point only where the curve bends, i.e. where
  // np.diff(fps, 2) or np.diff(tps, 2) is non-zero; keep both ends.
  size_t m = c.fps.size();
  auto bends = [&](const std::vector<double>& x, size_t i) {
    return (x[i + 1] - x[i]) - (x[i] - x[i - 1]) != 0;
  };
  std::vector<size_t> keep;
  for (size_t i = 0; i < m; ++i) {
    if (m <= 2 || i == 0 || i + 1 == m || bends(c.fps, i) || bends(c.tps, i)) keep.push_back(i);
  }
  double fp_total = m ? c.fps.back() : 0, tp_total = m ? c.tps.back() : 0;
  RocCurve roc;
  roc.fpr.push_back(fp_total > 0 ? 0 : kNaN);
  roc.tpr.push_back(tp_total > 0 ? 0 : kNaN);
  roc.thresholds.push_back(m ? c.thresholds[0] + 1 : kNaN);
  for (size_t i : keep) {
    roc.fpr.push_back(fp_total > 0 ? c.fps[i] / fp_total : kNaN);
    roc.tpr.push_back(tp_total > 0 ? c.tps[i] / tp_total : kNaN);
    roc.thresholds.push_back(c.thresholds[i]);
  }
  return roc;
}

// roc_auc_score: np.trapz over the (dropped) ROC curve; NaN if undefined.
double RocAuc(std::span<const double> positive, std::span<const double> scores,
              std::span<const double> weights) {
  RocCurve roc = ToRocCurve(BuildClfCurve(positive, scores, weights));
  double area = 0;
  for (size_t i = 0; i + 1 < roc.fpr.size(); ++i) {
    area += (roc.fpr[i + 1] - roc.fpr[i]) * (roc.tpr[i + 1] + roc.tpr[i]) / 2.0;
  }
  return area;  // NaN propagates from an all-NaN axis
}

// Precision, recall and F1 of one class from weighted counts, zero_division=0.
struct Prf {
  double precision, recall, f1;
};
Prf PrfFromCounts(double tp, double predicted, double actual) {
  Prf r;
  r.precision = predicted == 0 ? 0 : tp / predicted;
  r.recall = actual == 0 ? 0 : tp / actual;
  double denom = r.precision + r.recall;
  r.f1 = 2 * r.precision * r.recall / (denom == 0 ? 1 : denom);
  return r;
}

}  // namespace

MetricList BinaryMetrics(std::span<const double> labels, std::span<const double> prob,
                         std::span<const double> weights, double threshold) {
  constexpr std::string_view kWhat = "binary metrics";
  double total = CheckCommon(labels.size(), prob.size(), weights, kWhat);
  CheckLabels(labels, 2, kWhat);
  CheckProbabilities(prob, kWhat);
  double correct = 0, tp = 0, predicted = 0, actual = 0, loss = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    double w = WeightOf(weights, i);
    bool truth = labels[i] == 1, guess = prob[i] >= threshold;
    if (truth == guess) correct += w;
    if (truth && guess) tp += w;
    if (guess) predicted += w;
    if (truth) actual += w;
    // As sklearn: clip, form the two columns, renormalise.
    double p1 = std::clamp(prob[i], kLogLossEps, 1 - kLogLossEps), p0 = 1 - p1;
    loss += -std::log((truth ? p1 : p0) / (p0 + p1)) * w;
  }
  Prf prf = PrfFromCounts(tp, predicted, actual);
  return {{"accuracy", correct / total},
          {"precision", prf.precision},
          {"recall", prf.recall},
          {"f1", prf.f1},
          {"roc_auc", RocAuc(labels, prob, weights)},
          {"log_loss", loss / total}};
}

MetricList MulticlassMetrics(std::span<const double> labels, std::span<const double> proba,
                             size_t num_classes, std::span<const double> weights) {
  constexpr std::string_view kWhat = "multiclass metrics";
  size_t n = labels.size(), k = num_classes;
  if (k < 2) ThrowData("{}: {} classes; need at least 2", kWhat, k);
  if (proba.size() != n * k) {
    ThrowData("{}: {} probabilities for {} rows of {} classes", kWhat, proba.size(), n, k);
  }
  double total = CheckCommon(n, n, weights, kWhat);
  CheckLabels(labels, k, kWhat);
  CheckProbabilities(proba, kWhat);
  std::vector<double> tp(k), predicted(k), actual(k);
  std::set<size_t> seen;  // sklearn's unique_labels(y_true, y_pred)
  double correct = 0, loss = 0;
  for (size_t i = 0; i < n; ++i) {
    std::span<const double> row = proba.subspan(i * k, k);
    double sum = std::accumulate(row.begin(), row.end(), 0.0);
    if (std::abs(sum - 1) > 1e-6) {
      ThrowData("{}: probabilities of row {} sum to {}, not 1", kWhat, i, sum);
    }
    size_t truth = static_cast<size_t>(labels[i]);
    size_t guess = static_cast<size_t>(std::max_element(row.begin(), row.end()) - row.begin());
    double w = WeightOf(weights, i);
    if (truth == guess) correct += w, tp[truth] += w;
    predicted[guess] += w;
    actual[truth] += w;
    seen.insert(truth);
    seen.insert(guess);
    double clipped_sum = 0;
    for (double p : row) clipped_sum += std::clamp(p, kLogLossEps, 1 - kLogLossEps);
    loss += -std::log(std::clamp(row[truth], kLogLossEps, 1 - kLogLossEps) / clipped_sum) * w;
  }
  double precision = 0, recall = 0, f1 = 0;
  for (size_t c : seen) {
    Prf prf = PrfFromCounts(tp[c], predicted[c], actual[c]);
    precision += prf.precision, recall += prf.recall, f1 += prf.f1;
  }
  double auc = 0;
  std::vector<double> positive(n), scores(n);
  for (size_t c = 0; c < k; ++c) {
    for (size_t i = 0; i < n; ++i) {
      positive[i] = labels[i] == static_cast<double>(c) ? 1 : 0;
      scores[i] = proba[i * k + c];
    }
    auc += RocAuc(positive, scores, weights);
  }
  double classes = static_cast<double>(seen.size());
  return {{"accuracy", correct / total},
          {"precision", precision / classes},
          {"recall", recall / classes},
          {"f1", f1 / classes},
          {"roc_auc", auc / static_cast<double>(k)},
          {"log_loss", loss / total}};
}

MetricList RegressionMetrics(std::span<const double> targets, std::span<const double> predictions,
                             std::span<const double> weights) {
  constexpr std::string_view kWhat = "regression metrics";
  size_t n = targets.size();
  double total = CheckCommon(n, predictions.size(), weights, kWhat);
  double abs_sum = 0, sq_sum = 0, target_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(targets[i]) || !std::isfinite(predictions[i])) {
      ThrowData("{}: row {} has a non-finite target or prediction", kWhat, i);
    }
    double w = WeightOf(weights, i), e = targets[i] - predictions[i];
    abs_sum += w * std::abs(e);
    sq_sum += w * e * e;
    target_sum += w * targets[i];
  }
  double mean = target_sum / total, spread = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = targets[i] - mean;
    spread += WeightOf(weights, i) * d * d;
  }
  // force_finite: 1 for a perfect fit, 0 for an imperfect fit of a constant.
  double r2 = sq_sum == 0 ? 1.0 : spread == 0 ? 0.0 : 1 - sq_sum / spread;
  return {{"mae", abs_sum / total}, {"rmse", std::sqrt(sq_sum / total)}, {"r2", r2}};
}

RocCurve BinaryRocCurve(std::span<const double> labels, std::span<const double> scores,
                        std::span<const double> weights) {
  constexpr std::string_view kWhat = "ROC curve";
  CheckCommon(labels.size(), scores.size(), weights, kWhat);
  CheckLabels(labels, 2, kWhat);
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) ThrowData("{}: score of row {} is {}", kWhat, i, scores[i]);
  }
  return ToRocCurve(BuildClfCurve(labels, scores, weights));
}

const std::vector<std::string_view>& KnownMetrics() {
  static const std::vector<std::string_view> kNames = {
      "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "mae", "rmse", "r2"};
  return kNames;
}

bool HigherIsBetter(std::string_view metric) {
  const auto& names = KnownMetrics();
  if (std::find(names.begin(), names.end(), metric) == names.end()) {
    ThrowData("unknown metric '{}' (known: {})", metric, fmt::join(names, ", "));
  }
  return metric != "log_loss" && metric != "mae" && metric != "rmse";
}

std::string RocCurveCsv(const RocCurve& roc) {
  std::string csv = "fpr,tpr,threshold\n";
  for (size_t i = 0; i < roc.fpr.size(); ++i)
    csv += fmt::format("{},{},{}\n", roc.fpr[i], roc.tpr[i], roc.thresholds[i]);
  return csv;
}

}  // namespace leanops::train
