// RunTune: trials on worker threads, each a training run of the base config
// with sampled values, pruned by the median rule on per-round scores.
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "train/model_params.h"
#include "train/trainer.h"
#include "train/tune.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

double MetricIn(const MetricList& metrics, const std::string& name) {
  for (const auto& [n, v] : metrics)
    if (n == name) return v;
  return std::nan("");
}

// The config a trial trains: the base with its sampled values.
TrainConfig TrialConfig(const Json& base, const Json& params, const std::string& source) {
  Json document = base;
  for (const auto& [key, value] : params.items()) SetConfigValue(document, key, value);
  return ParseTrainConfig(document, source);
}

// Whether every searched key is a model hyperparameter: then each trial
// reads, splits and transforms the same data, which is prepared once.
bool SearchesHyperparametersOnly(const TuneConfig& config) {
  for (const SearchParam& p : config.space)
    if (!p.key.starts_with("model.") || p.key == "model.type") return false;
  return true;
}

}  // namespace

TuneResult RunTune(const TuneConfig& config, const Json& base, const std::string& source, int cores,
                   const std::function<void(const Trial&)>& on_finished) {
  // A bad base config or a misspelt space key fails here, once, rather than
  // in every trial: the base with each parameter at its low end must check.
  TrainConfig first = ParseTrainConfig(base, source);
  Json probe = Json::object();
  for (const SearchParam& p : config.space) {
    if (p.kind == SearchParam::Kind::kCategorical) {
      probe[p.key] = p.choices.front();
    } else if (p.kind == SearchParam::Kind::kInt) {
      probe[p.key] = static_cast<int64_t>(p.low);
    } else {
      probe[p.key] = p.low;
    }
  }
  EffectiveParams(TrialConfig(base, probe, source), source, 1);
  bool boosted = first.model.type == ModelType::kXGBoost;
  bool holdout =
      first.data.test.empty() && first.data.split.method == SplitConfig::Method::kHoldout;
  int jobs = std::max(1, std::min(config.jobs, config.trials));
  int threads_per_trial = std::max(1, cores / jobs);

  std::mutex mutex;
  TuneResult result;
  int next = 0;
  bool prunable = config.prune && boosted && holdout && HasRoundMetric(config.metric);
  std::unique_ptr<MedianPruner> pruner;
  if (prunable) pruner = std::make_unique<MedianPruner>(config.maximize);
  // The first error that stops the study, carried out of the worker that
  // met it (an exception escaping a thread would end the process).
  std::exception_ptr fatal;
  std::unique_ptr<TrainingData> shared_data;
  if (SearchesHyperparametersOnly(config))
    shared_data = TrainingData::Prepare(first, source, /*keep_fits=*/true);

  auto worker = [&] {
    while (true) {
      Trial trial;
      {
        std::lock_guard lock(mutex);
        if (next >= config.trials || fatal) return;
        trial.number = next++;
        trial.params =
            SampleParams(config, result.trials,
                         config.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(trial.number));
      }
      auto start = std::chrono::steady_clock::now();
      try {
        TrainConfig trial_config = TrialConfig(base, trial.params, source);
        TrainHooks hooks;
        bool pruned = false;
        if (prunable) {
          hooks.round_metric = config.metric;
          hooks.after_round = [&, number = trial.number](int round, double score) {
            if (pruner->Report(number, round, score)) pruned = true;
            return !pruned;
          };
        }
        TrainReport report = shared_data
                                 ? Train(*shared_data, trial_config, threads_per_trial, hooks)
                                 : Train(trial_config, source, threads_per_trial, hooks);
        if (pruner) pruner->Finish(trial.number);
        trial.metrics = report.metrics;
        trial.pruned = pruned;
        if (!pruned) trial.value = MetricIn(report.metrics, config.metric);
      } catch (const Error& e) {
        if (pruner) pruner->Finish(trial.number);
        // A bad sampled value fails its trial; a broken base fails them all.
        if (e.kind() != ErrorKind::kData) {
          std::lock_guard lock(mutex);
          if (!fatal) fatal = std::current_exception();
          return;
        }
        trial.error = e.what();
      } catch (...) {
        if (pruner) pruner->Finish(trial.number);
        std::lock_guard lock(mutex);
        if (!fatal) fatal = std::current_exception();
        return;
      }
      trial.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard lock(mutex);
      result.trials.push_back(trial);
      const Trial& t = result.trials.back();
      if (t.value && std::isfinite(*t.value) &&
          (!result.best || (config.maximize ? *t.value > *result.trials[*result.best].value
                                            : *t.value < *result.trials[*result.best].value)))
        result.best = result.trials.size() - 1;
      if (on_finished) {
        try {
          on_finished(t);
        } catch (...) {
          if (!fatal) fatal = std::current_exception();
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (fatal) std::rethrow_exception(fatal);
  return result;
}

}  // namespace leanops::train
