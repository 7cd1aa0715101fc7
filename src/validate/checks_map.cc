// Column map expectations: each value of a column is expected or not;
// `mostly` is the share of values that must be expected. Nulls are left out
// of the count, except by the null checks, whose denominator is every row.
// String columns with a dictionary are judged once per distinct value, so a
// regex runs once per category, not once per row.
#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "validate/cells.h"
#include "validate/check.h"
#include "validate/regex.h"

namespace leanops::validate {
namespace {

using table::Column;
using table::ColumnType;

// What a column map check has seen so far, and its result.
class Tally {
 public:
  void Count(size_t rows, size_t nulls) {
    element_count_ += rows;
    missing_count_ += nulls;
  }
  void Unexpected(const Column& column, size_t row, size_t file_row) {
    ++unexpected_count_;
    Json value = CellJson(column, row);
    if (partial_list_.size() < kPartialUnexpectedCount) {
      partial_list_.push_back(value);
      partial_index_list_.push_back(file_row);
    }
    std::string key = value.dump();
    auto it = counts_.find(key);
    if (it != counts_.end()) {
      ++it->second.second;
    } else if (counts_.size() < kMaxCountedValues) {
      counts_.emplace(std::move(key), std::make_pair(std::move(value), size_t{1}));
    }
  }

  // GX's map result (SUMMARY); `all_rows` makes every row the denominator
  // (the null checks).
  bool Finish(Json& result, double mostly, bool all_rows) const {
    const bool holds =
        FinishMapCounts({element_count_, all_rows ? 0 : missing_count_, unexpected_count_}, mostly,
                        all_rows, result);
    result["partial_unexpected_list"] = partial_list_;
    result["partial_unexpected_index_list"] = partial_index_list_;
    std::vector<std::pair<Json, size_t>> counts;
    for (const auto& [key, entry] : counts_) counts.push_back(entry);
    std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first.dump() < b.first.dump();
    });
    Json list = Json::array();
    for (size_t i = 0; i < counts.size() && i < kPartialUnexpectedCount; ++i) {
      list.push_back({{"value", counts[i].first}, {"count", counts[i].second}});
    }
    result["partial_unexpected_counts"] = std::move(list);
    return holds;
  }

 private:
  static constexpr size_t kMaxCountedValues = 100000;
  size_t element_count_ = 0;
  size_t missing_count_ = 0;
  size_t unexpected_count_ = 0;
  Json partial_list_ = Json::array();
  Json partial_index_list_ = Json::array();
  std::unordered_map<std::string, std::pair<Json, size_t>> counts_;
};

// A check that judges each non-null value on its own.
class ValueCheck : public Check {
 public:
  explicit ValueCheck(const Expectation& e)
      : type_(e.type),
        column_(e.kwargs.at("column").get<std::string>()),
        mostly_(e.kwargs.value("mostly", 1.0)) {}

  void Add(const table::Table& chunk, size_t first_row) override {
    const Column& column = RequireColumn(chunk, column_);
    tally_.Count(column.size(), column.null_count());
    const size_t rows = column.size();
    Prepare(column);
    if (column.type() == ColumnType::kString && !column.has_dictionary()) {
      for (size_t row = 0; row < rows; ++row) {
        if (!column.IsNull(row) && !ExpectedString(column.StringAt(row))) {
          tally_.Unexpected(column, row, first_row + row);
        }
      }
      return;
    }
    if (column.type() == ColumnType::kString) {
      // One verdict per distinct value of this chunk's dictionary.
      const auto& values = column.dictionary().values();
      std::vector<uint8_t> bad(values.size());
      for (size_t code = 0; code < values.size(); ++code) bad[code] = !ExpectedString(values[code]);
      auto codes = column.codes();
      for (size_t row = 0; row < rows; ++row) {
        if (!column.IsNull(row) && bad[codes[row]]) tally_.Unexpected(column, row, first_row + row);
      }
      return;
    }
    if (AddNumbers(column, first_row)) return;
    for (size_t row = 0; row < rows; ++row) {
      if (!column.IsNull(row) && !ExpectedCell(column, row)) {
        tally_.Unexpected(column, row, first_row + row);
      }
    }
  }

  bool Finish(Json& result) override { return tally_.Finish(result, mostly_, false); }

 protected:
  /// Called with each chunk's column before its values are judged: reads
  /// the suite's bounds in the column's unit, or rejects the column's type.
  virtual void Prepare(const Column& /*column*/) {}
  virtual bool ExpectedString(std::string_view value) = 0;
  virtual bool ExpectedCell(const Column& column, size_t row) = 0;
  /// Judges a whole non-string column without a call per row, when the
  /// check can; false leaves it to ExpectedCell.
  virtual bool AddNumbers(const Column& /*column*/, size_t /*first_row*/) { return false; }

  std::string type_;
  std::string column_;
  double mostly_;
  Tally tally_;
};

// expect_column_values_to_be_between and _value_lengths_to_be_between.
class BetweenCheck : public ValueCheck {
 public:
  BetweenCheck(const Expectation& e, bool lengths)
      : ValueCheck(e),
        lengths_(lengths),
        min_(e.kwargs.value("min_value", Json())),
        max_(e.kwargs.value("max_value", Json())),
        strict_min_(e.kwargs.value("strict_min", false)),
        strict_max_(e.kwargs.value("strict_max", false)) {}

 protected:
  bool InRange(double value, const std::optional<double>& lo, const std::optional<double>& hi) {
    if (std::isnan(value)) return false;
    if (lo && (strict_min_ ? value <= *lo : value < *lo)) return false;
    if (hi && (strict_max_ ? value >= *hi : value > *hi)) return false;
    return true;
  }
  std::optional<double> Bound(const Json& bound, ColumnType type, const Column& column) {
    if (bound.is_null()) return std::nullopt;
    std::optional<double> value = NumberFor(lengths_ ? ColumnType::kInt64 : type, bound);
    if (!value) {
      ThrowData("{}: bound {} does not compare with column '{}' ({})", type_, bound.dump(),
                column.name(), table::ColumnTypeName(column.type()));
    }
    return value;
  }
  void Prepare(const Column& column) override {
    if (!lengths_ && column.type() == ColumnType::kString)
      ThrowData("{}: column '{}' is string; this expectation needs numbers, dates or timestamps",
                type_, column_);
    lo_ = Bound(min_, column.type(), column);
    hi_ = Bound(max_, column.type(), column);
  }
  bool ExpectedString(std::string_view value) override {
    return InRange(static_cast<double>(Utf8Length(value)), lo_, hi_);
  }
  bool ExpectedCell(const Column& column, size_t row) override {
    if (lengths_) return ExpectedString(CellText(column, row));
    return InRange(CellNumber(column, row), lo_, hi_);
  }
  // The same test as ExpectedCell, on the column's values as CellNumber
  // reads them, in one loop (a virtual call per row cost more than the test).
  bool AddNumbers(const Column& column, size_t first_row) override {
    if (lengths_) return false;
    switch (column.type()) {
      case ColumnType::kInt64:
      case ColumnType::kDate:
      case ColumnType::kTimestamp:
        Judge(column.int64s(), column, first_row);
        return true;
      case ColumnType::kFloat64:
        Judge(column.float64s(), column, first_row);
        return true;
      default:
        return false;
    }
  }

 private:
  template <typename T>
  void Judge(std::span<const T> values, const Column& column, size_t first_row) {
    std::span<const uint8_t> validity = column.validity();
    for (size_t row = 0; row < values.size(); ++row) {
      if (validity[row] && !InRange(static_cast<double>(values[row]), lo_, hi_)) {
        tally_.Unexpected(column, row, first_row + row);
      }
    }
  }

  static size_t Utf8Length(std::string_view text) {
    size_t length = 0;
    for (unsigned char c : text) length += (c & 0xC0) != 0x80;
    return length;
  }

  bool lengths_;
  Json min_, max_;
  bool strict_min_, strict_max_;
  std::optional<double> lo_, hi_;
};

// expect_column_values_to_be_in_set / _not_be_in_set.
class SetCheck : public ValueCheck {
 public:
  SetCheck(const Expectation& e, bool in) : ValueCheck(e), in_(in) {
    for (const Json& member : e.kwargs.at("value_set")) {
      strings_.insert(member.is_string() ? member.get<std::string>() : member.dump());
      members_.push_back(member);
    }
  }

 protected:
  void Prepare(const Column& column) override {
    numbers_.clear();
    if (column.type() == ColumnType::kString) return;
    for (const Json& member : members_) {
      if (auto number = NumberFor(column.type(), member)) numbers_.insert(*number);
    }
  }
  bool ExpectedString(std::string_view value) override { return strings_.contains(value) == in_; }
  bool ExpectedCell(const Column& column, size_t row) override {
    return numbers_.contains(CellNumber(column, row)) == in_;
  }

 private:
  // Looks strings up by string_view, without a copy per value.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  bool in_;
  std::vector<Json> members_;
  std::unordered_set<std::string, TextHash, std::equal_to<>> strings_;
  std::unordered_set<double> numbers_;
};

// expect_column_values_to_match_regex / _not_match_regex: a search anywhere
// in the value, as GX's pandas backend (str.contains) does, with PCRE2,
// whose syntax is Python's re for what suites use (classes, groups,
// lookarounds, \d \w \s, non-greedy and possessive forms).
class RegexCheck : public ValueCheck {
 public:
  RegexCheck(const Expectation& e, bool match)
      : ValueCheck(e), match_(match), regex_(e.kwargs.at("regex").get<std::string>(), type_) {}

 protected:
  bool ExpectedString(std::string_view value) override { return regex_.Search(value) == match_; }
  bool ExpectedCell(const Column& column, size_t row) override {
    return ExpectedString(CellText(column, row));
  }

 private:
  bool match_;
  Regex regex_;
};

// expect_column_values_to_match_strftime_format: the whole value parses.
class StrftimeCheck : public ValueCheck {
 public:
  explicit StrftimeCheck(const Expectation& e)
      : ValueCheck(e), format_(e.kwargs.at("strftime_format").get<std::string>()) {}

 protected:
  bool ExpectedString(std::string_view value) override {
    std::string text(value);
    std::tm parsed{};
    const char* end = ::strptime(text.c_str(), format_.c_str(), &parsed);
    return end != nullptr && *end == '\0';
  }
  bool ExpectedCell(const Column& column, size_t row) override {
    return ExpectedString(CellText(column, row));
  }

 private:
  std::string format_;
};

// expect_column_values_to_be_increasing / _decreasing, across chunks.
class MonotonicCheck : public ValueCheck {
 public:
  MonotonicCheck(const Expectation& e, bool increasing)
      : ValueCheck(e), increasing_(increasing), strictly_(e.kwargs.value("strictly", false)) {}

 protected:
  void Prepare(const Column& column) override {
    if (column.type() == ColumnType::kString)
      ThrowData("{}: column '{}' is string; this expectation needs numbers, dates or timestamps",
                type_, column_);
  }
  bool ExpectedString(std::string_view) override { return false; }  // Prepare refused strings
  bool ExpectedCell(const Column& column, size_t row) override {
    double value = CellNumber(column, row);
    bool ok = true;
    if (previous_) {
      double step = increasing_ ? value - *previous_ : *previous_ - value;
      ok = strictly_ ? step > 0 : step >= 0;
    }
    previous_ = value;
    return ok;
  }

 private:
  bool increasing_, strictly_;
  std::optional<double> previous_;
};

// expect_column_values_to_not_be_null / _be_null: every row counts.
class NullCheck : public Check {
 public:
  NullCheck(const Expectation& e, bool expect_null)
      : column_(e.kwargs.at("column").get<std::string>()),
        mostly_(e.kwargs.value("mostly", 1.0)),
        expect_null_(expect_null) {}

  void Add(const table::Table& chunk, size_t first_row) override {
    const Column& column = RequireColumn(chunk, column_);
    tally_.Count(column.size(), 0);
    auto validity = column.validity();
    for (size_t row = 0; row < column.size(); ++row) {
      if ((validity[row] == 0) != expect_null_) tally_.Unexpected(column, row, first_row + row);
    }
  }
  bool Finish(Json& result) override { return tally_.Finish(result, mostly_, true); }

 private:
  std::string column_;
  double mostly_;
  bool expect_null_;
  Tally tally_;
};

}  // namespace

bool FinishMapCounts(const MapCounts& counts, double mostly, bool all_rows, Json& result) {
  const size_t considered = counts.element_count - counts.missing_count;
  auto percent = [](size_t part, size_t whole) -> Json {
    if (whole == 0) return nullptr;
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  };
  result["element_count"] = counts.element_count;
  result["unexpected_count"] = counts.unexpected_count;
  result["unexpected_percent"] = percent(counts.unexpected_count, considered);
  if (!all_rows) {
    result["missing_count"] = counts.missing_count;
    result["missing_percent"] = percent(counts.missing_count, counts.element_count);
    result["unexpected_percent_nonmissing"] = percent(counts.unexpected_count, considered);
  }
  result["unexpected_percent_total"] = percent(counts.unexpected_count, counts.element_count);
  if (considered == 0) return true;
  return static_cast<double>(considered - counts.unexpected_count) /
             static_cast<double>(considered) >=
         mostly;
}

const table::Column& RequireColumn(const table::Table& chunk, const std::string& name) {
  if (const table::Column* column = chunk.Find(name)) return *column;
  std::string names;
  for (const table::Column& column : chunk.columns()) {
    names += (names.empty() ? "" : ", ") + column.name();
  }
  ThrowData("column '{}' does not exist (columns: {})", name, names);
}

std::unique_ptr<Check> MakeColumnMapCheck(const Expectation& e) {
  const std::string& t = e.type;
  if (t == "expect_column_values_to_not_be_null") return std::make_unique<NullCheck>(e, false);
  if (t == "expect_column_values_to_be_null") return std::make_unique<NullCheck>(e, true);
  if (t == "expect_column_values_to_be_between") return std::make_unique<BetweenCheck>(e, false);
  if (t == "expect_column_value_lengths_to_be_between") {
    return std::make_unique<BetweenCheck>(e, true);
  }
  if (t == "expect_column_value_lengths_to_equal") {
    Expectation between = e;
    between.kwargs.erase("value");
    between.kwargs["min_value"] = e.kwargs.at("value");
    between.kwargs["max_value"] = e.kwargs.at("value");
    return std::make_unique<BetweenCheck>(between, true);
  }
  if (t == "expect_column_values_to_be_in_set") return std::make_unique<SetCheck>(e, true);
  if (t == "expect_column_values_to_not_be_in_set") return std::make_unique<SetCheck>(e, false);
  if (t == "expect_column_values_to_match_regex") return std::make_unique<RegexCheck>(e, true);
  if (t == "expect_column_values_to_not_match_regex") return std::make_unique<RegexCheck>(e, false);
  if (t == "expect_column_values_to_match_strftime_format") {
    return std::make_unique<StrftimeCheck>(e);
  }
  if (t == "expect_column_values_to_be_increasing")
    return std::make_unique<MonotonicCheck>(e, true);
  if (t == "expect_column_values_to_be_decreasing") {
    return std::make_unique<MonotonicCheck>(e, false);
  }
  if (t == "expect_column_values_to_be_unique") return MakeUniqueCheck(e);
  return nullptr;
}

}  // namespace leanops::validate
