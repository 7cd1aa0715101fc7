// Evaluation metrics with scikit-learn 1.2's exact definitions, so a metrics
// JSON written by `leanops train` can be compared with one written by a
// Python pipeline.
//
// Each task returns its metrics as an ordered list of (name, value) pairs:
//
//   binary, multiclass: accuracy, precision, recall, f1, roc_auc, log_loss
//   regression:         mae, rmse, r2
//
// Definitions (sklearn.metrics, default arguments unless noted):
//   - Labels are doubles holding class numbers: 0/1 (binary) or 0..K-1.
//   - Optional sample weights (empty span = all 1) weigh every metric.
//   - Binary: a row is predicted positive when prob >= threshold.
//     precision/recall/f1 are precision_score etc. with pos_label=1 and
//     zero_division=0 (0 when the denominator is 0).
//   - Multiclass: the predicted class is the first arg-max of a row.
//     precision/recall/f1 are average="macro" over the classes that occur
//     in the labels or the predictions (sklearn's unique_labels), not over
//     all K.
//   - roc_auc: roc_auc_score, i.e. the trapezoid under the ROC curve, which
//     equals the weighted Mann-Whitney statistic with ties counted half.
//     Multiclass: multi_class="ovr", average="macro" over all K classes.
//     NaN when undefined: no positive or no negative row (binary), or a
//     class without rows (multiclass); sklearn raises there instead.
//   - log_loss: probabilities clipped to [eps, 1-eps] with eps = 2^-52
//     (sklearn 1.2's eps="auto", the float64 machine epsilon, not 1e-15),
//     rows renormalised to sum 1, averaged with the weights. Computed over
//     all K classes, as sklearn with labels=range(K).
//   - mae, rmse: mean_absolute_error, mean_squared_error(squared=False).
//     r2: r2_score with force_finite=True (1 for a perfect fit of a
//     constant target, 0 for an imperfect one).
//
// Bad input (length mismatch, no rows, labels out of range, probabilities
// outside [0, 1] or NaN, negative or all-zero weights) is a kData error.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanops::train {

/// Metrics in their documented order, ready for a metrics JSON.
using MetricList = std::vector<std::pair<std::string, double>>;

/// `prob[i]` is the predicted probability of class 1 for `labels[i]`.
MetricList BinaryMetrics(std::span<const double> labels, std::span<const double> prob,
                         std::span<const double> weights = {}, double threshold = 0.5);

/// `proba` is n x `num_classes`, row-major; each row must sum to 1 (within
/// 1e-6), as sklearn's multiclass roc_auc_score requires.
MetricList MulticlassMetrics(std::span<const double> labels, std::span<const double> proba,
                             size_t num_classes, std::span<const double> weights = {});

MetricList RegressionMetrics(std::span<const double> targets, std::span<const double> predictions,
                             std::span<const double> weights = {});

/// sklearn.metrics.roc_curve(drop_intermediate=True): points from (0, 0) to
/// (1, 1), one per distinct score kept; thresholds decrease, the first being
/// max score + 1 (sklearn 1.2; 1.3 made it +inf). Rows of zero weight are
/// left out. fpr (tpr) is all NaN when there is no negative (positive) row.
struct RocCurve {
  std::vector<double> fpr;
  std::vector<double> tpr;
  std::vector<double> thresholds;
};
RocCurve BinaryRocCurve(std::span<const double> labels, std::span<const double> scores,
                        std::span<const double> weights = {});

/// The curve as CSV with the header "fpr,tpr,threshold" (numbers in their
/// shortest exact form), as DVC plots read it.
std::string RocCurveCsv(const RocCurve& roc);

/// Every metric name any task reports, in the order above.
const std::vector<std::string_view>& KnownMetrics();

/// Whether a larger value of `metric` is better (false for log_loss, mae,
/// rmse). An unknown name is a kData error listing the known ones.
bool HigherIsBetter(std::string_view metric);

}  // namespace leanops::train
