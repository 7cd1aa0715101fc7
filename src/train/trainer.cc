#include "train/trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/error.h"
#include "core/parallel.h"
#include "train/linear_estimator.h"
#include "train/model_params.h"

namespace leanops::train {
namespace {

using table::Table;
using Json = nlohmann::ordered_json;

constexpr size_t kExampleRows = 5;

// XGBoost's eval_metric computing `metric` each round, and whether the
// metric is 1 minus it (accuracy from the error rate).
std::pair<std::string, bool> XGBoostRoundMetric(const std::string& metric, Task task) {
  bool multi = task == Task::kMulticlass;
  if (metric == "roc_auc" && task == Task::kBinary) return {"auc", false};
  if (metric == "accuracy" && task != Task::kRegression) return {multi ? "merror" : "error", true};
  if (metric == "log_loss" && task != Task::kRegression)
    return {multi ? "mlogloss" : "logloss", false};
  if (metric == "rmse" && task == Task::kRegression) return {"rmse", false};
  if (metric == "mae" && task == Task::kRegression) return {"mae", false};
  ThrowData("metric '{}' cannot be followed round by round for a {} task", metric, TaskName(task));
}

// Fits the model of one fit of `data`; with hooks, a booster's evaluation
// rows are scored after every round.
TrainedModel FitModel(const TrainingData& data, const FitData& fit, const TrainConfig& config,
                      int jobs, const TrainHooks& hooks = {}) {
  const Target& target = data.target();
  TrainedModel model;
  model.task = target.task;
  model.type = config.model.type;
  model.target = config.data.target;
  model.classes = target.classes;
  model.features = fit.features;
  int num_features = static_cast<int>(model.features.width());
  model.params = EffectiveParams(config, "config", num_features);
  int num_classes = static_cast<int>(target.classes.size());
  if (model.type == ModelType::kXGBoost || model.type == ModelType::kRandomForest) {
    BoosterPlan plan = PlanBooster(config, target.task, num_classes, num_features, jobs);
    std::vector<float> labels(fit.y.begin(), fit.y.end());
    std::vector<float> w(fit.weights.begin(), fit.weights.end());
    BoosterData booster_data;
    booster_data.features = &fit.x;
    booster_data.labels = labels;
    booster_data.weights = w;
    std::vector<float> valid_labels(data.eval_y().begin(), data.eval_y().end());
    RoundCallback after_round;
    if (hooks.after_round && fit.eval_x.rows > 0 && data.num_fits() == 1) {
      booster_data.valid_features = &fit.eval_x;
      booster_data.valid_labels = valid_labels;
      // The hook's metric replaces any eval_metric of the config.
      auto [eval_metric, complement] = XGBoostRoundMetric(hooks.round_metric, target.task);
      std::erase_if(plan.params, [](const auto& p) { return p.first == "eval_metric"; });
      plan.params.emplace_back("eval_metric", eval_metric);
      after_round = [&hooks, complement = complement](int round, double score) {
        return hooks.after_round(round, complement ? 1 - score : score);
      };
    }
    model.booster = plan.forest && !after_round
                        ? Booster::TrainForest(booster_data, plan.params)
                        : Booster::Train(booster_data, plan.params, plan.rounds, after_round);
    model.booster->SetFeatureNames(model.features.output_names());
  } else {
    model.linear = LinearEstimator::Fit(model.type, target.task, PlanLinear(config), fit.x64, fit.y,
                                        fit.weights, num_classes);
  }
  return model;
}

// The model's outputs for the fit's evaluation rows.
std::vector<double> ScoreEvaluationRows(const TrainedModel& model, const FitData& fit, int jobs) {
  if (model.booster) {
    std::vector<float> out = model.booster->Predict(fit.eval_x, jobs);
    return {out.begin(), out.end()};
  }
  return model.linear->Predict(fit.eval_x64);
}

MetricList Score(Task task, const std::vector<double>& y, const std::vector<double>& values,
                 const std::vector<double>& weights, size_t num_classes) {
  switch (task) {
    case Task::kBinary:
      return BinaryMetrics(y, values, weights);
    case Task::kMulticlass:
      return MulticlassMetrics(y, values, num_classes, weights);
    case Task::kRegression:
      break;
  }
  return RegressionMetrics(y, values, weights);
}

void AddParams(std::vector<std::pair<std::string, std::string>>& out, const std::string& prefix,
               const Json& value) {
  if (value.is_object()) {
    for (const auto& [key, v] : value.items()) AddParams(out, prefix + "." + key, v);
  } else {
    out.emplace_back(prefix, value.is_string() ? value.get<std::string>() : value.dump());
  }
}

}  // namespace

TrainReport Train(const TrainConfig& config, const std::string& source, int jobs,
                  const TrainHooks& hooks) {
  // Hyperparameters are checked before the data is read: a typo should not
  // cost a read of a large file.
  EffectiveParams(config, source, 1);
  std::unique_ptr<TrainingData> data = TrainingData::Prepare(config, source, false);
  return Train(*data, config, jobs, hooks);
}

TrainReport Train(const TrainingData& data, const TrainConfig& config, int jobs,
                  const TrainHooks& hooks) {
  if (jobs <= 0) jobs = DefaultJobs();
  const Target& target = data.target();
  size_t num_classes = target.classes.size();
  size_t width = target.task == Task::kMulticlass ? num_classes : 1;
  TrainReport report;
  report.notes = data.notes();
  std::vector<std::vector<double>> outputs;
  for (size_t i = 0; i < data.num_fits(); ++i) {
    std::shared_ptr<const FitData> fit = data.Fit(i, jobs);
    TrainedModel model = FitModel(data, *fit, config, jobs, hooks);
    if (data.Scored(i)) outputs.push_back(ScoreEvaluationRows(model, *fit, jobs));
    if (i + 1 == data.num_fits()) report.model = std::move(model);
  }
  std::vector<double> eval_values = data.EvaluationValues(outputs, width);
  report.evaluated_on = data.evaluated_on();
  report.train_rows = data.train_rows();
  report.eval_rows = data.eval_y().size();
  report.metrics = Score(target.task, data.eval_y(), eval_values, data.eval_weights(), num_classes);
  if (target.task == Task::kBinary)
    report.roc = BinaryRocCurve(data.eval_y(), eval_values, data.eval_weights());

  std::vector<std::string> input_names;
  for (const InputColumn& c : report.model.inputs()) input_names.push_back(c.name);
  report.example = data.Example(input_names, kExampleRows);

  Json data_params = {{"train", config.data.train},
                      {"target", config.data.target},
                      {"task", TaskName(target.task)}};
  if (!config.data.test.empty()) data_params["test"] = config.data.test;
  AddParams(report.params, "data", data_params);
  report.params.emplace_back("data.split", report.evaluated_on);
  report.params.emplace_back("model.type", std::string(ModelTypeName(config.model.type)));
  AddParams(report.params, "model", report.model.params);
  report.params.emplace_back("features", fmt::format("{}", fmt::join(input_names, ",")));
  report.params.emplace_back("seed", std::to_string(config.seed));
  return report;
}

bool HasRoundMetric(const std::string& metric) {
  return metric == "roc_auc" || metric == "accuracy" || metric == "log_loss" || metric == "rmse" ||
         metric == "mae";
}

Evaluation Evaluate(const TrainedModel& model, const std::string& path,
                    const std::string& target_column, int jobs, double threshold) {
  if (jobs <= 0) jobs = DefaultJobs();
  std::string name = target_column.empty() ? model.target : target_column;
  if (name.empty()) ThrowUsage("the model does not name its target column: give --target");
  Table table = ReadForModel(path, model, {name});
  Target target = TargetForModel(table, model, name, path);
  if (target.rows.empty()) ThrowData("'{}' has no rows with a '{}' value", path, name);
  Predictions p = model.Predict(table, target.rows, jobs, threshold);
  Evaluation evaluation;
  evaluation.rows = target.rows.size();
  switch (model.task) {
    case Task::kBinary:
      evaluation.metrics = BinaryMetrics(target.y, p.values, {}, threshold);
      evaluation.roc = BinaryRocCurve(target.y, p.values);
      break;
    case Task::kMulticlass:
      evaluation.metrics = MulticlassMetrics(target.y, p.values, model.classes.size());
      break;
    case Task::kRegression:
      evaluation.metrics = RegressionMetrics(target.y, p.values);
      break;
  }
  return evaluation;
}

}  // namespace leanops::train
