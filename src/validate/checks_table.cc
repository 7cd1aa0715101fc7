// Table expectations (the table's shape) and multicolumn map expectations
// (each row judged over several columns).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "validate/cells.h"
#include "validate/check.h"

namespace leanops::validate {
namespace {

using table::Column;

std::vector<std::string> Names(const Json& list) {
  std::vector<std::string> names;
  for (const Json& name : list) names.push_back(name.get<std::string>());
  return names;
}

// Judges what the first chunk shows of the columns and the total row count.
class ShapeCheck : public Check {
 public:
  explicit ShapeCheck(const Expectation& e) : type_(e.type), kwargs_(e.kwargs) {}

  void Begin(const std::vector<std::string>& file_columns) override { columns_ = file_columns; }
  void Add(const table::Table& chunk, size_t) override {
    if (types_.empty()) {
      for (const Column& column : chunk.columns()) types_[column.name()] = column.type();
    }
    rows_ += chunk.num_rows();
  }

  bool Finish(Json& result) override {
    if (type_ == "expect_table_row_count_to_be_between" ||
        type_ == "expect_table_column_count_to_be_between") {
      size_t observed = type_ == "expect_table_row_count_to_be_between" ? rows_ : columns_.size();
      result["observed_value"] = observed;
      Json lo = kwargs_.value("min_value", Json()), hi = kwargs_.value("max_value", Json());
      auto n = static_cast<double>(observed);
      return (lo.is_null() || n >= lo.get<double>()) && (hi.is_null() || n <= hi.get<double>());
    }
    if (type_ == "expect_table_row_count_to_equal" ||
        type_ == "expect_table_column_count_to_equal") {
      size_t observed = type_ == "expect_table_row_count_to_equal" ? rows_ : columns_.size();
      result["observed_value"] = observed;
      return static_cast<double>(observed) == kwargs_.at("value").get<double>();
    }
    if (type_ == "expect_column_values_to_be_of_type" ||
        type_ == "expect_column_values_to_be_in_type_list") {
      // Judged on the column's type, as GX's pandas backend judges the dtype.
      const std::string name = kwargs_.at("column").get<std::string>();
      auto it = types_.find(name);
      if (it == types_.end()) ThrowData("column '{}' does not exist", name);
      table::ColumnType type = it->second;
      result["observed_value"] = std::string(table::ColumnTypeName(type));
      const Json wanted = type_ == "expect_column_values_to_be_of_type"
                              ? Json::array({kwargs_.at("type_")})
                              : kwargs_.at("type_list");
      return std::any_of(wanted.begin(), wanted.end(), [&](const Json& name) {
        return TypeMatches(name.get<std::string>(), type);
      });
    }
    if (type_ == "expect_column_to_exist") {
      const std::string name = kwargs_.at("column").get<std::string>();
      auto it = std::find(columns_.begin(), columns_.end(), name);
      if (it == columns_.end()) return false;
      Json index = kwargs_.value("column_index", Json());
      return index.is_null() || index.get<int64_t>() == it - columns_.begin();
    }
    if (type_ == "expect_table_columns_to_match_ordered_list") {
      result["observed_value"] = columns_;
      const std::vector<std::string> wanted = Names(kwargs_.at("column_list"));
      if (wanted == columns_) return true;
      Json mismatched = Json::array();
      for (size_t i = 0; i < std::max(wanted.size(), columns_.size()); ++i) {
        Json expected = i < wanted.size() ? Json(wanted[i]) : Json();
        Json found = i < columns_.size() ? Json(columns_[i]) : Json();
        if (expected != found) {
          mismatched.push_back(
              {{"Expected Column Position", i}, {"Expected", expected}, {"Found", found}});
        }
      }
      result["details"] = {{"mismatched", mismatched}};
      return false;
    }
    // expect_table_columns_to_match_set
    result["observed_value"] = columns_;
    const std::vector<std::string> wanted = Names(kwargs_.at("column_set"));
    std::set<std::string> want(wanted.begin(), wanted.end());
    std::set<std::string> have(columns_.begin(), columns_.end());
    Json unexpected = Json::array(), missing = Json::array();
    for (const std::string& name : have) {
      if (!want.count(name)) unexpected.push_back(name);
    }
    for (const std::string& name : want) {
      if (!have.count(name)) missing.push_back(name);
    }
    result["details"] = {{"mismatched", {{"unexpected", unexpected}, {"missing", missing}}}};
    if (!missing.empty()) return false;
    return unexpected.empty() || !kwargs_.value("exact_match", true);
  }

 private:
  // Type names as suites write them: leanops', numpy/pandas dtypes, Python
  // and SQL names.
  static bool TypeMatches(const std::string& name, table::ColumnType type) {
    static const std::map<std::string, std::vector<table::ColumnType>> kNames = [] {
      using T = table::ColumnType;
      std::map<std::string, std::vector<T>> names;
      for (const char* n :
           {"int64", "int", "int32", "integer", "INTEGER", "BIGINT", "Int64", "long"})
        names[n] = {T::kInt64};
      for (const char* n :
           {"float64", "float", "float32", "double", "FLOAT", "DOUBLE", "REAL", "Float64"})
        names[n] = {T::kFloat64};
      for (const char* n : {"bool", "boolean", "BOOLEAN"}) names[n] = {T::kBool};
      for (const char* n : {"string", "str", "object", "VARCHAR", "TEXT", "STRING"})
        names[n] = {T::kString};
      for (const char* n : {"date", "DATE"}) names[n] = {T::kDate};
      for (const char* n : {"timestamp", "datetime", "datetime64", "datetime64[ns]", "TIMESTAMP"})
        names[n] = {T::kTimestamp, T::kDate};
      return names;
    }();
    auto it = kNames.find(name);
    return it != kNames.end() &&
           std::find(it->second.begin(), it->second.end(), type) != it->second.end();
  }

  std::string type_;
  Json kwargs_;
  std::vector<std::string> columns_;
  std::map<std::string, table::ColumnType> types_;  // of the columns read
  size_t rows_ = 0;
};

// Rows judged over several columns; `ignore_row_if` as GX: "all_values_are_missing"
// (the default for compound uniqueness), "any_value_is_missing", "never".
class RowCheck : public Check {
 public:
  explicit RowCheck(const Expectation& e)
      : type_(e.type),
        mostly_(e.kwargs.value("mostly", 1.0)),
        or_equal_(e.kwargs.value("or_equal", false)) {
    if (type_ == "expect_compound_columns_to_be_unique") {
      columns_ = Names(e.kwargs.at("column_list"));
      ignore_ = e.kwargs.value("ignore_row_if", std::string("all_values_are_missing"));
    } else {
      columns_ = {e.kwargs.at("column_A").get<std::string>(),
                  e.kwargs.at("column_B").get<std::string>()};
      ignore_ = e.kwargs.value("ignore_row_if", std::string("both_values_are_missing"));
    }
    static const std::set<std::string> kIgnores = {"all_values_are_missing", "any_value_is_missing",
                                                   "both_values_are_missing",
                                                   "either_value_is_missing", "never"};
    if (!kIgnores.count(ignore_)) {
      ThrowData(
          "{}: ignore_row_if '{}' is not one of all_values_are_missing, "
          "any_value_is_missing, both_values_are_missing, either_value_is_missing, never",
          type_, ignore_);
    }
  }

  void Add(const table::Table& chunk, size_t first_row) override {
    std::vector<const Column*> columns;
    for (const std::string& name : columns_) columns.push_back(&RequireColumn(chunk, name));
    const bool pair = type_ != "expect_compound_columns_to_be_unique";
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      ++element_count_;
      size_t nulls = 0;
      for (const Column* column : columns) nulls += column->IsNull(row);
      bool ignored = (ignore_ == "all_values_are_missing" || ignore_ == "both_values_are_missing")
                         ? nulls == columns.size()
                         : (ignore_ == "never" ? false : nulls > 0);
      if (ignored) {
        ++missing_count_;
        continue;
      }
      Json values = Json::array();
      for (const Column* column : columns) values.push_back(CellJson(*column, row));
      if (pair) {
        const Column& a = *columns[0];
        const Column& b = *columns[1];
        bool ok = false;
        if (!a.IsNull(row) && !b.IsNull(row)) {
          if (IsOrdered(a.type()) && IsOrdered(b.type())) {
            double x = CellNumber(a, row), y = CellNumber(b, row);
            ok = or_equal_ ? x >= y : x > y;
          } else {
            std::string x = CellText(a, row), y = CellText(b, row);
            ok = or_equal_ ? x >= y : x > y;
          }
        }
        if (!ok) Unexpected(values, first_row + row);
      } else {
        std::string key = values.dump();
        auto [it, fresh] = seen_.emplace(key, Seen{first_row + row, 1, values});
        if (!fresh) {
          if (it->second.count++ == 1) {
            duplicates_.push_back(it->second.first_row);
            duplicate_values_.emplace(it->second.first_row, it->second.values);
          }
          duplicates_.push_back(first_row + row);
          duplicate_values_.emplace(first_row + row, values);
        }
      }
    }
  }

  bool Finish(Json& result) override {
    if (type_ == "expect_compound_columns_to_be_unique") {
      std::sort(duplicates_.begin(), duplicates_.end());
      for (size_t row : duplicates_) Unexpected(duplicate_values_.at(row), row);
    }
    const bool holds = FinishMapCounts({element_count_, missing_count_, unexpected_count_}, mostly_,
                                       false, result);
    result["partial_unexpected_list"] = partial_;
    result["partial_unexpected_index_list"] = partial_index_;
    return holds;
  }

 private:
  struct Seen {
    size_t first_row;
    size_t count;
    Json values;
  };

  void Unexpected(const Json& values, size_t row) {
    ++unexpected_count_;
    if (partial_.size() < kPartialUnexpectedCount) {
      Json entry = Json::object();
      for (size_t i = 0; i < columns_.size(); ++i) entry[columns_[i]] = values[i];
      partial_.push_back(std::move(entry));
      partial_index_.push_back(row);
    }
  }

  std::string type_;
  double mostly_;
  bool or_equal_;
  std::vector<std::string> columns_;
  std::string ignore_;
  size_t element_count_ = 0, missing_count_ = 0, unexpected_count_ = 0;
  Json partial_ = Json::array(), partial_index_ = Json::array();
  std::unordered_map<std::string, Seen> seen_;
  std::vector<size_t> duplicates_;
  std::unordered_map<size_t, Json> duplicate_values_;
};

}  // namespace

std::unique_ptr<Check> MakeTableCheck(const Expectation& e) {
  if (e.type == "expect_compound_columns_to_be_unique" ||
      e.type == "expect_column_pair_values_a_to_be_greater_than_b") {
    return std::make_unique<RowCheck>(e);
  }
  return std::make_unique<ShapeCheck>(e);
}

std::unique_ptr<Check> MakeCheck(const Expectation& e) {
  if (auto check = MakeColumnMapCheck(e)) return check;
  if (auto check = MakeAggregateCheck(e)) return check;
  if (e.type.rfind("expect_table_", 0) == 0 || e.type == "expect_column_to_exist" ||
      e.type == "expect_column_values_to_be_of_type" ||
      e.type == "expect_column_values_to_be_in_type_list" ||
      e.type == "expect_compound_columns_to_be_unique" ||
      e.type == "expect_column_pair_values_a_to_be_greater_than_b") {
    return MakeTableCheck(e);
  }
  ThrowInternal("no check evaluates '{}'", e.type);
}

std::vector<std::string> ColumnsRead(const Expectation& e) {
  std::vector<std::string> names;
  if (e.type.rfind("expect_table_", 0) == 0 || e.type == "expect_column_to_exist") return names;
  for (const char* key : {"column", "column_A", "column_B"}) {
    auto it = e.kwargs.find(key);
    if (it != e.kwargs.end() && it->is_string()) names.push_back(it->get<std::string>());
  }
  auto list = e.kwargs.find("column_list");
  if (list != e.kwargs.end() && list->is_array()) {
    for (const Json& name : *list) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
  }
  return names;
}

}  // namespace leanops::validate
