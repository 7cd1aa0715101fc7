// The data side of a training run, everything done before a model is fitted:
// the rows read, the target, the feature columns chosen, the evaluation plan
// (holdout, folds or a test file), the transforms fitted on each fit's rows
// and the matrices they produce.
//
// None of it depends on the model's hyperparameters, only on the config's
// data, features, seed and model family (linear models get imputed and
// scaled inputs, trees the raw numbers). Tuning prepares it once and trains
// every trial on it; a single `leanops train` prepares it and builds each
// fit's matrices only while that fit runs.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "table/table.h"
#include "train/booster.h"
#include "train/features.h"
#include "train/model.h"
#include "train/train_config.h"

namespace leanops::train {

/// A target column read for training or scoring.
struct Target {
  Task task = Task::kBinary;
  std::vector<std::string> classes;
  std::vector<uint32_t> rows;  // table rows with a target value
  std::vector<double> y;       // per entry of rows: class index or value
};

/// The target of data scored by a trained model: class indexes into the
/// model's classes (a class it does not know is kData naming `path`) or
/// values. Rows with no target are left out.
Target TargetForModel(const table::Table& table, const TrainedModel& model, const std::string& name,
                      const std::string& path);

/// Reads a CSV file for scoring: the columns `model` needs typed as in
/// training (plus `extra` columns, such as a target to evaluate against).
/// Checks the header against the signature first, so a missing column is
/// reported as such.
table::Table ReadForModel(const std::string& path, const TrainedModel& model,
                          const std::vector<std::string>& extra);

/// One model fit: the rows it trains on, its fitted transforms and, once
/// built, the matrices of its training rows and of the rows it scores.
struct FitData {
  std::vector<uint32_t> fit_rows;  // into the training table
  std::vector<double> y, weights;  // per fit row
  FeatureTransform features;
  /// Boosters take float32, linear models doubles: one of each pair is set.
  Matrix<float> x;
  Matrix<double> x64;
  Matrix<float> eval_x;
  Matrix<double> eval_x64;
};

class TrainingData {
  struct PrivateTag {};

 public:
  explicit TrainingData(PrivateTag) {}  // made by Prepare

  /// Reads and checks everything a training run needs before fitting.
  /// With `keep_fits` each fit's transforms and matrices are kept after
  /// first use (tuning); without, they are built per use and dropped.
  /// Throws kData for bad data or config, naming `source`.
  static std::unique_ptr<TrainingData> Prepare(const TrainConfig& config, const std::string& source,
                                               bool keep_fits);

  /// Fits run in order 0..num_fits()-1; the last one is the saved model.
  /// With a holdout there is one fit (it is also the saved model), with a
  /// test file one, with k folds k + 1 (the last on every row).
  size_t num_fits() const { return plans_.size(); }
  /// The fit's data; thread-safe (each fit is built once when kept).
  std::shared_ptr<const FitData> Fit(size_t index, int jobs) const;
  /// Whether fit `index` scores rows: all but the final fit of k folds.
  bool Scored(size_t index) const {
    return !plans_[index].eval_positions.empty() || (test_ && index + 1 == plans_.size());
  }

  /// Scores of every evaluated row, in evaluation order, from per-fit
  /// outputs (`width` values per row): the holdout's or the test file's
  /// outputs as they are, the folds' put back in row order.
  std::vector<double> EvaluationValues(const std::vector<std::vector<double>>& outputs,
                                       size_t width) const;

  const Target& target() const { return target_; }
  const std::vector<FeatureSpec>& specs() const { return specs_; }
  /// Held-out target values and weights, in evaluation order.
  const std::vector<double>& eval_y() const { return eval_y_; }
  const std::vector<double>& eval_weights() const { return eval_weights_; }
  const std::string& evaluated_on() const { return evaluated_on_; }
  size_t train_rows() const { return train_rows_; }
  /// What was inferred or left out, one sentence each.
  const std::vector<std::string>& notes() const { return notes_; }
  /// The first `max_rows` rows of `columns` of the training data.
  table::Table Example(const std::vector<std::string>& columns, size_t max_rows) const;

 private:
  struct FitPlan {
    std::vector<size_t> train_positions;  // into target_.rows
    std::vector<size_t> eval_positions;   // into target_.rows; empty: test file or none
  };
  std::shared_ptr<FitData> Build(const FitPlan& plan, int jobs) const;

  TrainConfig config_;
  bool booster_ = true;
  bool keep_fits_ = false;
  table::Table table_;
  Target target_;
  std::vector<FeatureSpec> specs_;
  std::vector<double> weights_;  // per target row; empty: every row weighs 1
  std::vector<FitPlan> plans_;
  std::unique_ptr<table::Table> test_;
  Target test_target_;
  std::vector<double> eval_y_, eval_weights_;
  std::string evaluated_on_;
  size_t train_rows_ = 0;
  std::vector<std::string> notes_;

  mutable std::mutex mutex_;
  mutable std::vector<std::shared_ptr<FitData>> kept_;
  mutable std::vector<std::unique_ptr<std::once_flag>> built_;
};

}  // namespace leanops::train
