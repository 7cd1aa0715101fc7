// Hyperparameter search: `leanops tune --config tune.yaml`.
//
//   base: params.yaml:train        # the training config (FILE[:SECTION]) each trial starts from
//   metric: roc_auc                # the holdout metric to optimise (metrics.h names)
//   direction: maximize            # default: by the metric (minimize log_loss, mae, rmse)
//   trials: 40
//   jobs: 2                        # trials at once; each gets cores / jobs threads
//   sampler: tpe                   # tpe | random
//   startup_trials: 10             # tpe: random trials before the model kicks in
//   multivariate: true             # tpe: model the parameters jointly (false: each alone)
//   seed: 42
//   pruner: median                 # median | none
//   space:                         # dotted config keys
//     model.max_depth: {type: int, low: 2, high: 10}
//     model.learning_rate: {type: float, low: 0.01, high: 0.3, log: true}
//     model.grow_policy: {type: categorical, choices: [depthwise, lossguide]}
//   output: params.yaml:train      # optional: where the best values are written back
//
// Samplers. random draws each parameter uniformly (log-uniformly with
// log: true). tpe is the Tree-structured Parzen Estimator (Bergstra et al.
// 2011) as Optuna's TPESampler runs it: the completed trials split into the
// best gamma(n) = min(ceil(0.1 n), 25) and the rest; a Parzen estimator for
// each group (truncated Gaussians at the observations plus a prior over the
// whole range); 24 candidates drawn from the best group's estimator; the
// one with the highest log l(x) - log g(x) wins. Integers are sampled as
// continuous in [low - 0.5, high + 0.5] and rounded.
//   multivariate: true (the default; Optuna's multivariate=True, as in
//   BOHB, Falkner et al. 2018): one kernel per observation over all
//   parameters, bandwidth 0.2 n^(-1/(d+4)) of each range (Scott's rule),
//   so values that did well together are proposed together.
//   multivariate: false (Optuna's default): each parameter on its own,
//   bandwidths from the distances to the neighbours, clipped to
//   [range / min(100, 1 + n), range]; categorical choices weigh their
//   counts plus a prior of 1.
//
// Pruning (boosters on a holdout only): XGBoost scores the holdout after
// every round with the metric's own eval_metric (auc, logloss, error, rmse,
// mae); as Optuna's MedianPruner (5 startup trials, no warm-up), a trial
// stops when its best score so far is worse than the median of the earlier
// trials' scores at the same round.
//
// The same config and seed draw the same parameters when jobs is 1; with
// several jobs, what a trial draws depends on which trials finished first.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "train/metrics.h"

namespace leanops::train {

struct SearchParam {
  enum class Kind { kFloat, kInt, kCategorical };
  std::string key;  // dotted config key, "model.max_depth"
  Kind kind = Kind::kFloat;
  double low = 0, high = 1;
  bool log = false;
  std::vector<nlohmann::ordered_json> choices;
};

struct TuneConfig {
  std::string base;  // FILE[:SECTION] of the training config
  std::string metric = "roc_auc";
  bool maximize = true;
  int trials = 20;
  int jobs = 1;
  bool tpe = true;
  bool multivariate = true;
  int startup_trials = 10;
  uint64_t seed = 42;
  bool prune = true;
  std::vector<SearchParam> space;
  std::string output;  // FILE[:SECTION], "" = none
};

/// Checks and reads a tune config document; `source` names it in errors.
TuneConfig ParseTuneConfig(const nlohmann::ordered_json& document, const std::string& source);

struct Trial {
  int number = 0;
  /// The sampled value of every search parameter, by key, in space order.
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  std::optional<double> value;  // the metric; none when pruned or failed
  bool pruned = false;
  std::string error;  // a trial that threw (bad value for the model): its message
  MetricList metrics;
  double seconds = 0;
};

/// Draws the next trial's parameters from the finished ones.
nlohmann::ordered_json SampleParams(const TuneConfig& config, const std::vector<Trial>& finished,
                                    uint64_t trial_seed);

struct TuneResult {
  std::vector<Trial> trials;   // in the order they finished
  std::optional<size_t> best;  // index into trials; none when every trial failed
};

/// Runs the search. Each trial is `base` (a training config document) with
/// the sampled values set, trained with `TrainReport`'s holdout or CV; its
/// value is config.metric. `on_finished` is called once per trial, one at a
/// time, in finishing order (to log it). `cores` is shared among the jobs.
TuneResult RunTune(const TuneConfig& config, const nlohmann::ordered_json& base,
                   const std::string& source, int cores,
                   const std::function<void(const Trial&)>& on_finished);

/// The median pruner's memory: every trial's holdout score by round.
class MedianPruner {
 public:
  explicit MedianPruner(bool maximize) : maximize_(maximize) {}
  /// Records `score` of trial `trial` at `round`; returns whether to stop it.
  bool Report(int trial, int round, double score);
  /// The trial ended: its scores count for later trials.
  void Finish(int trial);

 private:
  bool maximize_;
  std::vector<std::vector<double>> finished_;  // per finished trial, per round
  std::map<int, std::vector<double>> running_;
  std::mutex mutex_;
};

}  // namespace leanops::train
