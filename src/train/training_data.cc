#include "train/training_data.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "core/error.h"
#include "table/csv_reader.h"
#include "train/split.h"

namespace leanops::train {
namespace {

using table::Column;
using table::ColumnType;
using table::Table;

constexpr size_t kMaxCategories = 50;
constexpr size_t kMaxClasses = 50;

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

// The named columns of the first `max_rows` rows of `tables` (all of one
// schema), one table.
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

bool IsNumber(const Column& column) {
  return column.type() == ColumnType::kInt64 || column.type() == ColumnType::kFloat64;
}

std::vector<uint32_t> RowsWithValue(const Column& column) {
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r < column.size(); ++r)
    if (!column.IsNull(r)) rows.push_back(r);
  return rows;
}

// A regression target's values; `what` names the data in the error.
std::vector<double> NumericTarget(const Column& column, const std::vector<uint32_t>& rows,
                                  const std::string& what) {
  if (!IsNumber(column))
    ThrowData("{}: target '{}' is {}, not numeric (regression needs numbers)", what, column.name(),
              table::ColumnTypeName(column.type()));
  std::vector<double> y;
  y.reserve(rows.size());
  for (uint32_t r : rows) y.push_back(CellNumber(column, r));
  return y;
}

Task InferTask(const Column& column, const std::vector<uint32_t>& rows, size_t* distinct) {
  switch (column.type()) {
    case ColumnType::kBool:
    case ColumnType::kString: {
      std::unordered_set<std::string> values;
      for (uint32_t r : rows) {
        values.insert(CellText(column, r));
        if (values.size() > kMaxClasses) break;
      }
      *distinct = values.size();
      return values.size() <= 2 ? Task::kBinary : Task::kMulticlass;
    }
    case ColumnType::kInt64:
    case ColumnType::kFloat64: {
      std::unordered_set<double> values;
      bool whole = true;
      for (uint32_t r : rows) {
        double v = CellNumber(column, r);
        if (v != std::floor(v)) whole = false;
        if (values.size() <= kMaxClasses) values.insert(v);
      }
      *distinct = values.size();
      if (!whole || values.size() > kMaxClasses) return Task::kRegression;
      return values.size() <= 2 ? Task::kBinary : Task::kMulticlass;
    }
    default:
      ThrowData("target column '{}' is {}: a target must be numbers, bools or text", column.name(),
                table::ColumnTypeName(column.type()));
  }
}

Target ReadTarget(const Table& table, const DataConfig& data, std::vector<std::string>& notes) {
  const Column& column = RequireColumn(table, data.target, "target");
  Target target;
  target.rows = RowsWithValue(column);
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
    target.y = NumericTarget(column, target.rows, "the training data");
    return target;
  }
  // Classes sorted as values (numbers numerically), named by their text.
  std::map<double, std::string> numeric;
  std::map<std::string, int> text;
  for (uint32_t r : target.rows) {
    if (IsNumber(column)) {
      double v = CellNumber(column, r);
      if (numeric.size() <= kMaxClasses && !numeric.contains(v))
        numeric.emplace(v, CellText(column, r));
    } else if (text.size() <= kMaxClasses) {
      text.emplace(CellText(column, r), 0);
    }
  }
  for (const auto& entry : numeric) target.classes.push_back(entry.second);
  for (const auto& entry : text) target.classes.push_back(entry.first);
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
  target.y.reserve(target.rows.size());
  if (IsNumber(column)) {
    // Numbers by value, without formatting each row's text.
    std::map<double, uint32_t> index;
    for (const auto& [value, name] : numeric) index.emplace(value, index.size());
    for (uint32_t r : target.rows) target.y.push_back(index.at(CellNumber(column, r)));
  } else {
    std::map<std::string, uint32_t> index;
    for (size_t i = 0; i < target.classes.size(); ++i) index.emplace(target.classes[i], i);
    for (uint32_t r : target.rows) target.y.push_back(index.at(CellText(column, r)));
  }
  return target;
}

// The target of scored data, as the model's task and classes read it.
Target ScoredTarget(const Table& table, Task task, const std::vector<std::string>& classes,
                    const std::string& name, const std::string& path) {
  const Column& column = RequireColumn(table, name, "target");
  Target target;
  target.task = task;
  target.rows = RowsWithValue(column);
  if (task == Task::kRegression) {
    target.y = NumericTarget(column, target.rows, "'" + path + "'");
    return target;
  }
  std::map<std::string, uint32_t> index;
  for (size_t i = 0; i < classes.size(); ++i) index.emplace(classes[i], i);
  for (uint32_t r : target.rows) {
    std::string value = CellText(column, r);
    auto it = index.find(value);
    if (it == index.end())
      ThrowData("'{}' has class '{}' in '{}', which the model was not trained on (classes: {})",
                path, value, name, fmt::join(classes, ", "));
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
  if (!IsNumber(column))
    ThrowData("weight column '{}' is {}, not numeric", name, table::ColumnTypeName(column.type()));
  std::vector<double> weights;
  for (uint32_t r : rows) {
    if (column.IsNull(r)) ThrowData("weight column '{}' is empty in data row {}", name, r + 1);
    double w = CellNumber(column, r);
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

std::vector<size_t> AllPositions(size_t n) {
  std::vector<size_t> positions(n);
  for (size_t i = 0; i < n; ++i) positions[i] = i;
  return positions;
}

// Reads the `inputs` columns of a CSV file to score (typed as in training
// unless `bare`), plus `extra` columns; the header is checked first.
Table ReadScoringTable(const std::string& path, const std::vector<InputColumn>& inputs, bool bare,
                       const std::vector<std::string>& extra) {
  table::CsvOptions options;
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
    if (!bare) options.column_types.emplace(input.name, input.type);
  }
  for (const std::string& name : extra)
    if (std::find(options.columns.begin(), options.columns.end(), name) == options.columns.end())
      options.columns.push_back(name);
  if (bare && inputs.empty()) options.columns.clear();
  return table::ReadCsv(path, options);
}

}  // namespace

Target TargetForModel(const Table& table, const TrainedModel& model, const std::string& name,
                      const std::string& path) {
  return ScoredTarget(table, model.task, model.classes, name, path);
}

Table ReadForModel(const std::string& path, const TrainedModel& model,
                   const std::vector<std::string>& extra) {
  return ReadScoringTable(path, model.inputs(), model.bare, extra);
}

std::unique_ptr<TrainingData> TrainingData::Prepare(const TrainConfig& config,
                                                    const std::string& source, bool keep_fits) {
  if (config.data.target.empty())
    ThrowUsage("{}: no target: give data.target in the config or --target", source);
  auto d = std::make_unique<TrainingData>(PrivateTag{});
  d->config_ = config;
  d->booster_ =
      config.model.type == ModelType::kXGBoost || config.model.type == ModelType::kRandomForest;
  d->keep_fits_ = keep_fits;
  d->table_ = ReadTraining(config.data, source);
  d->target_ = ReadTarget(d->table_, config.data, d->notes_);
  const Target& target = d->target_;
  d->specs_ = ChooseFeatures(d->table_, config, target.rows, d->notes_);
  d->weights_ = Weights(d->table_, config.data.weight_column, target.rows);
  bool classify = target.task != Task::kRegression;
  const SplitConfig& split = config.data.split;
  if (!config.data.test.empty()) {
    d->plans_.push_back({AllPositions(target.rows.size()), {}});
    std::vector<InputColumn> inputs;
    for (const FeatureSpec& spec : d->specs_)
      inputs.push_back({spec.column, d->table_.Find(spec.column)->type()});
    std::vector<std::string> extra = {config.data.target};
    if (!config.data.weight_column.empty()) extra.push_back(config.data.weight_column);
    d->test_ = std::make_unique<Table>(ReadScoringTable(config.data.test, inputs, false, extra));
    d->test_target_ =
        ScoredTarget(*d->test_, target.task, target.classes, config.data.target, config.data.test);
    d->eval_y_ = d->test_target_.y;
    d->eval_weights_ = Weights(*d->test_, config.data.weight_column, d->test_target_.rows);
    d->evaluated_on_ = "test file " + config.data.test;
    d->train_rows_ = target.rows.size();
  } else if (split.method == SplitConfig::Method::kHoldout) {
    Split parts = classify && split.stratify
                      ? StratifiedHoldoutSplit(target.y, split.test_size, config.seed)
                      : HoldoutSplit(target.rows.size(), split.test_size, config.seed);
    d->eval_y_ = Gather(target.y, parts.test);
    if (!d->weights_.empty()) d->eval_weights_ = Gather(d->weights_, parts.test);
    d->train_rows_ = parts.train.size();
    d->plans_.push_back({std::move(parts.train), std::move(parts.test)});
    d->evaluated_on_ = fmt::format("holdout ({:g}% of the rows{})", split.test_size * 100,
                                   classify && split.stratify ? ", stratified" : "");
  } else {
    std::vector<Split> folds = classify && split.stratify
                                   ? StratifiedKFold(target.y, split.folds, config.seed)
                                   : KFold(target.rows.size(), split.folds, config.seed);
    for (Split& fold : folds) d->plans_.push_back({std::move(fold.train), std::move(fold.test)});
    d->plans_.push_back({AllPositions(target.rows.size()), {}});
    d->eval_y_ = target.y;
    d->eval_weights_ = d->weights_;
    d->evaluated_on_ = fmt::format("{}-fold cross-validation{}", split.folds,
                                   classify && split.stratify ? " (stratified)" : "");
    d->train_rows_ = target.rows.size();
  }
  for (size_t i = 0; i < d->plans_.size(); ++i)
    d->built_.push_back(std::make_unique<std::once_flag>());
  d->kept_.resize(d->plans_.size());
  return d;
}

std::shared_ptr<FitData> TrainingData::Build(const FitPlan& plan, int jobs) const {
  auto fit = std::make_shared<FitData>();
  fit->fit_rows = Gather(target_.rows, plan.train_positions);
  fit->y = Gather(target_.y, plan.train_positions);
  if (!weights_.empty()) fit->weights = Gather(weights_, plan.train_positions);
  fit->features = FeatureTransform::Fit(table_, fit->fit_rows, specs_);
  std::vector<uint32_t> eval_rows;
  const Table* eval_table = &table_;
  if (!plan.eval_positions.empty()) {
    eval_rows = Gather(target_.rows, plan.eval_positions);
  } else if (test_ && &plan == &plans_.back()) {
    eval_rows = test_target_.rows;
    eval_table = test_.get();
  }
  bool scored = !eval_rows.empty();
  if (booster_) {
    fit->x = fit->features.Apply<float>(table_, fit->fit_rows, jobs);
    if (scored) fit->eval_x = fit->features.Apply<float>(*eval_table, eval_rows, jobs);
  } else {
    fit->x64 = fit->features.Apply<double>(table_, fit->fit_rows, jobs);
    if (scored) fit->eval_x64 = fit->features.Apply<double>(*eval_table, eval_rows, jobs);
  }
  return fit;
}

std::shared_ptr<const FitData> TrainingData::Fit(size_t index, int jobs) const {
  if (!keep_fits_) return Build(plans_[index], jobs);
  std::call_once(*built_[index], [&] {
    std::shared_ptr<FitData> fit = Build(plans_[index], jobs);
    std::lock_guard lock(mutex_);
    kept_[index] = std::move(fit);
  });
  std::lock_guard lock(mutex_);
  return kept_[index];
}

std::vector<double> TrainingData::EvaluationValues(const std::vector<std::vector<double>>& outputs,
                                                   size_t width) const {
  if (plans_.size() == 1) return outputs.front();
  std::vector<double> oof(target_.rows.size() * width);
  for (size_t f = 0; f + 1 < plans_.size(); ++f) {
    const std::vector<size_t>& positions = plans_[f].eval_positions;
    for (size_t i = 0; i < positions.size(); ++i)
      for (size_t k = 0; k < width; ++k) oof[positions[i] * width + k] = outputs[f][i * width + k];
  }
  return oof;
}

Table TrainingData::Example(const std::vector<std::string>& columns, size_t max_rows) const {
  return CopyRows({&table_}, columns, max_rows);
}

}  // namespace leanops::train
