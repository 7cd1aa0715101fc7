// Column aggregate expectations: a statistic of a column (its
// observed_value) is judged against bounds or a set. Statistics that need
// every value (median, quantiles, distinct values) keep the column's
// non-null values, not its rows' other columns.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <unordered_map>

#include "core/error.h"
#include "validate/cells.h"
#include "validate/check.h"

namespace leanops::validate {
namespace {

using table::Column;
using table::ColumnType;

enum class Statistic {
  kMean,
  kMedian,
  kMin,
  kMax,
  kStdev,
  kSum,
  kUniqueCount,
  kUniqueProportion,
  kQuantiles,
  kDistinctInSet,
  kDistinctContainSet,
  kDistinctEqualSet,
  kMostCommonInSet,
};

bool NeedsValues(Statistic s) { return s == Statistic::kMedian || s == Statistic::kQuantiles; }
bool NeedsCounts(Statistic s) {
  return s == Statistic::kUniqueCount || s == Statistic::kUniqueProportion ||
         s == Statistic::kDistinctInSet || s == Statistic::kDistinctContainSet ||
         s == Statistic::kDistinctEqualSet || s == Statistic::kMostCommonInSet;
}
bool IsNumeric(Statistic s) {
  return s == Statistic::kMean || s == Statistic::kMedian || s == Statistic::kMin ||
         s == Statistic::kMax || s == Statistic::kStdev || s == Statistic::kSum ||
         s == Statistic::kQuantiles;
}

// A number of a column's type as GX shows it (dates as text).
Json ValueJson(ColumnType type, double value) {
  Column one("value", type);
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      one.AppendInt64(static_cast<int64_t>(value));
      break;
    case ColumnType::kBool:
      one.AppendBool(value != 0);
      break;
    default:
      one.AppendFloat64(value);
  }
  return CellJson(one, 0);
}

class AggregateCheck : public Check {
 public:
  AggregateCheck(const Expectation& e, Statistic statistic)
      : type_(e.type),
        column_(e.kwargs.at("column").get<std::string>()),
        statistic_(statistic),
        kwargs_(e.kwargs) {}

  void Add(const table::Table& chunk, size_t) override {
    const Column& column = RequireColumn(chunk, column_);
    if (!column_type_) {
      column_type_ = column.type();
      if (IsNumeric(statistic_) && column.type() == ColumnType::kString) {
        ThrowData("{}: column '{}' is string; this expectation needs numbers", type_, column_);
      }
    }
    if (NeedsCounts(statistic_)) {
      AddCounts(column);
      return;
    }
    switch (column.type()) {
      case ColumnType::kInt64:
      case ColumnType::kDate:
      case ColumnType::kTimestamp:
        AddNumbers(column.int64s(), column.validity());
        break;
      case ColumnType::kFloat64:
        AddNumbers(column.float64s(), column.validity());
        break;
      case ColumnType::kBool:
        AddNumbers(column.bools(), column.validity());
        break;
      case ColumnType::kString:
        break;  // rejected above
    }
  }

  bool Finish(Json& result) override {
    const ColumnType type = column_type_.value_or(ColumnType::kFloat64);
    switch (statistic_) {
      case Statistic::kMean: {
        double mean = (sum_ + compensation_) / static_cast<double>(numbers_);
        if (!std::isfinite(mean)) {  // the sum overflowed; the scaled one did not
          mean = scaled_sum_ / static_cast<double>(numbers_) / kScale;
        }
        return Judge(result, numbers_ ? Json(mean) : Json(), numbers_ ? mean : NAN, false);
      }
      case Statistic::kSum: {
        double sum = sum_ + compensation_;
        if (std::isnan(sum)) sum = sum_;  // inf - inf in the compensation
        return Judge(result, Json(sum), sum, false);
      }
      case Statistic::kStdev: {
        double stdev = numbers_ > 1 ? std::sqrt(m2_ / static_cast<double>(numbers_ - 1)) : NAN;
        return Judge(result, numbers_ > 1 ? Json(stdev) : Json(), stdev, false);
      }
      case Statistic::kMin:
        return Judge(result, numbers_ ? ValueJson(type, min_) : Json(), numbers_ ? min_ : NAN,
                     true);
      case Statistic::kMax:
        return Judge(result, numbers_ ? ValueJson(type, max_) : Json(), numbers_ ? max_ : NAN,
                     true);
      case Statistic::kMedian: {
        double median = Median();
        return Judge(result, std::isnan(median) ? Json() : Json(median), median, false);
      }
      case Statistic::kUniqueCount:
        return Judge(result, Json(counts_.size()), static_cast<double>(counts_.size()), false);
      case Statistic::kUniqueProportion: {
        double share =
            count_ ? static_cast<double>(counts_.size()) / static_cast<double>(count_) : NAN;
        return Judge(result, count_ ? Json(share) : Json(), share, false);
      }
      case Statistic::kQuantiles:
        return Quantiles(result);
      case Statistic::kDistinctInSet:
      case Statistic::kDistinctContainSet:
      case Statistic::kDistinctEqualSet:
        return DistinctSet(result);
      case Statistic::kMostCommonInSet:
        return MostCommon(result);
    }
    return false;
  }

 private:
  struct Counted {
    Json value;
    size_t count;
    size_t order;
  };

  void AddCounts(const Column& column) {
    for (size_t row = 0; row < column.size(); ++row) {
      if (column.IsNull(row)) continue;
      ++count_;
      std::string key = CellText(column, row);
      auto it = counts_.find(key);
      if (it == counts_.end()) {
        counts_.emplace(std::move(key), Counted{CellJson(column, row), 1, order_++});
      } else {
        ++it->second.count;
      }
    }
  }

  // The values as CellNumber reads them, in one loop per chunk: Welford's
  // division per value only for the standard deviation, and no call per row.
  template <typename T>
  void AddNumbers(std::span<const T> values, std::span<const uint8_t> validity) {
    const bool welford = statistic_ == Statistic::kStdev;
    const bool keep = NeedsValues(statistic_);
    for (size_t row = 0; row < values.size(); ++row) {
      if (!validity[row]) continue;
      ++count_;
      const auto value = static_cast<double>(values[row]);
      if (std::isnan(value)) continue;  // pandas skips NaN in every statistic
      ++numbers_;
      if (welford) {  // a stable running mean and sum of squared deviations
        double delta = value - mean_;
        mean_ += delta / static_cast<double>(numbers_);
        m2_ += delta * (value - mean_);
      }
      // Neumaier's compensated sum: the sum (and the mean from it) exact to
      // the last bit in practice, where a plain running sum drifts
      // (1.4465 read as 1.4464999999999961).
      double total = sum_ + value;
      compensation_ +=
          std::abs(sum_) >= std::abs(value) ? (sum_ - total) + value : (value - total) + sum_;
      sum_ = total;
      // The same sum scaled down by a power of two (exactly), for a mean
      // whose sum overflows.
      scaled_sum_ += value * kScale;
      min_ = std::min(min_, value);
      max_ = std::max(max_, value);
      if (keep) values_.push_back(value);
    }
  }

  // observed_value against min_value/max_value (strict_*); `column_unit`:
  // the bounds are in the column's unit (dates for min/max of a date column).
  bool Judge(Json& result, Json observed, double value, bool column_unit) {
    result["observed_value"] = std::move(observed);
    if (std::isnan(value)) return false;
    const ColumnType unit =
        column_unit ? column_type_.value_or(ColumnType::kFloat64) : ColumnType::kFloat64;
    auto bound = [&](const char* name) -> std::optional<double> {
      Json given = kwargs_.value(name, Json());
      if (given.is_null()) return std::nullopt;
      std::optional<double> number = NumberFor(unit, given);
      if (!number) {
        ThrowData("{}: {} {} does not compare with column '{}' ({})", type_, name, given.dump(),
                  column_, table::ColumnTypeName(unit));
      }
      return number;
    };
    std::optional<double> lo = bound("min_value"), hi = bound("max_value");
    if (lo && (kwargs_.value("strict_min", false) ? value <= *lo : value < *lo)) return false;
    if (hi && (kwargs_.value("strict_max", false) ? value >= *hi : value > *hi)) return false;
    return true;
  }

  double Median() {
    if (values_.empty()) return NAN;
    size_t middle = values_.size() / 2;
    std::nth_element(values_.begin(), values_.begin() + static_cast<long>(middle), values_.end());
    double upper = values_[middle];
    if (values_.size() % 2 == 1) return upper;
    double lower = *std::max_element(values_.begin(), values_.begin() + static_cast<long>(middle));
    return (lower + upper) / 2;
  }

  // GX's pandas backend: Series.quantile(q, interpolation="nearest").
  bool Quantiles(Json& result) {
    const Json& ranges = kwargs_.at("quantile_ranges");
    const Json quantiles = ranges.value("quantiles", Json::array());
    const Json bounds = ranges.value("value_ranges", Json::array());
    if (!quantiles.is_array() || !bounds.is_array() || quantiles.size() != bounds.size()) {
      ThrowData("{}: quantile_ranges needs lists 'quantiles' and 'value_ranges' of one length",
                type_);
    }
    std::sort(values_.begin(), values_.end());
    Json observed_values = Json::array();
    bool success = !values_.empty();
    for (size_t i = 0; i < quantiles.size(); ++i) {
      if (!quantiles[i].is_number() || !bounds[i].is_array() || bounds[i].size() != 2) {
        ThrowData("{}: quantile_ranges entry {} must be a number and a [min, max] pair", type_, i);
      }
      if (values_.empty()) {
        observed_values.push_back(nullptr);
        continue;
      }
      double q = quantiles[i].get<double>();
      auto index = static_cast<size_t>(std::nearbyint(q * static_cast<double>(values_.size() - 1)));
      double value = values_[std::min(index, values_.size() - 1)];
      observed_values.push_back(value);
      const Json& lo = bounds[i][0];
      const Json& hi = bounds[i][1];
      if ((lo.is_number() && value < lo.get<double>()) ||
          (hi.is_number() && value > hi.get<double>())) {
        success = false;
      }
    }
    result["observed_value"] = {{"quantiles", quantiles}, {"values", observed_values}};
    return success;
  }

  // The distinct values in first-seen order, and the suite's set as text.
  bool DistinctSet(Json& result) {
    std::vector<const Counted*> distinct;
    for (const auto& [key, counted] : counts_) distinct.push_back(&counted);
    std::sort(distinct.begin(), distinct.end(),
              [](const Counted* a, const Counted* b) { return a->value.dump() < b->value.dump(); });
    Json observed = Json::array();
    for (const Counted* counted : distinct) observed.push_back(counted->value);
    result["observed_value"] = observed;
    std::map<std::string, bool> wanted;  // text -> seen
    for (const Json& member : kwargs_.at("value_set")) {
      wanted[member.is_string() ? member.get<std::string>() : member.dump()] = false;
    }
    bool all_in_set = true;
    for (const auto& [key, counted] : counts_) {
      auto it = wanted.find(key);
      if (it == wanted.end()) {
        all_in_set = false;
      } else {
        it->second = true;
      }
    }
    bool set_contained =
        std::all_of(wanted.begin(), wanted.end(), [](const auto& w) { return w.second; });
    if (statistic_ == Statistic::kDistinctInSet) return all_in_set;
    if (statistic_ == Statistic::kDistinctContainSet) return set_contained;
    return all_in_set && set_contained;
  }

  bool MostCommon(Json& result) {
    size_t top = 0;
    for (const auto& [key, counted] : counts_) top = std::max(top, counted.count);
    std::vector<std::pair<std::string, const Counted*>> modes;
    for (const auto& [key, counted] : counts_) {
      if (counted.count == top) modes.emplace_back(key, &counted);
    }
    std::sort(modes.begin(), modes.end(),
              [](const auto& a, const auto& b) { return a.second->order < b.second->order; });
    Json observed = Json::array();
    for (const auto& [key, counted] : modes) observed.push_back(counted->value);
    result["observed_value"] = observed;
    if (modes.empty()) return false;
    std::map<std::string, bool> wanted;
    for (const Json& member : kwargs_.at("value_set")) {
      wanted[member.is_string() ? member.get<std::string>() : member.dump()] = true;
    }
    bool ties_okay = kwargs_.value("ties_okay", false);
    if (modes.size() > 1 && !ties_okay) return false;
    return std::any_of(modes.begin(), modes.end(),
                       [&](const auto& mode) { return wanted.count(mode.first) > 0; });
  }

  std::string type_;
  std::string column_;
  Statistic statistic_;
  Json kwargs_;
  std::optional<ColumnType> column_type_;
  size_t count_ = 0;    // non-null values
  size_t numbers_ = 0;  // non-NaN numbers
  static constexpr double kScale = 0x1p-600;
  double mean_ = 0, m2_ = 0, sum_ = 0, compensation_ = 0, scaled_sum_ = 0;
  double min_ = INFINITY, max_ = -INFINITY;
  std::vector<double> values_;
  std::unordered_map<std::string, Counted> counts_;
  size_t order_ = 0;
};

}  // namespace

std::unique_ptr<Check> MakeAggregateCheck(const Expectation& e) {
  static const std::map<std::string, Statistic, std::less<>> kStatistics = {
      {"expect_column_mean_to_be_between", Statistic::kMean},
      {"expect_column_median_to_be_between", Statistic::kMedian},
      {"expect_column_min_to_be_between", Statistic::kMin},
      {"expect_column_max_to_be_between", Statistic::kMax},
      {"expect_column_stdev_to_be_between", Statistic::kStdev},
      {"expect_column_sum_to_be_between", Statistic::kSum},
      {"expect_column_unique_value_count_to_be_between", Statistic::kUniqueCount},
      {"expect_column_proportion_of_unique_values_to_be_between", Statistic::kUniqueProportion},
      {"expect_column_quantile_values_to_be_between", Statistic::kQuantiles},
      {"expect_column_distinct_values_to_be_in_set", Statistic::kDistinctInSet},
      {"expect_column_distinct_values_to_contain_set", Statistic::kDistinctContainSet},
      {"expect_column_distinct_values_to_equal_set", Statistic::kDistinctEqualSet},
      {"expect_column_most_common_value_to_be_in_set", Statistic::kMostCommonInSet},
  };
  auto it = kStatistics.find(e.type);
  if (it == kStatistics.end()) return nullptr;
  return std::make_unique<AggregateCheck>(e, it->second);
}

}  // namespace leanops::validate
