#include "train/trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "core/error.h"
#include "core/parallel.h"
#include "table/csv_reader.h"
#include "train/linear_estimator.h"
#include "train/model_params.h"
#include "train/split.h"

namespace leanops::train {
namespace {

using table::Column;
using table::ColumnType;
using table::Table;
using Json = nlohmann::ordered_json;

constexpr size_t kMaxCategories = 50;
constexpr size_t kMaxClasses = 50;
constexpr size_t kExampleRows = 5;

void AppendCell(Column& to, const Column& from, size_t row) {
  if (from.IsNull(row)) return to.AppendNull();
  switch (from.type()) {
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      return to.AppendInt64(from.int64s()[row]);
    case ColumnType::kFloat64:
      return to.AppendFloat64(from.float64s()[row]);
    case ColumnType::kBool:
      return to.AppendBool(from.bools()[row]);
    case ColumnType::kString:
      return to.AppendString(from.StringAt(row));
  }
}

// The named columns of `rows` of `tables` (all of one schema), one table.
Table CopyRows(const std::vector<const Table*>& tables, const std::vector<std::string>& names,
               size_t max_rows) {
  Table out;
  for (const std::string& name : names) {
    Column column(name, tables.front()->Find(name)->type());
    size_t copied = 0;
    for (const Table* t : tables) {
      const Column& from = *t->Find(name);
      for (size_t r = 0; r < from.size() && copied < max_rows; ++r, ++copied)
        AppendCell(column, from, r);
    }
    out.AddColumn(std::move(column));
  }
  return out;
}

Table ReadTraining(const DataConfig& data, const std::string& source) {
  if (data.train.empty())
    ThrowUsage("{}: no training data: give data.train in the config or --data", source);
  table::CsvOptions options;
  options.column_types = data.types;
  std::vector<Table> tables;
  for (const std::string& path : data.train) {
    tables.push_back(table::ReadCsv(path, options));
    if (tables.size() > 1 && tables.back().schema() != tables.front().schema())
      ThrowData(
          "'{}' has other columns or types than '{}'; give the same columns (declare "
          "types under data.types)",
          path, data.train.front());
  }
  if (tables.size() == 1) return std::move(tables.front());
  std::vector<const Table*> all;
  std::vector<std::string> names;
  for (const Table& t : tables) all.push_back(&t);
  for (const Column& c : tables.front().columns()) names.push_back(c.name());
  return CopyRows(all, names, SIZE_MAX);
}

const Column& RequireColumn(const Table& table, const std::string& name, const char* role) {
  if (const Column* column = table.Find(name)) return *column;
  std::vector<std::string> names;
  for (const Column& c : table.columns()) names.push_back(c.name());
  ThrowData("{} column '{}' is not in the data (columns: {})", role, name, fmt::join(names, ", "));
}

std::string ValueText(const Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kString:
      return std::string(column.StringAt(row));
    case ColumnType::kBool:
      return column.bools()[row] ? "true" : "false";
    case ColumnType::kFloat64:
      return fmt::format("{}", column.float64s()[row]);
    default:
      return std::to_string(column.int64s()[row]);
  }
}

struct Target {
  Task task = Task::kBinary;
  std::vector<std::string> classes;
  std::vector<uint32_t> rows;  // rows with a target value
  std::vector<double> y;       // per entry of rows: class index or value
};

Task InferTask(const Column& column, const std::vector<uint32_t>& rows, size_t* distinct) {
  std::unordered_set<std::string> values;
  bool whole = true;
  for (uint32_t r : rows) {
    if (column.type() == ColumnType::kFloat64) {
      double v = column.float64s()[r];
      if (v != std::floor(v)) whole = false;
    }
    if (values.size() <= kMaxClasses) values.insert(ValueText(column, r));
  }
  *distinct = values.size();
  switch (column.type()) {
    case ColumnType::kBool:
    case ColumnType::kString:
      return values.size() <= 2 ? Task::kBinary : Task::kMulticlass;
    case ColumnType::kInt64:
    case ColumnType::kFloat64:
      if (!whole || values.size() > kMaxClasses) return Task::kRegression;
      return values.size() <= 2 ? Task::kBinary : Task::kMulticlass;
    default:
      ThrowData("target column '{}' is {}: a target must be numbers, bools or text", column.name(),
                table::ColumnTypeName(column.type()));
  }
}

Target ReadTarget(const Table& table, const DataConfig& data, std::vector<std::string>& notes) {
  const Column& column = RequireColumn(table, data.target, "target");
  Target target;
  for (uint32_t r = 0; r < table.num_rows(); ++r)
    if (!column.IsNull(r)) target.rows.push_back(r);
  if (size_t dropped = table.num_rows() - target.rows.size())
    notes.push_back(fmt::format("left out {} row(s) with no '{}' value", dropped, data.target));
  if (target.rows.empty()) ThrowData("target column '{}' has no values", data.target);
  size_t distinct = 0;
  Task inferred = InferTask(column, target.rows, &distinct);
  target.task = data.task.value_or(inferred);
  if (!data.task)
    notes.push_back(fmt::format("task: {} (inferred from '{}'; set data.task to change it)",
                                TaskName(target.task), data.target));
  if (target.task == Task::kRegression) {
    if (column.type() != ColumnType::kInt64 && column.type() != ColumnType::kFloat64)
      ThrowData("regression needs a numeric target; '{}' is {}", data.target,
                table::ColumnTypeName(column.type()));
    for (uint32_t r : target.rows)
      target.y.push_back(column.type() == ColumnType::kInt64
                             ? static_cast<double>(column.int64s()[r])
                             : column.float64s()[r]);
    return target;
  }
  // Classes sorted as values (numbers numerically), named by their text.
  std::map<double, std::string> numeric;
  std::map<std::string, int> text;
  bool is_number = column.type() == ColumnType::kInt64 || column.type() == ColumnType::kFloat64;
  for (uint32_t r : target.rows) {
    if (is_number) {
      double v = column.type() == ColumnType::kInt64 ? static_cast<double>(column.int64s()[r])
                                                     : column.float64s()[r];
      if (numeric.size() <= kMaxClasses || numeric.count(v))
        numeric.emplace(v, ValueText(column, r));
    } else if (text.size() <= kMaxClasses) {
      text.emplace(ValueText(column, r), 0);
    }
  }
  if (is_number) {
    for (const auto& entry : numeric) target.classes.push_back(entry.second);
  } else {
    for (const auto& entry : text) target.classes.push_back(entry.first);
  }
  if (target.classes.size() > kMaxClasses)
    ThrowData("target '{}' has more than {} classes; is it a regression target? (set data.task)",
              data.target, kMaxClasses);
  if (target.classes.size() < 2)
    ThrowData("target '{}' has only one class ({}): nothing to learn", data.target,
              target.classes.front());
  if (target.task == Task::kBinary && target.classes.size() > 2)
    ThrowData("task is binary but target '{}' has {} classes: {}", data.target,
              target.classes.size(), fmt::join(target.classes, ", "));
  if (target.task == Task::kMulticlass && target.classes.size() == 2) target.task = Task::kBinary;
  std::map<std::string, uint32_t> index;
  for (size_t i = 0; i < target.classes.size(); ++i) index.emplace(target.classes[i], i);
  for (uint32_t r : target.rows) target.y.push_back(index.at(ValueText(column, r)));
  return target;
}

// The target of data scored by a trained model: class indexes into the
// model's classes (a class it does not know is an error) or values.
Target TargetForModel(const Table& table, const TrainedModel& model, const std::string& name,
                      const std::string& path) {
  const Column& column = RequireColumn(table, name, "target");
  Target target;
  target.task = model.task;
  for (uint32_t r = 0; r < table.num_rows(); ++r)
    if (!column.IsNull(r)) target.rows.push_back(r);
  if (model.task == Task::kRegression) {
    if (column.type() != ColumnType::kInt64 && column.type() != ColumnType::kFloat64)
      ThrowData("'{}': target '{}' is {}, not numeric", path, name,
                table::ColumnTypeName(column.type()));
    for (uint32_t r : target.rows)
      target.y.push_back(column.type() == ColumnType::kInt64
                             ? static_cast<double>(column.int64s()[r])
                             : column.float64s()[r]);
    return target;
  }
  std::map<std::string, uint32_t> index;
  for (size_t i = 0; i < model.classes.size(); ++i) index.emplace(model.classes[i], i);
  for (uint32_t r : target.rows) {
    std::string value = ValueText(column, r);
    auto it = index.find(value);
    if (it == index.end())
      ThrowData("'{}' has class '{}' in '{}', which the model was not trained on (classes: {})",
                path, value, name, fmt::join(model.classes, ", "));
    target.y.push_back(it->second);
  }
  return target;
}

size_t DistinctUpTo(const Column& column, std::span<const uint32_t> rows, size_t limit) {
  if (column.has_dictionary() && column.dictionary().size() <= limit)
    return column.dictionary().size();
  std::unordered_set<std::string_view> seen;
  for (uint32_t r : rows) {
    if (column.IsNull(r)) continue;
    seen.insert(column.StringAt(r));
    if (seen.size() > limit) break;
  }
  return seen.size();
}

std::vector<FeatureSpec> ChooseFeatures(const Table& table, const TrainConfig& config,
                                        std::span<const uint32_t> rows,
                                        std::vector<std::string>& notes) {
  const DataConfig& data = config.data;
  std::unordered_set<std::string> excluded(data.id_columns.begin(), data.id_columns.end());
  excluded.insert(data.ignore_columns.begin(), data.ignore_columns.end());
  excluded.insert(data.target);
  if (!data.weight_column.empty()) excluded.insert(data.weight_column);
  for (const std::string& name : data.id_columns) RequireColumn(table, name, "id");
  for (const std::string& name : data.ignore_columns) RequireColumn(table, name, "ignored");

  std::vector<FeatureSpec> specs;
  std::unordered_set<std::string> listed;
  for (const FeatureSpec& spec : config.features.specs) {
    RequireColumn(table, spec.column, "feature");
    if (excluded.count(spec.column))
      ThrowData(
          "column '{}' is listed as a feature and as the target, an id, ignored or the "
          "weight",
          spec.column);
    specs.push_back(spec);
    listed.insert(spec.column);
  }
  if (config.features.given && !config.features.auto_infer) {
    if (specs.empty()) ThrowData("features: no column listed (or set features.auto: true)");
    return specs;
  }
  bool linear =
      config.model.type == ModelType::kLinear || config.model.type == ModelType::kLogistic;
  std::vector<std::string> left_out;
  for (const Column& column : table.columns()) {
    if (excluded.count(column.name()) || listed.count(column.name())) continue;
    FeatureSpec spec;
    spec.column = column.name();
    switch (column.type()) {
      case ColumnType::kInt64:
      case ColumnType::kFloat64:
      case ColumnType::kBool:
        spec.kind = FeatureKind::kNumeric;
        if (linear) spec.impute = Impute::kMedian, spec.scale = Scale::kStandard;
        break;
      case ColumnType::kDate:
      case ColumnType::kTimestamp:
        spec = ParseFeatureSpec(column.name(), FeatureKind::kDatetime, nullptr, column.name());
        if (column.type() == ColumnType::kTimestamp) spec.parts.push_back(DatePart::kHour);
        if (linear) spec.impute = Impute::kMedian;
        break;
      case ColumnType::kString:
        if (DistinctUpTo(column, rows, kMaxCategories) > kMaxCategories) {
          left_out.push_back(column.name());
          continue;
        }
        spec.kind = FeatureKind::kCategorical;
        break;
    }
    specs.push_back(std::move(spec));
  }
  if (!left_out.empty())
    notes.push_back(
        fmt::format("left out text column(s) with more than {} distinct values: {} "
                    "(list them under features.categorical to use them)",
                    kMaxCategories, fmt::join(left_out, ", ")));
  if (specs.empty())
    ThrowData("no feature columns: the data has only the target and left-out columns");
  return specs;
}

std::vector<double> Weights(const Table& table, const std::string& name,
                            std::span<const uint32_t> rows) {
  if (name.empty()) return {};
  const Column& column = RequireColumn(table, name, "weight");
  if (column.type() != ColumnType::kInt64 && column.type() != ColumnType::kFloat64)
    ThrowData("weight column '{}' is {}, not numeric", name, table::ColumnTypeName(column.type()));
  std::vector<double> weights;
  for (uint32_t r : rows) {
    if (column.IsNull(r)) ThrowData("weight column '{}' is empty in data row {}", name, r + 1);
    double w = column.type() == ColumnType::kInt64 ? static_cast<double>(column.int64s()[r])
                                                   : column.float64s()[r];
    if (!(w >= 0)) ThrowData("weight column '{}' has a negative weight in row {}", name, r + 1);
    weights.push_back(w);
  }
  return weights;
}

// values[p] for each p of `positions`.
template <typename T>
std::vector<T> Gather(const std::vector<T>& values, const std::vector<size_t>& positions) {
  std::vector<T> out;
  out.reserve(positions.size());
  for (size_t p : positions) out.push_back(values[p]);
  return out;
}

// Fits the transforms and the model on `fit_rows` (table rows); `y` and
// `weights` are per entry of fit_rows.
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

// With hooks, `valid_rows`/`valid_y` are scored after every boosting round.
TrainedModel Fit(const Table& table, const TrainConfig& config, const Target& target,
                 const std::vector<FeatureSpec>& specs, std::span<const uint32_t> fit_rows,
                 const std::vector<double>& y, const std::vector<double>& weights, int jobs,
                 const TrainHooks& hooks = {}, std::span<const uint32_t> valid_rows = {},
                 const std::vector<double>& valid_y = {}) {
  TrainedModel model;
  model.task = target.task;
  model.type = config.model.type;
  model.target = config.data.target;
  model.classes = target.classes;
  model.features = FeatureTransform::Fit(table, fit_rows, specs);
  int num_features = static_cast<int>(model.features.width());
  model.params = EffectiveParams(config, "config", num_features);
  int num_classes = static_cast<int>(target.classes.size());
  if (model.type == ModelType::kXGBoost || model.type == ModelType::kRandomForest) {
    BoosterPlan plan = PlanBooster(config, target.task, num_classes, num_features, jobs);
    Matrix<float> x = model.features.Apply<float>(table, fit_rows, jobs);
    std::vector<float> labels(y.begin(), y.end());
    std::vector<float> w(weights.begin(), weights.end());
    BoosterData data;
    data.features = &x;
    data.labels = labels;
    data.weights = w;
    Matrix<float> valid;
    std::vector<float> valid_labels(valid_y.begin(), valid_y.end());
    RoundCallback after_round;
    if (hooks.after_round && !valid_rows.empty()) {
      valid = model.features.Apply<float>(table, valid_rows, jobs);
      data.valid_features = &valid;
      data.valid_labels = valid_labels;
      // The hook's metric replaces any eval_metric of the config.
      auto [eval_metric, complement] = XGBoostRoundMetric(hooks.round_metric, target.task);
      std::erase_if(plan.params, [](const auto& p) { return p.first == "eval_metric"; });
      plan.params.emplace_back("eval_metric", eval_metric);
      after_round = [&hooks, complement = complement](int round, double score) {
        return hooks.after_round(round, complement ? 1 - score : score);
      };
    }
    model.booster = Booster::Train(data, plan.params, plan.rounds, after_round);
    model.booster->SetFeatureNames(model.features.output_names());
  } else {
    Matrix<double> x = model.features.Apply<double>(table, fit_rows, jobs);
    model.linear = LinearEstimator::Fit(model.type, target.task, PlanLinear(config), x, y, weights,
                                        num_classes);
  }
  return model;
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
  if (jobs <= 0) jobs = DefaultJobs();
  if (config.data.target.empty())
    ThrowUsage("{}: no target: give data.target in the config or --target", source);
  // Hyperparameters are checked before the data is read: a typo should not
  // cost a read of a large file.
  EffectiveParams(config, source, 1);
  TrainReport report;
  Table table = ReadTraining(config.data, source);
  Target target = ReadTarget(table, config.data, report.notes);
  std::vector<FeatureSpec> specs = ChooseFeatures(table, config, target.rows, report.notes);
  std::vector<double> weights = Weights(table, config.data.weight_column, target.rows);
  bool classify = target.task != Task::kRegression;
  size_t num_classes = target.classes.size();

  // Positions into target.rows for training and evaluation.
  const SplitConfig& split = config.data.split;
  std::vector<double> eval_y, eval_values, eval_weights;
  if (!config.data.test.empty()) {
    report.model = Fit(table, config, target, specs, target.rows, target.y, weights, jobs);
    std::vector<std::string> extra = {config.data.target};
    if (!config.data.weight_column.empty()) extra.push_back(config.data.weight_column);
    Table test = ReadForModel(config.data.test, report.model, extra);
    Target test_target = TargetForModel(test, report.model, config.data.target, config.data.test);
    Predictions p = report.model.Predict(test, test_target.rows, jobs);
    eval_y = test_target.y;
    eval_values = p.values;
    eval_weights = Weights(test, config.data.weight_column, test_target.rows);
    report.evaluated_on = "test file " + config.data.test;
    report.train_rows = target.rows.size();
  } else if (split.method == SplitConfig::Method::kHoldout) {
    Split parts = classify && split.stratify
                      ? StratifiedHoldoutSplit(target.y, split.test_size, config.seed)
                      : HoldoutSplit(target.rows.size(), split.test_size, config.seed);
    std::vector<uint32_t> fit_rows = Gather(target.rows, parts.train);
    std::vector<uint32_t> eval_rows = Gather(target.rows, parts.test);
    std::vector<double> fit_weights = weights.empty() ? weights : Gather(weights, parts.train);
    report.model = Fit(table, config, target, specs, fit_rows, Gather(target.y, parts.train),
                       fit_weights, jobs, hooks, eval_rows, Gather(target.y, parts.test));
    Predictions p = report.model.Predict(table, eval_rows, jobs);
    eval_y = Gather(target.y, parts.test);
    eval_values = p.values;
    if (!weights.empty()) eval_weights = Gather(weights, parts.test);
    report.evaluated_on = fmt::format("holdout ({:g}% of the rows{})", split.test_size * 100,
                                      classify && split.stratify ? ", stratified" : "");
    report.train_rows = fit_rows.size();
  } else {
    std::vector<Split> folds = classify && split.stratify
                                   ? StratifiedKFold(target.y, split.folds, config.seed)
                                   : KFold(target.rows.size(), split.folds, config.seed);
    size_t width = target.task == Task::kMulticlass ? num_classes : 1;
    std::vector<double> oof(target.rows.size() * width);
    for (const Split& fold : folds) {
      std::vector<uint32_t> fit_rows = Gather(target.rows, fold.train);
      std::vector<uint32_t> eval_rows = Gather(target.rows, fold.test);
      TrainedModel m = Fit(table, config, target, specs, fit_rows, Gather(target.y, fold.train),
                           weights.empty() ? weights : Gather(weights, fold.train), jobs);
      Predictions p = m.Predict(table, eval_rows, jobs);
      for (size_t i = 0; i < fold.test.size(); ++i)
        for (size_t k = 0; k < width; ++k) oof[fold.test[i] * width + k] = p.values[i * width + k];
    }
    report.model = Fit(table, config, target, specs, target.rows, target.y, weights, jobs);
    eval_y = target.y;
    eval_values = std::move(oof);
    eval_weights = weights;
    report.evaluated_on = fmt::format("{}-fold cross-validation{}", split.folds,
                                      classify && split.stratify ? " (stratified)" : "");
    report.train_rows = target.rows.size();
  }
  report.eval_rows = eval_y.size();
  report.metrics = Score(target.task, eval_y, eval_values, eval_weights, num_classes);
  if (target.task == Task::kBinary) report.roc = BinaryRocCurve(eval_y, eval_values, eval_weights);

  std::vector<std::string> input_names;
  for (const InputColumn& c : report.model.inputs()) input_names.push_back(c.name);
  report.example = CopyRows({&table}, input_names, kExampleRows);

  Json data = {{"train", config.data.train},
               {"target", config.data.target},
               {"task", TaskName(target.task)}};
  if (!config.data.test.empty()) data["test"] = config.data.test;
  AddParams(report.params, "data", data);
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

Table ReadForModel(const std::string& path, const TrainedModel& model,
                   const std::vector<std::string>& extra) {
  table::CsvOptions options;
  std::vector<InputColumn> inputs = model.inputs();
  {
    table::CsvReader header(path, options);
    const std::vector<std::string>& names = header.column_names();
    std::vector<std::string> missing;
    for (const InputColumn& input : inputs)
      if (std::find(names.begin(), names.end(), input.name) == names.end())
        missing.push_back(input.name);
    if (!missing.empty())
      ThrowData("'{}' does not match the model's signature: missing column(s) {}", path,
                fmt::join(missing, ", "));
    for (const std::string& name : extra)
      if (std::find(names.begin(), names.end(), name) == names.end())
        ThrowData(
            "'{}' has no column '{}' (the target to compare with; give --target if it has "
            "another name)",
            path, name);
  }
  for (const InputColumn& input : inputs) {
    options.columns.push_back(input.name);
    if (!model.bare) options.column_types.emplace(input.name, input.type);
  }
  for (const std::string& name : extra)
    if (std::find(options.columns.begin(), options.columns.end(), name) == options.columns.end())
      options.columns.push_back(name);
  if (model.bare && inputs.empty()) options.columns.clear();
  return table::ReadCsv(path, options);
}

}  // namespace leanops::train
