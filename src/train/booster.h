// An XGBoost booster behind a small RAII class: train from a dense matrix,
// predict, and save or load in XGBoost's own format.
//
// Matrices are row-major float32 with NaN for a missing value, which is
// what XGBoost stores internally: handing it doubles would only add a copy.
// Parameters use XGBoost's own names ("max_depth", "eta", "seed"); the
// scikit-learn-style names users write in a config are mapped to them by
// the model layer (model_params.h).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanops::train {

/// A dense row-major matrix: value (r, c) is values[r * cols + c].
template <typename T>
struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<T> values;

  T* row(size_t r) { return values.data() + r * cols; }
  const T* row(size_t r) const { return values.data() + r * cols; }
};

using XGBoostParams = std::vector<std::pair<std::string, std::string>>;

/// Data to train on, with a validation set scored after every round.
struct BoosterData {
  const Matrix<float>* features = nullptr;
  std::span<const float> labels;
  std::span<const float> weights;                 // empty: every row weighs 1
  const Matrix<float>* valid_features = nullptr;  // optional
  std::span<const float> valid_labels;
};

/// Called after each round with the round's index (from 0) and the
/// validation score (XGBoost's first eval_metric); returning false stops
/// training (early stopping, pruning). Not called without a validation set.
using RoundCallback = std::function<bool(int round, double valid_score)>;

class Booster {
 public:
  /// Trains `rounds` rounds. XGBoost's errors (a bad parameter value) are
  /// kData naming the parameter as XGBoost reports it.
  static Booster Train(const BoosterData& data, const XGBoostParams& params, int rounds,
                       const RoundCallback& after_round = nullptr);
  /// A random forest (XGBoost's random-forest mode: `params` hold
  /// num_parallel_tree and eta 1) trained as kForestChunks independent
  /// boosters of about trees/kForestChunks trees each, nthread of them at
  /// a time with one thread each, then merged into one booster. XGBoost's own
  /// threads meet at a barrier for every node, which on a forest of small
  /// trees costs about what the second thread brings; independent trees
  /// need no barrier (scikit-learn's scheme). Each chunk draws its own seed
  /// from the chunk's index, so the model is the same whatever nthread.
  /// The chunks share one histogram index, built first on nthread threads;
  /// its cuts come from a seeded sample of at most 256 rows per bin.
  static Booster TrainForest(const BoosterData& data, const XGBoostParams& params);
  static constexpr int kForestChunks = 8;

  /// A booster saved by Save (or by any XGBoost 1.x/2.x in JSON or UBJSON
  /// form, or the legacy binary form); `source` names it in errors.
  static Booster Load(std::string_view bytes, const std::string& source);

  Booster(Booster&&) noexcept;
  Booster& operator=(Booster&&) noexcept;
  ~Booster();

  /// Per row, the model's output: a probability for binary:logistic, K
  /// class probabilities for multi:softprob (row-major), the value for
  /// regression. Runs on `jobs` threads.
  std::vector<float> Predict(const Matrix<float>& features, int jobs) const;
  /// Values per row Predict returns (K for multi:softprob, else 1).
  size_t outputs_per_row() const;

  /// XGBoost's Universal Binary JSON model format: what Python's
  /// Booster.save_model writes since XGBoost 2.0 and what every XGBoost
  /// since 1.6 loads. Same model, same bytes.
  std::string Save() const;

  size_t num_features() const;
  int boosted_rounds() const;
  /// Names shown by XGBoost's feature importance and dumps.
  void SetFeatureNames(const std::vector<std::string>& names);
  std::vector<std::string> FeatureNames() const;
  /// The learner's objective ("binary:logistic", ...), from its saved config.
  std::string Objective() const;

 private:
  explicit Booster(void* handle);
  void* handle_ = nullptr;
};

}  // namespace leanops::train
