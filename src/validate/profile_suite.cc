// Suggesting an expectation suite from a profile: what a team would start
// from, to be reviewed and loosened or tightened. The suite must hold on the
// data it was profiled from, so every bound is the observed value itself
// (checked by reading it back as validation will) and every share is
// rounded down. The rules, in the order the expectations are written:
//
//   expect_table_columns_to_match_ordered_list  the columns, in file order
//   expect_table_row_count_to_be_between        [floor(n/2), 2n]: the next batch of a
//                                               feed may well be half or twice as large;
//                                               a tenth or ten times is a broken export
//   per column, in file order:
//   expect_column_values_to_be_of_type          the column's type; not for a column
//                                               without values (its type is only the
//                                               reader's default, string)
//   expect_column_values_to_not_be_null         no nulls; with nulls, `mostly` = the
//                                               non-null share rounded down to 2
//                                               decimals (0.987 -> 0.98), left out
//                                               when that is 0
//   expect_column_values_to_be_null             every row null
//   expect_column_values_to_be_between          int64, float64: [min, max] (an infinite
//                                               side open; NaN never passes, so
//                                               `mostly` = the non-NaN share rounded
//                                               down); date, timestamp: ISO [min, max]
//   expect_column_values_to_be_in_set           string: at most 20 distinct values,
//                                               seen twice each on average (values seen
//                                               once are names or free text, not
//                                               categories); bool: only one value seen
//   expect_column_values_to_be_unique           int64, string, date, timestamp without
//                                               nulls, every value distinct, 2+ rows;
//                                               not float64 (distinct measurements are
//                                               chance, not a key), and not integers
//                                               beyond 2^53, which validation compares
//                                               as doubles
#include <cmath>

#include "leanops_version.h"
#include "validate/cells.h"
#include "validate/profile.h"

namespace leanops::validate {
namespace {

using table::ColumnType;

constexpr double kExactIntegers = 9007199254740992.0;  // 2^53

Json MakeExpectation(const char* type, Json kwargs, Json observed = Json()) {
  Json meta = {{"profiler", "leanops profile"}};
  if (!observed.is_null()) meta["observed"] = std::move(observed);
  return {{"expectation_type", type}, {"kwargs", std::move(kwargs)}, {"meta", std::move(meta)}};
}

// part / whole rounded down to 2 decimals. Computed on integers, then one
// division: IEEE division rounds monotonically, so the result never exceeds
// part / whole as validation computes it, and `mostly` holds.
double FloorShare(size_t part, size_t whole) {
  return static_cast<double>(part * 100 / whole) / 100.0;
}

// `value` (the observed min or max) as a bound that validation reads back
// at or beyond it; nullopt when it cannot be written (an infinity, a date
// outside years 0000-9999).
std::optional<Json> Bound(ColumnType type, double value, bool lower) {
  if (!std::isfinite(value)) return std::nullopt;
  Json bound = OrderedValueJson(type, value);
  std::optional<double> read = NumberFor(type, bound);
  if (!read || (lower ? *read > value : *read < value)) return std::nullopt;
  return bound;
}

void SuggestNulls(const ColumnProfile& c, Json& out) {
  if (c.count == 0) return;
  if (c.null_count == 0) {
    out.push_back(MakeExpectation("expect_column_values_to_not_be_null", {{"column", c.name}}));
  } else if (c.non_null_count() == 0) {
    out.push_back(MakeExpectation("expect_column_values_to_be_null", {{"column", c.name}}));
  } else if (double mostly = FloorShare(c.non_null_count(), c.count); mostly > 0) {
    out.push_back(MakeExpectation("expect_column_values_to_not_be_null",
                                  {{"column", c.name}, {"mostly", mostly}},
                                  {{"non_null_share", static_cast<double>(c.non_null_count()) /
                                                          static_cast<double>(c.count)}}));
  }
}

void SuggestRange(const ColumnProfile& c, Json& out) {
  if (!c.ordered) return;
  std::optional<Json> lo = Bound(c.type, c.ordered->min, true);
  std::optional<Json> hi = Bound(c.type, c.ordered->max, false);
  if (!lo && !hi) return;
  Json kwargs = {
      {"column", c.name}, {"min_value", lo.value_or(Json())}, {"max_value", hi.value_or(Json())}};
  Json observed;
  if (c.nan_count > 0) {
    const double mostly = FloorShare(c.non_null_count() - c.nan_count, c.non_null_count());
    if (mostly == 0) return;
    kwargs["mostly"] = mostly;
    observed = {{"nan_count", c.nan_count}};
  }
  out.push_back(MakeExpectation("expect_column_values_to_be_between", std::move(kwargs),
                                std::move(observed)));
}

void SuggestSet(const ColumnProfile& c, Json& out) {
  if (c.distinct_values.empty()) return;  // no values, or too many to list
  const bool categories =
      c.type == ColumnType::kString && 2 * c.distinct_count <= c.non_null_count();
  const bool constant_flag = c.type == ColumnType::kBool && c.distinct_count == 1;
  if (!categories && !constant_flag) return;
  out.push_back(MakeExpectation("expect_column_values_to_be_in_set",
                                {{"column", c.name}, {"value_set", c.distinct_values}}));
}

void SuggestUnique(const ColumnProfile& c, Json& out) {
  if (c.type == ColumnType::kFloat64 || c.type == ColumnType::kBool) return;
  if (c.null_count > 0 || c.count < 2 || c.distinct_count != c.count) return;
  if (c.ordered &&
      (std::abs(c.ordered->min) > kExactIntegers || std::abs(c.ordered->max) > kExactIntegers)) {
    return;
  }
  out.push_back(MakeExpectation("expect_column_values_to_be_unique", {{"column", c.name}}));
}

}  // namespace

Json SuggestSuite(const TableProfile& profile, const std::string& name) {
  Json expectations = Json::array();
  Json names = Json::array();
  for (const ColumnProfile& c : profile.columns) names.push_back(c.name);
  expectations.push_back(
      MakeExpectation("expect_table_columns_to_match_ordered_list", {{"column_list", names}}));
  const size_t n = profile.row_count;
  expectations.push_back(MakeExpectation("expect_table_row_count_to_be_between",
                                         {{"min_value", n / 2}, {"max_value", 2 * n}},
                                         {{"row_count", n}}));
  for (const ColumnProfile& c : profile.columns) {
    if (c.non_null_count() > 0) {
      expectations.push_back(MakeExpectation(
          "expect_column_values_to_be_of_type",
          {{"column", c.name}, {"type_", std::string(table::ColumnTypeName(c.type))}}));
    }
    SuggestNulls(c, expectations);
    SuggestRange(c, expectations);
    SuggestSet(c, expectations);
    SuggestUnique(c, expectations);
  }
  return {{"expectation_suite_name", name},
          {"expectations", std::move(expectations)},
          {"meta",
           {{"profiler", "leanops profile"},
            {"leanops_version", LEANOPS_VERSION},
            {"data_asset_name", profile.path},
            {"row_count", n}}}};
}

}  // namespace leanops::validate
