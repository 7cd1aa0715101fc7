// Feature transforms: from a table's raw columns to the dense numeric
// matrix a model trains on, fitted on the training rows only and saved with
// the model so scoring applies exactly the same steps.
//
// Each input column is one of three kinds, each a fixed chain of steps:
//
//   numeric      impute -> clip -> log1p -> scale            1 output
//                (int64, float64, bool; bool reads as 0/1)
//   categorical  impute -> encode                            onehot: 1 per category
//                (string, or any column declared so)                  + 1 unknown bucket
//                                                            ordinal: 1 (category index)
//   datetime     one output per part                         1 per part
//                (date, timestamp)
//
// Steps, all optional except encode and parts:
//   impute   median | mean | most_frequent | constant (with `fill`) | none.
//            Statistics of the training rows' non-null values, as
//            scikit-learn's SimpleImputer (median averages the two middle
//            values; most_frequent takes the smallest of tied values). A
//            null left unimputed is NaN, which XGBoost treats as missing;
//            linear models refuse NaN, so their default is median.
//   clip     [min, max]; either bound may be null (open).
//   log1p    log(1 + x); a value below -1 (after clip) is an error.
//   scale    standard ((x - mean) / std, std with ddof 0, as StandardScaler;
//            a constant column is only centred) or minmax ((x - min) /
//            (max - min), a constant column becomes 0); of the training
//            values after the steps before it.
//   encode   onehot: one 0/1 output per training category (sorted), then one
//            for anything else (the unknown bucket, also nulls when not
//            imputed); categories seen fewer than `min_frequency` times in
//            training go to the unknown bucket. ordinal: the category's
//            index in the sorted training categories, the count of them for
//            an unknown value, NaN for a null.
//   parts    year, month (1-12), day (1-31), day_of_week (Monday = 0, as
//            pandas), day_of_year (1-366), hour, minute; UTC. Null -> NaN,
//            or the training median of that part when impute is median.
//
// Output names, in spec order: the column's name for numeric and ordinal,
// "col=value" and "col=__unknown__" for one-hot, "col.part" for parts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "table/table.h"
#include "train/booster.h"

namespace leanops::train {

enum class FeatureKind { kNumeric, kCategorical, kDatetime };
enum class Impute { kNone, kMedian, kMean, kMostFrequent, kConstant };
enum class Scale { kNone, kStandard, kMinMax };
enum class Encode { kOneHot, kOrdinal };
enum class DatePart { kYear, kMonth, kDay, kDayOfWeek, kDayOfYear, kHour, kMinute };

/// How one input column becomes features (what a config names).
struct FeatureSpec {
  std::string column;
  FeatureKind kind = FeatureKind::kNumeric;
  Impute impute = Impute::kNone;
  nlohmann::ordered_json fill;  // the constant for Impute::kConstant (number or string)
  std::optional<double> clip_min, clip_max;
  bool log1p = false;
  Scale scale = Scale::kNone;
  Encode encode = Encode::kOneHot;
  int64_t min_frequency = 1;
  std::vector<DatePart> parts;
};

/// Reads one spec from its config form, e.g. {impute: median, scale:
/// standard}; `where` prefixes errors ("train.yaml: features.numeric.age").
FeatureSpec ParseFeatureSpec(const std::string& column, FeatureKind kind,
                             const nlohmann::ordered_json& options, const std::string& where);
/// The config form of a spec (what ParseFeatureSpec reads back).
nlohmann::ordered_json FeatureSpecToJson(const FeatureSpec& spec);

std::string_view FeatureKindName(FeatureKind kind);  // "numeric", "categorical", "datetime"
std::string_view DatePartName(DatePart part);        // "year", "day_of_week", ...

/// A cell as a number: int64, float64 and bool values; NaN for a null or
/// another type.
double CellNumber(const table::Column& column, size_t row);
/// A cell's text as a CSV would hold it: strings as they are, numbers in
/// their shortest round-trip form, bools true/false (non-null cells).
std::string CellText(const table::Column& column, size_t row);

/// The column of an input table a model needs, with the type it was trained on.
struct InputColumn {
  std::string name;
  table::ColumnType type;
};

class FeatureTransform {
 public:
  /// Fits every spec on `rows` of `table` (sorted row indexes). Throws kData
  /// naming the column when a spec does not fit its column's type.
  static FeatureTransform Fit(const table::Table& table, std::span<const uint32_t> rows,
                              std::vector<FeatureSpec> specs);

  /// The matrix of `rows` of `table` (all rows when `rows` is empty).
  /// Columns are found by name; a missing one, or one of another type than
  /// in training, is kData naming it. Runs on `jobs` threads.
  template <typename T>
  Matrix<T> Apply(const table::Table& table, std::span<const uint32_t> rows, int jobs) const;

  const std::vector<std::string>& output_names() const { return output_names_; }
  size_t width() const { return output_names_.size(); }
  /// The raw columns read, in spec order, with their training types.
  std::vector<InputColumn> inputs() const;
  std::vector<FeatureSpec> specs() const;

  /// The fitted state (specs, statistics, categories) as JSON, and back;
  /// numbers are written so that they read back bit for bit.
  nlohmann::ordered_json ToJson() const;
  static FeatureTransform FromJson(const nlohmann::ordered_json& json, const std::string& source);

  struct Fitted;  // one spec with its learned state (features.cc)
  FeatureTransform();
  ~FeatureTransform();
  // Copyable: the fitted state is plain data, and each model of a tuning
  // run takes a copy of the transforms fitted once.
  FeatureTransform(const FeatureTransform&);
  FeatureTransform& operator=(const FeatureTransform&);
  FeatureTransform(FeatureTransform&&) noexcept;
  FeatureTransform& operator=(FeatureTransform&&) noexcept;

 private:
  std::vector<Fitted> fitted_;
  std::vector<std::string> output_names_;
};

}  // namespace leanops::train
