#include "train/features.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "core/error.h"
#include "core/parallel.h"

namespace leanops::train {

using table::Column;
using table::ColumnType;

struct FeatureTransform::Fitted {
  FeatureSpec spec;
  ColumnType type = ColumnType::kFloat64;
  double fill = std::numeric_limits<double>::quiet_NaN();  // numeric: the imputed value
  double offset = 0;                                       // scale: (x - offset) / divisor
  double divisor = 1;
  std::vector<std::string> categories;  // categorical: sorted
  std::optional<std::string> fill_category;
  std::vector<double> part_fill;  // datetime: per part (NaN: none)
  size_t first_output = 0;
};

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kRowsPerTask = 1 << 15;

bool IsNumericType(ColumnType type) {
  return type == ColumnType::kInt64 || type == ColumnType::kFloat64 || type == ColumnType::kBool;
}
bool IsDateType(ColumnType type) {
  return type == ColumnType::kDate || type == ColumnType::kTimestamp;
}

// Impute, clip and log1p: the steps before scaling.
double PreScale(const FeatureTransform::Fitted& f, double x, const std::string& column) {
  if (std::isnan(x)) x = f.fill;
  if (f.spec.clip_min && x < *f.spec.clip_min) x = *f.spec.clip_min;
  if (f.spec.clip_max && x > *f.spec.clip_max) x = *f.spec.clip_max;
  if (f.spec.log1p) {
    if (x < -1) ThrowData("column '{}': log1p of {} (below -1); clip it first", column, x);
    x = std::log1p(x);
  }
  return x;
}

double Median(std::vector<double> values) {
  if (values.empty()) return kNaN;
  size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + mid);
  return lower + (upper - lower) / 2;
}

double Mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// The most frequent value, the smallest of tied ones (as SimpleImputer).
double MostFrequent(std::vector<double> values) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  double best = values[0];
  size_t best_count = 0;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    if (j - i > best_count) best = values[i], best_count = j - i;
    i = j;
  }
  return best;
}

double PartOf(DatePart part, ColumnType type, int64_t value) {
  using namespace std::chrono;
  int64_t days = value;
  int64_t seconds_of_day = 0;
  if (type == ColumnType::kTimestamp) {
    constexpr int64_t kMicrosPerDay = 86400000000;
    days = value >= 0 ? value / kMicrosPerDay : -((-value + kMicrosPerDay - 1) / kMicrosPerDay);
    seconds_of_day = (value - days * kMicrosPerDay) / 1000000;
  }
  sys_days day{std::chrono::days{days}};
  year_month_day ymd{day};
  switch (part) {
    case DatePart::kYear:
      return static_cast<int>(ymd.year());
    case DatePart::kMonth:
      return static_cast<unsigned>(ymd.month());
    case DatePart::kDay:
      return static_cast<unsigned>(ymd.day());
    case DatePart::kDayOfWeek:
      return (weekday{day}.c_encoding() + 6) % 7;  // Monday = 0
    case DatePart::kDayOfYear:
      return static_cast<double>((day - sys_days{ymd.year() / January / 1}).count() + 1);
    case DatePart::kHour:
      return static_cast<double>(seconds_of_day / 3600);
    case DatePart::kMinute:
      return static_cast<double>(seconds_of_day / 60 % 60);
  }
  return kNaN;
}

const Column& RequireColumn(const table::Table& table, const std::string& name) {
  const Column* column = table.Find(name);
  if (!column) ThrowData("the data has no column '{}', which the model needs", name);
  return *column;
}

void FitNumeric(FeatureTransform::Fitted& f, const Column& column, std::span<const uint32_t> rows) {
  if (!IsNumericType(column.type()))
    ThrowData("column '{}' is {}, not a number: declare it categorical or datetime", column.name(),
              table::ColumnTypeName(column.type()));
  std::vector<double> present;
  present.reserve(rows.size());
  for (uint32_t r : rows)
    if (!column.IsNull(r)) present.push_back(CellNumber(column, r));
  switch (f.spec.impute) {
    case Impute::kNone:
      break;
    case Impute::kMedian:
      f.fill = Median(present);
      break;
    case Impute::kMean:
      f.fill = Mean(present);
      break;
    case Impute::kMostFrequent:
      f.fill = MostFrequent(present);
      break;
    case Impute::kConstant:
      f.fill = f.spec.fill.get<double>();
      break;
  }
  if (f.spec.scale == Scale::kNone) return;
  std::vector<double> values;
  values.reserve(rows.size());
  for (uint32_t r : rows) {
    double x = PreScale(f, CellNumber(column, r), column.name());
    if (!std::isnan(x)) values.push_back(x);
  }
  if (values.empty()) return;
  if (f.spec.scale == Scale::kStandard) {
    double mean = Mean(values);
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    double std = std::sqrt(squares / static_cast<double>(values.size()));
    f.offset = mean;
    f.divisor = std > 0 ? std : 1;
  } else {
    auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    f.offset = *lo;
    f.divisor = *hi > *lo ? *hi - *lo : 1;
  }
}

void FitCategorical(FeatureTransform::Fitted& f, const Column& column,
                    std::span<const uint32_t> rows) {
  if (IsDateType(column.type()))
    ThrowData("column '{}' is {}: declare it datetime, not categorical", column.name(),
              table::ColumnTypeName(column.type()));
  std::map<std::string, int64_t> counts;
  for (uint32_t r : rows)
    if (!column.IsNull(r)) ++counts[CellText(column, r)];
  if (f.spec.impute == Impute::kMostFrequent && !counts.empty()) {
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it)
      if (it->second > best->second) best = it;
    f.fill_category = best->first;
  } else if (f.spec.impute == Impute::kConstant) {
    f.fill_category = f.spec.fill.is_string() ? f.spec.fill.get<std::string>() : f.spec.fill.dump();
  }
  for (const auto& [value, count] : counts)
    if (count >= f.spec.min_frequency) f.categories.push_back(value);
}

void FitDatetime(FeatureTransform::Fitted& f, const Column& column,
                 std::span<const uint32_t> rows) {
  if (!IsDateType(column.type()))
    ThrowData("column '{}' is {}, not a date or timestamp", column.name(),
              table::ColumnTypeName(column.type()));
  for (DatePart part : f.spec.parts) {
    double fill = kNaN;
    if (f.spec.impute == Impute::kMedian) {
      std::vector<double> values;
      for (uint32_t r : rows)
        if (!column.IsNull(r)) values.push_back(PartOf(part, column.type(), column.int64s()[r]));
      fill = Median(std::move(values));
    }
    f.part_fill.push_back(fill);
  }
}

// Category index of every value of a column, computed once per distinct
// value for a dictionary column; `unknown` for values not in training.
class CategoryLookup {
 public:
  CategoryLookup(const FeatureTransform::Fitted& f, const Column& column) : column_(column) {
    for (size_t i = 0; i < f.categories.size(); ++i) index_.emplace(f.categories[i], i);
    unknown_ = static_cast<uint32_t>(f.categories.size());
    fill_ = f.fill_category ? Find(*f.fill_category) : kNull;
    if (column.has_dictionary()) {
      for (std::string_view value : column.dictionary().values())
        by_code_.push_back(Find(std::string(value)));
    }
  }
  static constexpr uint32_t kNull = UINT32_MAX;
  // The category index of `row`, `unknown()` or kNull.
  uint32_t At(size_t row) const {
    if (column_.IsNull(row)) return fill_;
    if (!by_code_.empty()) return by_code_[column_.codes()[row]];
    return Find(CellText(column_, row));
  }
  uint32_t unknown() const { return unknown_; }

 private:
  uint32_t Find(const std::string& value) const {
    auto it = index_.find(value);
    return it == index_.end() ? unknown_ : it->second;
  }
  const Column& column_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<uint32_t> by_code_;
  uint32_t unknown_ = 0;
  uint32_t fill_ = kNull;
};

size_t OutputsOf(const FeatureTransform::Fitted& f) {
  switch (f.spec.kind) {
    case FeatureKind::kNumeric:
      return 1;
    case FeatureKind::kCategorical:
      return f.spec.encode == Encode::kOneHot ? f.categories.size() + 1 : 1;
    case FeatureKind::kDatetime:
      break;
  }
  return f.spec.parts.size();
}

nlohmann::ordered_json NumberOrNull(double x) {
  return std::isnan(x) ? nlohmann::ordered_json() : nlohmann::ordered_json(x);
}
double NumberFrom(const nlohmann::ordered_json& j) { return j.is_null() ? kNaN : j.get<double>(); }

}  // namespace

double CellNumber(const Column& column, size_t row) {
  if (column.IsNull(row)) return kNaN;
  switch (column.type()) {
    case ColumnType::kInt64:
      return static_cast<double>(column.int64s()[row]);
    case ColumnType::kFloat64:
      return column.float64s()[row];
    case ColumnType::kBool:
      return column.bools()[row];
    default:
      return kNaN;
  }
}

std::string CellText(const Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kString:
      return std::string(column.StringAt(row));
    case ColumnType::kFloat64:
      return fmt::format("{}", column.float64s()[row]);
    case ColumnType::kBool:
      return column.bools()[row] ? "true" : "false";
    default:  // int64, and dates and timestamps as their counts
      return std::to_string(column.int64s()[row]);
  }
}

FeatureTransform::FeatureTransform() = default;
FeatureTransform::~FeatureTransform() = default;
FeatureTransform::FeatureTransform(const FeatureTransform&) = default;
FeatureTransform& FeatureTransform::operator=(const FeatureTransform&) = default;
FeatureTransform::FeatureTransform(FeatureTransform&&) noexcept = default;
FeatureTransform& FeatureTransform::operator=(FeatureTransform&&) noexcept = default;

FeatureTransform FeatureTransform::Fit(const table::Table& table, std::span<const uint32_t> rows,
                                       std::vector<FeatureSpec> specs) {
  FeatureTransform transform;
  std::vector<Fitted> fitted(specs.size());
  ParallelFor(specs.size(), DefaultJobs(), [&](size_t i) {
    Fitted& f = fitted[i];
    f.spec = std::move(specs[i]);
    const Column& column = RequireColumn(table, f.spec.column);
    f.type = column.type();
    switch (f.spec.kind) {
      case FeatureKind::kNumeric:
        FitNumeric(f, column, rows);
        break;
      case FeatureKind::kCategorical:
        FitCategorical(f, column, rows);
        break;
      case FeatureKind::kDatetime:
        FitDatetime(f, column, rows);
        break;
    }
  });
  for (Fitted& f : fitted) {
    f.first_output = transform.output_names_.size();
    const std::string& name = f.spec.column;
    switch (f.spec.kind) {
      case FeatureKind::kNumeric:
        transform.output_names_.push_back(name);
        break;
      case FeatureKind::kCategorical:
        if (f.spec.encode == Encode::kOrdinal) {
          transform.output_names_.push_back(name);
        } else {
          for (const std::string& c : f.categories)
            transform.output_names_.push_back(name + "=" + c);
          transform.output_names_.push_back(name + "=__unknown__");
        }
        break;
      case FeatureKind::kDatetime:
        for (DatePart part : f.spec.parts)
          transform.output_names_.push_back(fmt::format("{}.{}", name, DatePartName(part)));
        break;
    }
  }
  transform.fitted_ = std::move(fitted);
  return transform;
}

template <typename T>
Matrix<T> FeatureTransform::Apply(const table::Table& table, std::span<const uint32_t> rows,
                                  int jobs) const {
  std::vector<const Column*> columns;
  for (const Fitted& f : fitted_) {
    const Column& column = RequireColumn(table, f.spec.column);
    if (column.type() != f.type)
      ThrowData("column '{}' is {} here but was {} in training", f.spec.column,
                table::ColumnTypeName(column.type()), table::ColumnTypeName(f.type));
    columns.push_back(&column);
  }
  std::vector<CategoryLookup> lookups;
  lookups.reserve(fitted_.size());
  for (size_t i = 0; i < fitted_.size(); ++i) {
    if (fitted_[i].spec.kind == FeatureKind::kCategorical)
      lookups.emplace_back(fitted_[i], *columns[i]);
  }
  Matrix<T> out;
  out.rows = rows.empty() ? table.num_rows() : rows.size();
  out.cols = width();
  out.values.resize(out.rows * out.cols);
  auto source_row = [&](size_t i) -> size_t { return rows.empty() ? i : rows[i]; };
  size_t tasks = (out.rows + kRowsPerTask - 1) / kRowsPerTask;
  ParallelFor(tasks, jobs, [&](size_t task) {
    size_t begin = task * kRowsPerTask, end = std::min(out.rows, begin + kRowsPerTask);
    size_t lookup = 0;
    for (size_t fi = 0; fi < fitted_.size(); ++fi) {
      const Fitted& f = fitted_[fi];
      const Column& column = *columns[fi];
      switch (f.spec.kind) {
        case FeatureKind::kNumeric:
          for (size_t i = begin; i < end; ++i) {
            double x = PreScale(f, CellNumber(column, source_row(i)), f.spec.column);
            out.row(i)[f.first_output] = static_cast<T>((x - f.offset) / f.divisor);
          }
          break;
        case FeatureKind::kCategorical: {
          const CategoryLookup& categories = lookups[lookup++];
          for (size_t i = begin; i < end; ++i) {
            uint32_t index = categories.At(source_row(i));
            T* row = out.row(i) + f.first_output;
            if (f.spec.encode == Encode::kOrdinal) {
              row[0] =
                  index == CategoryLookup::kNull ? static_cast<T>(kNaN) : static_cast<T>(index);
            } else {
              // Zero-initialised by resize; a null without imputation is all zeros
              // except the unknown bucket.
              row[index == CategoryLookup::kNull ? categories.unknown() : index] = 1;
            }
          }
          break;
        }
        case FeatureKind::kDatetime:
          for (size_t i = begin; i < end; ++i) {
            size_t r = source_row(i);
            T* row = out.row(i) + f.first_output;
            for (size_t p = 0; p < f.spec.parts.size(); ++p) {
              row[p] = static_cast<T>(column.IsNull(r)
                                          ? f.part_fill[p]
                                          : PartOf(f.spec.parts[p], f.type, column.int64s()[r]));
            }
          }
          break;
      }
    }
  });
  return out;
}

template Matrix<float> FeatureTransform::Apply<float>(const table::Table&,
                                                      std::span<const uint32_t>, int) const;
template Matrix<double> FeatureTransform::Apply<double>(const table::Table&,
                                                        std::span<const uint32_t>, int) const;

std::vector<InputColumn> FeatureTransform::inputs() const {
  std::vector<InputColumn> inputs;
  for (const Fitted& f : fitted_) inputs.push_back({f.spec.column, f.type});
  return inputs;
}

nlohmann::ordered_json FeatureTransform::ToJson() const {
  nlohmann::ordered_json features = nlohmann::ordered_json::array();
  for (const Fitted& f : fitted_) {
    nlohmann::ordered_json fitted = nlohmann::ordered_json::object();
    switch (f.spec.kind) {
      case FeatureKind::kNumeric:
        fitted = {{"fill", NumberOrNull(f.fill)}, {"offset", f.offset}, {"divisor", f.divisor}};
        break;
      case FeatureKind::kCategorical:
        fitted["categories"] = f.categories;
        fitted["fill"] =
            f.fill_category ? nlohmann::ordered_json(*f.fill_category) : nlohmann::ordered_json();
        break;
      case FeatureKind::kDatetime: {
        nlohmann::ordered_json fills = nlohmann::ordered_json::array();
        for (double v : f.part_fill) fills.push_back(NumberOrNull(v));
        fitted["fill"] = fills;
        break;
      }
    }
    features.push_back({{"column", f.spec.column},
                        {"kind", FeatureKindName(f.spec.kind)},
                        {"type", table::ColumnTypeName(f.type)},
                        {"options", FeatureSpecToJson(f.spec)},
                        {"fitted", fitted}});
  }
  return {{"features", features}, {"outputs", output_names_}};
}

FeatureTransform FeatureTransform::FromJson(const nlohmann::ordered_json& json,
                                            const std::string& source) {
  FeatureTransform transform;
  try {
    for (const nlohmann::ordered_json& entry : json.at("features")) {
      Fitted f;
      std::string column = entry.at("column").get<std::string>();
      std::string kind = entry.at("kind").get<std::string>();
      FeatureKind k = kind == "numeric"       ? FeatureKind::kNumeric
                      : kind == "categorical" ? FeatureKind::kCategorical
                      : kind == "datetime"    ? FeatureKind::kDatetime
                                           : throw Error(ErrorKind::kData, "unknown kind " + kind);
      f.spec = ParseFeatureSpec(column, k, entry.at("options"), source + ": features." + column);
      std::optional<ColumnType> type =
          table::ColumnTypeFromName(entry.at("type").get<std::string>());
      if (!type) ThrowData("unknown column type");
      f.type = *type;
      const nlohmann::ordered_json& fitted = entry.at("fitted");
      switch (k) {
        case FeatureKind::kNumeric:
          f.fill = NumberFrom(fitted.at("fill"));
          f.offset = fitted.at("offset").get<double>();
          f.divisor = fitted.at("divisor").get<double>();
          break;
        case FeatureKind::kCategorical:
          f.categories = fitted.at("categories").get<std::vector<std::string>>();
          if (!fitted.at("fill").is_null()) f.fill_category = fitted.at("fill").get<std::string>();
          break;
        case FeatureKind::kDatetime:
          for (const nlohmann::ordered_json& v : fitted.at("fill"))
            f.part_fill.push_back(NumberFrom(v));
          if (f.part_fill.size() != f.spec.parts.size()) ThrowData("one fill per part expected");
          break;
      }
      f.first_output = transform.output_names_.size();
      for (size_t i = 0; i < OutputsOf(f); ++i) transform.output_names_.push_back("");
      transform.fitted_.push_back(std::move(f));
    }
    std::vector<std::string> names = json.at("outputs").get<std::vector<std::string>>();
    if (names.size() != transform.output_names_.size())
      ThrowData("{} output names for {} outputs", names.size(), transform.output_names_.size());
    transform.output_names_ = std::move(names);
  } catch (const nlohmann::ordered_json::exception& e) {
    ThrowData("{}: malformed feature transforms: {}", source, e.what());
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(source)) throw;
    ThrowData("{}: malformed feature transforms: {}", source, e.what());
  }
  return transform;
}

std::vector<FeatureSpec> FeatureTransform::specs() const {
  std::vector<FeatureSpec> specs;
  for (const Fitted& f : fitted_) specs.push_back(f.spec);
  return specs;
}

}  // namespace leanops::train
