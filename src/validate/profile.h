// Profiling a CSV file, as pandas' describe() and Great Expectations'
// onboarding data assistant do: per-column statistics read in chunks, their
// JSON and text forms, and an expectation suite suggested from them.
//
//   TableProfile profile = ProfileCsv("churn.csv", options);
//   std::string text = RenderProfileText(profile);
//   Json suite = SuggestSuite(profile, "churn");   // holds on churn.csv
//
// The file is read with table::CsvReader (options.chunk_bytes per chunk,
// types from the first chunk, exactly as `leanops validate` reads it), so the
// table is never in memory whole. The statistics are exact, which costs what
// they need to keep:
//   - int64, date and timestamp columns: every non-null value, 8 bytes each
//     (int64 in the column's unit, so distinct counts are exact);
//   - float64 columns: every non-null value as a double, 8 bytes each;
//   - string columns: each distinct value once, with its count and first
//     row (about 90 bytes of hash-map node, plus the value's bytes beyond 15);
//   - bool columns: two counts.
// A 10-million-row file with 6 numeric columns therefore holds about 480 MB
// of values, plus its string columns' distinct values (an identifier column
// keeps every value); the chunk being read adds about as much again as
// options.chunk_bytes (twice: the next chunk is read while the columns of
// this one are accumulated, on all cores). Measured on churn-gen's
// 1,000,000 rows (82 MB, 9 numeric columns, an identifier): 2.3 s and
// 326 MB peak RSS, most of both for the identifier's distinct values.
//
// Conventions. Nulls are empty cells (validity 0). NaN in a float64 column
// is a value (not null: it counts in `count` and as one distinct value) but
// is left out of min, max, mean, std and the quantiles, as pandas skips it.
// Ordered statistics are doubles in the column's unit: the number, days
// since 1970-01-01 for dates, microseconds since the epoch for timestamps.
// Quantiles are numpy's default ('linear': h = (n - 1) q, interpolated
// between the sorted values at floor(h) and floor(h) + 1, with numpy's
// _lerp); std is the sample standard deviation (ddof = 1) as pandas gives.
// String lengths are in Unicode characters (UTF-8 code points), as Python's
// len() and expect_column_value_lengths_to_be_between count them.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/params_file.h"
#include "table/csv_reader.h"
#include "table/table.h"

namespace leanops::validate {

/// The quantiles every ordered column reports.
inline constexpr std::array<double, 5> kProfileQuantiles = {0.05, 0.25, 0.5, 0.75, 0.95};
/// How many of the most frequent values a string or bool column reports.
inline constexpr size_t kProfileTopValues = 10;
/// A string or bool column with at most this many distinct values lists
/// them all (ColumnProfile::distinct_values).
inline constexpr size_t kProfileListedDistinct = 20;

/// Min, max, mean, std and quantiles of an ordered column's non-NaN values,
/// in the column's unit (see above).
struct OrderedSummary {
  double min = 0;
  double max = 0;
  double mean = 0;
  std::optional<double> std;  // nullopt with fewer than two values (pandas: NaN)
  std::array<double, kProfileQuantiles.size()> quantiles{};
};

/// A value and how many rows hold it (a string, or true/false, as Json).
struct ValueCount {
  Json value;
  size_t count = 0;
  bool operator==(const ValueCount&) const = default;
};

struct ColumnProfile {
  std::string name;
  table::ColumnType type = table::ColumnType::kString;
  size_t count = 0;           // rows, nulls included (pandas' count is our count - null_count)
  size_t null_count = 0;      // empty cells
  size_t distinct_count = 0;  // distinct non-null values, exact
  size_t nan_count = 0;       // float64: NaN values (not nulls)

  /// int64, float64, date, timestamp with at least one non-NaN value.
  std::optional<OrderedSummary> ordered;
  /// string and bool: the kProfileTopValues most frequent values, most
  /// frequent first, ties in order of first appearance.
  std::vector<ValueCount> top_values;
  /// string and bool with at most kProfileListedDistinct distinct values:
  /// every distinct value, sorted (strings by bytes, false before true).
  std::vector<Json> distinct_values;
  /// string: the shortest and longest value, in characters.
  std::optional<size_t> min_length, max_length;

  size_t non_null_count() const { return count - null_count; }
  /// null_count / count; nullopt for a table without rows.
  std::optional<double> null_rate() const;
};

struct TableProfile {
  std::string path;  // as given to ProfileCsv
  size_t row_count = 0;
  std::vector<ColumnProfile> columns;  // in file order
};

/// Profiles the CSV file at `path`. Errors are CsvReader's: kData when the
/// file does not exist, is malformed or has a value that does not fit its
/// column's type (file:line:column); kIO when it cannot be read.
TableProfile ProfileCsv(const std::string& path, const table::CsvOptions& options);

/// The profile as JSON (written by profile_report.cc). For churn-gen's data:
///
///   {"path": "churn.csv", "row_count": 5000,
///    "columns": [
///     {"name": "signup_date", "type": "date", "count": 5000, "null_count": 0,
///      "null_rate": 0.0, "distinct_count": 2146, "unit": "days",
///      "min": "2018-01-07", "max": "2024-12-31", "mean": "2022-01-10T20:47:02.400000",
///      "std": 690.8610437999583,
///      "quantiles": {"0.05": "2018-10-28T21:36:00", "0.25": "2020-06-29T18:00:00",
///                    "0.5": "2022-03-09T12:00:00", "0.75": "2023-08-30T06:00:00",
///                    "0.95": "2024-10-06"}},
///     {"name": "plan", "type": "string", "count": 5000, "null_count": 0, "null_rate": 0.0,
///      "distinct_count": 4, "min_length": 5, "max_length": 10,
///      "top_values": [{"value": "basic", "count": 2261}, {"value": "standard", "count": 1519},
///                     {"value": "premium", "count": 833}, {"value": "enterprise", "count": 387}]},
///     {"name": "tenure_months", "type": "int64", "count": 5000, "null_count": 0,
///      "null_rate": 0.0, "distinct_count": 84, "min": 0, "max": 83, "mean": 35.1696,
///      "std": 22.697256859228315,
///      "quantiles": {"0.05": 2.0, "0.25": 16.0, "0.5": 33.0, "0.75": 54.0, "0.95": 74.0}},
///     {"name": "monthly_charges", "type": "float64", "count": 5000, "null_count": 119,
///      "null_rate": 0.0238, "distinct_count": 3509, "nan_count": 0, "min": 14.5, ...},
///     {"name": "active", "type": "bool", ..., "distinct_count": 2,
///      "top_values": [{"value": true, "count": 2}, {"value": false, "count": 1}]},
///     ...]}
///
/// Every column has name, type, count, null_count, null_rate (null without
/// rows) and distinct_count. Ordered columns with a non-NaN value add min,
/// max, mean, std (null with one value) and quantiles; float64 columns add
/// nan_count. Numbers are JSON numbers (int64 min and max as integers; an
/// infinity as the string "Infinity"/"-Infinity", as validation results
/// write it). Dates and timestamps add "unit" ("days", "microseconds": the
/// unit of std) and write every other statistic as ISO text: a date when the
/// value is a whole day, else a timestamp to the microsecond (rounded).
/// String and bool columns add top_values; strings also min_length and
/// max_length.
Json ProfileToJson(const TableProfile& profile);

/// A statistic of a column of `type` as ProfileToJson writes it: int64
/// whole numbers (up to 2^53) as JSON integers, dates and timestamps as ISO
/// text (see above), NaN and infinities as "NaN", "Infinity", "-Infinity".
Json OrderedValueJson(table::ColumnType type, double value);

/// A table for the terminal: the row count, then one aligned line per column
/// (type, nulls, distinct count, min, quantiles, max, mean, std; for strings
/// their lengths and most frequent values). Numbers are shortened to 6
/// significant digits and dates to the day; std is in days ("690.9d") for
/// dates and in seconds ("3600s") for timestamps; at most 3 values are shown
/// ("all distinct" for a column of distinct values). ProfileToJson is exact.
std::string RenderProfileText(const TableProfile& profile);

/// An expectation suite in Great Expectations 0.x JSON that holds on the
/// profiled data, as a starting point (written by profile_suite.cc, which
/// documents the rules): the columns in order, the row count within
/// [floor(n/2), 2n], and per column its type, its nulls, its range or set
/// of values and its uniqueness. `name` becomes expectation_suite_name.
/// Every expectation is one the catalog (catalog.h) accepts.
Json SuggestSuite(const TableProfile& profile, const std::string& name);

}  // namespace leanops::validate
