#include "validate/catalog.h"

#include <fmt/format.h>

#include <algorithm>

namespace leanops::validate {
namespace {

using K = KwargType;
using Kind = ExpectationKind;

// The bounds every "between" expectation takes.
std::vector<KwargSpec> Between(std::vector<KwargSpec> more = {}) {
  std::vector<KwargSpec> kwargs = {{"column", K::kColumnName, true},
                                   {"min_value", K::kBound},
                                   {"max_value", K::kBound},
                                   {"strict_min", K::kBool},
                                   {"strict_max", K::kBool}};
  kwargs.insert(kwargs.end(), more.begin(), more.end());
  return kwargs;
}

const std::vector<ExpectationSpec>& Catalog() {
  static const std::vector<ExpectationSpec> catalog = {
      // Column map expectations: each non-null value, with `mostly`.
      {"expect_column_values_to_not_be_null", Kind::kColumnMap, {{"column", K::kColumnName, true}}},
      {"expect_column_values_to_be_null", Kind::kColumnMap, {{"column", K::kColumnName, true}}},
      {"expect_column_values_to_be_between", Kind::kColumnMap, Between()},
      {"expect_column_values_to_be_in_set",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"value_set", K::kList, true}}},
      {"expect_column_values_to_not_be_in_set",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"value_set", K::kList, true}}},
      {"expect_column_values_to_match_regex",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"regex", K::kString, true}}},
      {"expect_column_values_to_not_match_regex",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"regex", K::kString, true}}},
      {"expect_column_values_to_be_unique", Kind::kColumnMap, {{"column", K::kColumnName, true}}},
      {"expect_column_values_to_be_of_type",
       Kind::kTable,
       {{"column", K::kColumnName, true}, {"type_", K::kString, true}, {"mostly", K::kFraction}}},
      {"expect_column_values_to_be_in_type_list",
       Kind::kTable,
       {{"column", K::kColumnName, true},
        {"type_list", K::kStringList, true},
        {"mostly", K::kFraction}}},
      {"expect_column_value_lengths_to_be_between", Kind::kColumnMap, Between()},
      {"expect_column_value_lengths_to_equal",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"value", K::kInteger, true}}},
      {"expect_column_values_to_match_strftime_format",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"strftime_format", K::kString, true}}},
      {"expect_column_values_to_be_increasing",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"strictly", K::kBool}}},
      {"expect_column_values_to_be_decreasing",
       Kind::kColumnMap,
       {{"column", K::kColumnName, true}, {"strictly", K::kBool}}},

      // Table expectations.
      {"expect_column_to_exist",
       Kind::kTable,
       {{"column", K::kColumnName, true}, {"column_index", K::kInteger}}},
      {"expect_table_row_count_to_be_between",
       Kind::kTable,
       {{"min_value", K::kNumber}, {"max_value", K::kNumber}}},
      {"expect_table_row_count_to_equal", Kind::kTable, {{"value", K::kInteger, true}}},
      {"expect_table_column_count_to_be_between",
       Kind::kTable,
       {{"min_value", K::kNumber}, {"max_value", K::kNumber}}},
      {"expect_table_column_count_to_equal", Kind::kTable, {{"value", K::kInteger, true}}},
      {"expect_table_columns_to_match_ordered_list",
       Kind::kTable,
       {{"column_list", K::kStringList, true}}},
      {"expect_table_columns_to_match_set",
       Kind::kTable,
       {{"column_set", K::kStringList, true}, {"exact_match", K::kBool}}},

      // Column aggregate expectations: observed_value.
      {"expect_column_mean_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_median_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_min_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_max_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_stdev_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_sum_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_unique_value_count_to_be_between", Kind::kColumnAggregate, Between()},
      {"expect_column_proportion_of_unique_values_to_be_between", Kind::kColumnAggregate,
       Between()},
      {"expect_column_quantile_values_to_be_between",
       Kind::kColumnAggregate,
       {{"column", K::kColumnName, true},
        {"quantile_ranges", K::kObject, true},
        {"allow_relative_error", K::kAny}}},
      {"expect_column_distinct_values_to_be_in_set",
       Kind::kColumnAggregate,
       {{"column", K::kColumnName, true}, {"value_set", K::kList, true}}},
      {"expect_column_distinct_values_to_contain_set",
       Kind::kColumnAggregate,
       {{"column", K::kColumnName, true}, {"value_set", K::kList, true}}},
      {"expect_column_distinct_values_to_equal_set",
       Kind::kColumnAggregate,
       {{"column", K::kColumnName, true}, {"value_set", K::kList, true}}},
      {"expect_column_most_common_value_to_be_in_set",
       Kind::kColumnAggregate,
       {{"column", K::kColumnName, true}, {"value_set", K::kList, true}, {"ties_okay", K::kBool}}},

      // Multicolumn map expectations.
      {"expect_compound_columns_to_be_unique",
       Kind::kMultiColumnMap,
       {{"column_list", K::kStringList, true}, {"ignore_row_if", K::kString}}},
      {"expect_column_pair_values_a_to_be_greater_than_b",
       Kind::kMultiColumnMap,
       {{"column_A", K::kColumnName, true},
        {"column_B", K::kColumnName, true},
        {"or_equal", K::kBool},
        {"ignore_row_if", K::kString}}},
  };
  return catalog;
}

const char* TypeDescription(KwargType type) {
  switch (type) {
    case K::kColumnName:
    case K::kString:
      return "a string";
    case K::kNumber:
      return "a number or null";
    case K::kBound:
      return "a number, a date string or null";
    case K::kInteger:
      return "a whole number";
    case K::kFraction:
      return "a number from 0 to 1";
    case K::kBool:
      return "true or false";
    case K::kList:
      return "a list";
    case K::kStringList:
      return "a list of strings";
    case K::kObject:
      return "an object";
    case K::kAny:
      return "any value";
  }
  return "?";
}

bool HasType(const Json& value, KwargType type) {
  switch (type) {
    case K::kColumnName:
    case K::kString:
      return value.is_string();
    case K::kNumber:
      return value.is_number() || value.is_null();
    case K::kBound:
      return value.is_number() || value.is_string() || value.is_null();
    case K::kInteger:
      return value.is_number_integer() ||
             (value.is_number_float() &&
              value.get<double>() == static_cast<int64_t>(value.get<double>()));
    case K::kFraction:
      return value.is_number() && value.get<double>() >= 0 && value.get<double>() <= 1;
    case K::kBool:
      return value.is_boolean();
    case K::kList:
      return value.is_array();
    case K::kStringList:
      return value.is_array() &&
             std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
    case K::kObject:
      return value.is_object();
    case K::kAny:
      return true;
  }
  return false;
}

}  // namespace

const ExpectationSpec* FindExpectation(std::string_view type) {
  for (const ExpectationSpec& spec : Catalog()) {
    if (type == spec.type) return &spec;
  }
  return nullptr;
}

std::vector<std::string> KnownExpectationTypes() {
  std::vector<std::string> types;
  for (const ExpectationSpec& spec : Catalog()) types.emplace_back(spec.type);
  std::sort(types.begin(), types.end());
  return types;
}

std::string CheckKwargs(const ExpectationSpec& spec, const Json& kwargs) {
  if (!kwargs.is_object()) return "kwargs must be an object";
  std::vector<KwargSpec> accepted = spec.kwargs;
  if (spec.kind == Kind::kColumnMap || spec.kind == Kind::kMultiColumnMap) {
    accepted.push_back({"mostly", K::kFraction});
  }
  accepted.push_back({"result_format", K::kAny});
  accepted.push_back({"catch_exceptions", K::kBool});
  accepted.push_back({"meta", K::kObject});

  for (const auto& [name, value] : kwargs.items()) {
    auto it = std::find_if(accepted.begin(), accepted.end(),
                           [&](const KwargSpec& k) { return name == k.name; });
    if (it == accepted.end()) {
      std::string names;
      for (const KwargSpec& k : accepted)
        names += (names.empty() ? "" : ", ") + std::string(k.name);
      if (name == "row_condition" || name == "condition_parser") {
        return fmt::format("kwarg '{}' is not supported (accepted: {})", name, names);
      }
      return fmt::format("unknown kwarg '{}' (accepted: {})", name, names);
    }
    if (!HasType(value, it->type)) {
      return fmt::format("kwarg '{}' must be {}, not {}", name, TypeDescription(it->type),
                         value.dump());
    }
  }
  for (const KwargSpec& k : accepted) {
    if (k.required && !kwargs.contains(k.name)) return fmt::format("missing kwarg '{}'", k.name);
  }
  // GX's rule for every "between": at least one bound.
  const bool has_bounds =
      std::any_of(spec.kwargs.begin(), spec.kwargs.end(),
                  [](const KwargSpec& k) { return std::string_view(k.name) == "min_value"; });
  if (has_bounds && kwargs.value("min_value", Json()).is_null() &&
      kwargs.value("max_value", Json()).is_null()) {
    return "min_value and max_value cannot both be null";
  }
  return "";
}

}  // namespace leanops::validate
