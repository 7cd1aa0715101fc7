// Column statistics over a CSV read in chunks: one accumulator per column
// keeps what its exact statistics need (profile.h: "Memory"), and Finish
// computes them once every chunk has been seen, so the result does not
// depend on how the file was cut into chunks.
#include "validate/profile.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <span>
#include <string_view>
#include <unordered_map>

#include "core/parallel.h"

namespace leanops::validate {
namespace {

using table::Column;
using table::ColumnType;

// numpy's _lerp (numpy/lib/function_base.py): a + (b - a) t, computed from
// b's side when t >= 0.5 so that the result is monotonic in t and exactly b
// at t = 1. Written as numpy writes it so results match to the bit.
double Lerp(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// numpy.quantile(values, q) with the default method 'linear' over sorted,
// non-empty values: virtual index h = (n - 1) q, then Lerp between the
// values at floor(h) and the next one (the last one past the end).
template <typename T>
double LinearQuantile(std::span<const T> sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const double below = std::floor(h);
  const auto i = std::min(static_cast<size_t>(below), sorted.size() - 1);
  const size_t next = std::min(i + 1, sorted.size() - 1);
  return Lerp(static_cast<double>(sorted[i]), static_cast<double>(sorted[next]), h - below);
}

// A sum with Neumaier's compensation: the values are all in memory anyway,
// and an uncompensated sum of millions of them drifts from pandas' pairwise
// sum in the last digits of the mean. Infinities make the compensation NaN,
// so a non-finite sum is returned as the plain sum.
class Sum {
 public:
  void Add(double x) {
    const double t = sum_ + x;
    compensation_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return std::isfinite(sum_) ? sum_ + compensation_ : sum_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

// Statistics of sorted, non-empty values (int64s in their unit, or
// non-NaN doubles).
template <typename T>
OrderedSummary Summarize(std::span<const T> sorted) {
  OrderedSummary s;
  s.min = static_cast<double>(sorted.front());
  s.max = static_cast<double>(sorted.back());
  const auto n = static_cast<double>(sorted.size());
  Sum sum;
  for (T x : sorted) sum.Add(static_cast<double>(x));
  s.mean = sum.value() / n;
  if (sorted.size() > 1) {
    if (std::isfinite(s.mean)) {
      // Two passes, as pandas' nanvar: the mean, then squared deviations.
      Sum squares;
      for (T x : sorted) {
        const double d = static_cast<double>(x) - s.mean;
        squares.Add(d * d);
      }
      s.std = std::sqrt(squares.value() / (n - 1));
    } else {
      s.std = NAN;  // an infinity among the values, as pandas gives
    }
  }
  for (size_t i = 0; i < kProfileQuantiles.size(); ++i) {
    s.quantiles[i] = LinearQuantile(sorted, kProfileQuantiles[i]);
  }
  return s;
}

// Distinct values of a sorted range (== groups -0.0 with 0.0, as pandas does).
template <typename T>
size_t CountRuns(std::span<const T> sorted) {
  size_t runs = 0;
  for (size_t i = 0; i < sorted.size(); ++i) runs += i == 0 || sorted[i] != sorted[i - 1];
  return runs;
}

size_t Utf8Length(std::string_view text) {
  size_t length = 0;
  for (unsigned char c : text) length += (c & 0xC0) != 0x80;
  return length;
}

// Lets the string map be searched with a string_view, so a row whose value
// was seen before costs a hash and a compare, not an allocation.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};

// A value seen, how often and where first. The value is made (as Json)
// only for the few that are reported: an ID column has a million.
template <typename Value>
struct Tallied {
  Value value;
  size_t count;
  size_t first_row;
};

// The kProfileTopValues most frequent values, ties in order of first appearance.
template <typename Value, typename ToJson>
std::vector<ValueCount> TopValues(std::vector<Tallied<Value>> tallied, ToJson to_json) {
  const size_t top = std::min(tallied.size(), kProfileTopValues);
  std::partial_sort(tallied.begin(), tallied.begin() + static_cast<std::ptrdiff_t>(top),
                    tallied.end(), [](const Tallied<Value>& a, const Tallied<Value>& b) {
                      return a.count != b.count ? a.count > b.count : a.first_row < b.first_row;
                    });
  std::vector<ValueCount> values;
  for (size_t i = 0; i < top; ++i) values.push_back({to_json(tallied[i].value), tallied[i].count});
  return values;
}

class ColumnAccumulator {
 public:
  ColumnAccumulator(std::string name, ColumnType type) {
    profile_.name = std::move(name);
    profile_.type = type;
  }

  // `first_row`: the file row (from 0) of the chunk's first row.
  void Add(const Column& column, size_t first_row) {
    profile_.count += column.size();
    profile_.null_count += column.null_count();
    switch (profile_.type) {
      case ColumnType::kInt64:
      case ColumnType::kDate:
      case ColumnType::kTimestamp: {
        auto values = column.int64s();
        for (size_t row = 0; row < column.size(); ++row) {
          if (!column.IsNull(row)) ints_.push_back(values[row]);
        }
        break;
      }
      case ColumnType::kFloat64: {
        auto values = column.float64s();
        for (size_t row = 0; row < column.size(); ++row) {
          if (column.IsNull(row)) continue;
          if (std::isnan(values[row])) {
            ++profile_.nan_count;
          } else {
            floats_.push_back(values[row]);
          }
        }
        break;
      }
      case ColumnType::kBool: {
        auto values = column.bools();
        for (size_t row = 0; row < column.size(); ++row) {
          if (column.IsNull(row)) continue;
          const int value = values[row] != 0;
          if (bool_counts_[value]++ == 0) bool_first_[value] = first_row + row;
        }
        break;
      }
      case ColumnType::kString:
        if (column.has_dictionary()) {
          // Count by code first: one map lookup per distinct value of the
          // chunk, not per row.
          const auto& values = column.dictionary().values();
          auto codes = column.codes();
          std::vector<size_t> counts(values.size(), 0), first(values.size(), 0);
          for (size_t row = 0; row < column.size(); ++row) {
            if (column.IsNull(row)) continue;
            if (counts[codes[row]]++ == 0) first[codes[row]] = row;
          }
          for (size_t code = 0; code < values.size(); ++code) {
            if (counts[code] != 0) AddString(values[code], counts[code], first_row + first[code]);
          }
          break;
        }
        for (size_t row = 0; row < column.size(); ++row) {
          if (!column.IsNull(row)) AddString(column.StringAt(row), 1, first_row + row);
        }
        break;
    }
  }

  // `count` more rows of `value`, the first of them at file row `row`.
  void AddString(std::string_view value, size_t count, size_t row) {
    auto it = strings_.find(value);
    if (it != strings_.end()) {
      it->second.count += count;
      return;
    }
    strings_.emplace(std::string(value), Seen{count, row});
    const size_t length = Utf8Length(value);
    profile_.min_length = std::min(profile_.min_length.value_or(length), length);
    profile_.max_length = std::max(profile_.max_length.value_or(length), length);
  }

  ColumnProfile Finish() {
    switch (profile_.type) {
      case ColumnType::kInt64:
      case ColumnType::kDate:
      case ColumnType::kTimestamp:
        std::sort(ints_.begin(), ints_.end());
        profile_.distinct_count = CountRuns<int64_t>(ints_);
        if (!ints_.empty()) profile_.ordered = Summarize<int64_t>(ints_);
        break;
      case ColumnType::kFloat64:
        std::sort(floats_.begin(), floats_.end());
        profile_.distinct_count = CountRuns<double>(floats_) + (profile_.nan_count > 0);
        if (!floats_.empty()) profile_.ordered = Summarize<double>(floats_);
        break;
      case ColumnType::kBool: {
        std::vector<Tallied<bool>> tallied;
        for (int value : {0, 1}) {
          if (bool_counts_[value] == 0) continue;
          tallied.push_back({value == 1, bool_counts_[value], bool_first_[value]});
          profile_.distinct_values.push_back(Json(value == 1));
        }
        profile_.distinct_count = tallied.size();
        profile_.top_values = TopValues(std::move(tallied), [](bool b) { return Json(b); });
        break;
      }
      case ColumnType::kString: {
        profile_.distinct_count = strings_.size();
        std::vector<Tallied<const std::string*>> tallied;
        tallied.reserve(strings_.size());
        for (const auto& [value, seen] : strings_) {
          tallied.push_back({&value, seen.count, seen.first_row});
        }
        if (strings_.size() <= kProfileListedDistinct) {
          for (const auto& [value, seen] : strings_) profile_.distinct_values.push_back(value);
          std::sort(profile_.distinct_values.begin(), profile_.distinct_values.end(),
                    [](const Json& a, const Json& b) {
                      return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
                    });
        }
        profile_.top_values =
            TopValues(std::move(tallied), [](const std::string* text) { return Json(*text); });
        break;
      }
    }
    return std::move(profile_);
  }

 private:
  struct Seen {
    size_t count;
    size_t first_row;
  };

  ColumnProfile profile_;
  std::vector<int64_t> ints_;
  std::vector<double> floats_;  // without NaN
  std::array<size_t, 2> bool_counts_{};
  std::array<size_t, 2> bool_first_{};
  std::unordered_map<std::string, Seen, StringHash, std::equal_to<>> strings_;
};

}  // namespace

std::optional<double> ColumnProfile::null_rate() const {
  if (count == 0) return std::nullopt;
  return static_cast<double>(null_count) / static_cast<double>(count);
}

TableProfile ProfileCsv(const std::string& path, const table::CsvOptions& options) {
  table::CsvReader reader(path, options);
  TableProfile profile;
  profile.path = path;
  std::vector<ColumnAccumulator> columns;
  const int jobs = options.jobs > 0 ? options.jobs : DefaultJobs();
  // The columns are independent: a chunk's are accumulated on all cores,
  // while the next chunk is read.
  std::optional<table::Table> chunk = reader.Next();
  while (chunk) {
    if (columns.empty()) {
      for (const Column& column : chunk->columns())
        columns.emplace_back(column.name(), column.type());
    }
    std::future<std::optional<table::Table>> next =
        std::async(std::launch::async, [&reader] { return reader.Next(); });
    ParallelFor(columns.size(), jobs,
                [&](size_t i) { columns[i].Add(chunk->column(i), profile.row_count); });
    profile.row_count += chunk->num_rows();
    chunk = next.get();
  }
  if (columns.empty()) {
    // A header without rows: the columns, with nothing in them.
    for (const table::Field& field : reader.schema()) columns.emplace_back(field.name, field.type);
  }
  profile.columns.resize(columns.size());
  ParallelFor(columns.size(), jobs, [&](size_t i) { profile.columns[i] = columns[i].Finish(); });
  return profile;
}

}  // namespace leanops::validate
