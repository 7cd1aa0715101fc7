// Training from a config: read the data, pick the task and the features,
// split, fit the transforms and the model on the training rows, and score
// the held-out rows.
//
// Evaluation rows, by config:
//   data.test given            the test file (the model trains on every training row)
//   split.method: holdout      a seeded holdout of test_size, stratified by class
//                              for classification unless stratify: false
//   split.method: kfold        out-of-fold predictions of k models (stratified for
//                              classification); the saved model trains on every row
//
// Inference, when the config leaves it open:
//   task      the target's values, as scikit-learn's type_of_target: bool or text
//             -> binary (2 values) or multiclass; whole numbers -> binary (2 values),
//             multiclass (3 to 50), else regression; other numbers -> regression.
//   features  every column but the target, id, ignored and weight columns:
//             numbers and bools numeric, dates and timestamps datetime, text
//             categorical when it has at most 50 distinct values (else left out,
//             with a note); for linear models numbers are imputed (median) and
//             standardised, for trees they are left as they are.
// Rows with a null target are left out (with a note).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "table/table.h"
#include "train/metrics.h"
#include "train/model.h"
#include "train/train_config.h"
#include "train/training_data.h"

namespace leanops::train {

struct TrainReport {
  TrainedModel model;
  /// Metrics on the evaluation rows (see above), in metrics.h's order.
  MetricList metrics;
  /// Binary tasks: the ROC curve of the evaluation rows.
  RocCurve roc;
  std::string evaluated_on;  // "holdout", "test file", "5-fold cross-validation"
  size_t train_rows = 0;
  size_t eval_rows = 0;
  /// What was inferred or left out, one sentence each, for the user.
  std::vector<std::string> notes;
  /// Every effective setting, flattened ("model.max_depth", "data.target"),
  /// as logged to the tracking store.
  std::vector<std::pair<std::string, std::string>> params;
  /// The first rows of the training data, raw: the model's input example.
  table::Table example;
};

/// What tuning needs from a training run.
struct TrainHooks {
  /// Boosters evaluated on a holdout: called after each round with the
  /// holdout's `round_metric` (roc_auc, accuracy, log_loss, rmse or mae, as
  /// XGBoost computes it each round); returning false stops boosting there.
  RoundCallback after_round;
  std::string round_metric;
};

/// Whether TrainHooks can report `metric` per round.
bool HasRoundMetric(const std::string& metric);

/// Trains as configured; `source` names the config in errors, `jobs` is
/// the thread count (0: all cores). Throws kData for bad data or config.
TrainReport Train(const TrainConfig& config, const std::string& source, int jobs,
                  const TrainHooks& hooks = {});

/// Trains on data prepared from a config that differs from `config` in
/// model hyperparameters only (tuning trials).
TrainReport Train(const TrainingData& data, const TrainConfig& config, int jobs,
                  const TrainHooks& hooks = {});

struct Evaluation {
  MetricList metrics;
  RocCurve roc;  // binary tasks
  size_t rows = 0;
};

/// Scores the CSV file `path` and compares with its `target_column` (""
/// = the column the model was trained on). Rows with no target are left out.
Evaluation Evaluate(const TrainedModel& model, const std::string& path,
                    const std::string& target_column, int jobs, double threshold = 0.5);

}  // namespace leanops::train
