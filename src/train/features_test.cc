// Tests of the feature transforms: each step's statistics against values
// worked out by hand (scikit-learn's definitions), encodings, date parts,
// errors, and the saved form reproducing the same matrix bit for bit.
#include "train/features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "table/value_parsing.h"

namespace leanops::train {
namespace {

using table::Column;
using table::ColumnType;
using table::Table;
using Json = nlohmann::ordered_json;

Column Numbers(const std::string& name, std::vector<std::optional<double>> values) {
  Column c(name, ColumnType::kFloat64);
  for (const auto& v : values) v ? c.AppendFloat64(*v) : c.AppendNull();
  return c;
}

Column Texts(const std::string& name, std::vector<std::optional<std::string>> values) {
  Column c(name, ColumnType::kString);
  for (const auto& v : values) v ? c.AppendString(*v) : c.AppendNull();
  return c;
}

FeatureSpec Spec(const std::string& column, FeatureKind kind, const std::string& options_json) {
  return ParseFeatureSpec(column, kind, Json::parse(options_json), "test");
}

std::vector<double> ColumnOf(const Matrix<double>& m, size_t c) {
  std::vector<double> out;
  for (size_t r = 0; r < m.rows; ++r) out.push_back(m.row(r)[c]);
  return out;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    return e.what();
  }
  return "(no error)";
}

TEST(FeaturesTest, MedianImputeThenStandardScaleUsesTrainingRowsOnly) {
  Table t;
  // Training rows 0-4: 1, 2, null, 4, 10 (median 3 = mean of 2 and 4).
  t.AddColumn(Numbers("x", {1, 2, std::nullopt, 4, 10, 1000}));
  std::vector<uint32_t> train = {0, 1, 2, 3, 4};
  FeatureTransform f = FeatureTransform::Fit(
      t, train, {Spec("x", FeatureKind::kNumeric, R"({"impute": "median", "scale": "standard"})")});
  ASSERT_EQ(f.output_names(), std::vector<std::string>{"x"});
  // After imputing: 1 2 3 4 10; mean 4, population std sqrt(50/5) = sqrt(10).
  Matrix<double> m = f.Apply<double>(t, {}, 1);
  double s = std::sqrt(10.0);
  std::vector<double> expected = {-3 / s, -2 / s, -1 / s, 0, 6 / s, 996 / s};
  std::vector<double> got = ColumnOf(m, 0);
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << i;
}

TEST(FeaturesTest, MeanAndMostFrequentAndConstantImpute) {
  Table t;
  t.AddColumn(Numbers("x", {3, 1, 3, 1, std::nullopt, 7}));
  auto fill_of = [&](const std::string& options) {
    FeatureTransform f = FeatureTransform::Fit(t, std::vector<uint32_t>{0, 1, 2, 3, 4, 5},
                                               {Spec("x", FeatureKind::kNumeric, options)});
    return f.Apply<double>(t, {}, 1).row(4)[0];
  };
  EXPECT_DOUBLE_EQ(fill_of(R"({"impute": "mean"})"), 3.0);
  // 1 and 3 both appear twice: the smallest wins, as SimpleImputer.
  EXPECT_DOUBLE_EQ(fill_of(R"({"impute": "most_frequent"})"), 1.0);
  EXPECT_DOUBLE_EQ(fill_of(R"({"impute": "constant", "fill": -1})"), -1.0);
  EXPECT_TRUE(std::isnan(fill_of(R"({})")));
}

TEST(FeaturesTest, ClipComesBeforeLog1pAndMinMaxScalesTheResult) {
  Table t;
  t.AddColumn(Numbers("x", {-5, 0, std::exp(2.0) - 1, 1e9}));
  FeatureTransform f =
      FeatureTransform::Fit(t, std::vector<uint32_t>{0, 1, 2, 3},
                            {Spec("x", FeatureKind::kNumeric,
                                  R"({"clip": [0, 1000], "log1p": true, "scale": "minmax"})")});
  std::vector<double> got = ColumnOf(f.Apply<double>(t, {}, 1), 0);
  double top = std::log1p(1000.0);
  EXPECT_DOUBLE_EQ(got[0], 0.0);
  EXPECT_DOUBLE_EQ(got[1], 0.0);
  EXPECT_NEAR(got[2], 2.0 / top, 1e-15);
  EXPECT_DOUBLE_EQ(got[3], 1.0);
}

TEST(FeaturesTest, Log1pBelowMinusOneIsAnErrorNamingTheColumn) {
  Table t;
  t.AddColumn(Numbers("debt", {-3, 1}));
  EXPECT_NE(ErrorOf([&] {
              FeatureTransform::Fit(t, std::vector<uint32_t>{0, 1},
                                    {Spec("debt", FeatureKind::kNumeric, R"({"log1p": true})")})
                  .Apply<double>(t, {}, 1);
            }).find("column 'debt': log1p of -3"),
            std::string::npos);
}

TEST(FeaturesTest, OneHotHasSortedCategoriesAndAnUnknownBucket) {
  Table train;
  train.AddColumn(Texts("plan", {"pro", "basic", "pro", std::nullopt}));
  FeatureTransform f = FeatureTransform::Fit(train, std::vector<uint32_t>{0, 1, 2, 3},
                                             {Spec("plan", FeatureKind::kCategorical, "{}")});
  EXPECT_EQ(f.output_names(),
            (std::vector<std::string>{"plan=basic", "plan=pro", "plan=__unknown__"}));
  Table score;
  score.AddColumn(Texts("plan", {"basic", "enterprise", std::nullopt, "pro"}));
  Matrix<float> m = f.Apply<float>(score, {}, 2);
  std::vector<float> expected = {1, 0, 0, /**/ 0, 0, 1, /**/ 0, 0, 1, /**/ 0, 1, 0};
  EXPECT_EQ(m.values, expected);
}

TEST(FeaturesTest, MostFrequentImputeAndMinFrequency) {
  Table t;
  t.AddColumn(Texts("c", {"a", "b", "b", "c", std::nullopt}));
  FeatureTransform f = FeatureTransform::Fit(
      t, std::vector<uint32_t>{0, 1, 2, 3, 4},
      {Spec("c", FeatureKind::kCategorical, R"({"impute": "most_frequent", "min_frequency": 2})")});
  // Only "b" is seen twice; "a" and "c" go to the unknown bucket.
  EXPECT_EQ(f.output_names(), (std::vector<std::string>{"c=b", "c=__unknown__"}));
  Matrix<double> m = f.Apply<double>(t, {}, 1);
  EXPECT_EQ(m.values, (std::vector<double>{0, 1, 1, 0, 1, 0, 0, 1, 1, 0}));
}

TEST(FeaturesTest, OrdinalIsTheSortedIndexWithUnknownLastAndNullNaN) {
  Table t;
  t.AddColumn(Texts("size", {"m", "s", "l"}));
  FeatureTransform f =
      FeatureTransform::Fit(t, std::vector<uint32_t>{0, 1, 2},
                            {Spec("size", FeatureKind::kCategorical, R"({"encode": "ordinal"})")});
  Table score;
  score.AddColumn(Texts("size", {"l", "m", "s", "xl", std::nullopt}));
  std::vector<double> got = ColumnOf(f.Apply<double>(score, {}, 1), 0);
  EXPECT_EQ(got[0], 0);
  EXPECT_EQ(got[1], 1);
  EXPECT_EQ(got[2], 2);
  EXPECT_EQ(got[3], 3);
  EXPECT_TRUE(std::isnan(got[4]));
}

TEST(FeaturesTest, NumbersCanBeCategorical) {
  Table t;
  Column zip("zip", ColumnType::kInt64);
  for (int64_t v : {10115, 80331, 10115}) zip.AppendInt64(v);
  t.AddColumn(std::move(zip));
  FeatureTransform f = FeatureTransform::Fit(t, std::vector<uint32_t>{0, 1, 2},
                                             {Spec("zip", FeatureKind::kCategorical, "{}")});
  EXPECT_EQ(f.output_names(),
            (std::vector<std::string>{"zip=10115", "zip=80331", "zip=__unknown__"}));
}

TEST(FeaturesTest, DateAndTimestampParts) {
  Table t;
  Column day("day", ColumnType::kDate);
  int64_t d = 0;
  ASSERT_TRUE(table::ParseDate("2024-03-10", &d));  // a Sunday, day 70 of a leap year
  day.AppendInt64(d);
  day.AppendNull();
  t.AddColumn(std::move(day));
  Column at("at", ColumnType::kTimestamp);
  int64_t us = 0;
  ASSERT_TRUE(table::ParseTimestamp("1969-12-31T23:45:00Z", &us));  // before the epoch
  at.AppendInt64(us);
  at.AppendInt64(us);
  t.AddColumn(std::move(at));
  FeatureTransform f = FeatureTransform::Fit(
      t, std::vector<uint32_t>{0, 1},
      {Spec("day", FeatureKind::kDatetime,
            R"({"parts": ["year", "month", "day", "day_of_week", "day_of_year"]})"),
       Spec("at", FeatureKind::kDatetime,
            R"({"parts": ["year", "day_of_week", "hour", "minute"]})")});
  EXPECT_EQ(f.output_names(),
            (std::vector<std::string>{"day.year", "day.month", "day.day", "day.day_of_week",
                                      "day.day_of_year", "at.year", "at.day_of_week", "at.hour",
                                      "at.minute"}));
  Matrix<double> m = f.Apply<double>(t, {}, 1);
  std::vector<double> row0(m.row(0), m.row(0) + m.cols);
  EXPECT_EQ(row0, (std::vector<double>{2024, 3, 10, 6, 70, 1969, 2, 23, 45}));
  EXPECT_TRUE(std::isnan(m.row(1)[0]));
}

TEST(FeaturesTest, DatetimeMedianImputeFillsNulls) {
  Table t;
  Column day("day", ColumnType::kDate);
  for (const char* text : {"2024-01-15", "2024-03-15", "2024-05-15"}) {
    int64_t d = 0;
    ASSERT_TRUE(table::ParseDate(text, &d));
    day.AppendInt64(d);
  }
  day.AppendNull();
  t.AddColumn(std::move(day));
  FeatureTransform f = FeatureTransform::Fit(
      t, std::vector<uint32_t>{0, 1, 2, 3},
      {Spec("day", FeatureKind::kDatetime, R"({"parts": ["month"], "impute": "median"})")});
  EXPECT_EQ(f.Apply<double>(t, {}, 1).row(3)[0], 3);
}

TEST(FeaturesTest, SavedFormAppliesBitForBitTheSame) {
  Table t;
  t.AddColumn(Numbers("x", {0.1, 0.7, std::nullopt, 1.0 / 3, 2e-9}));
  t.AddColumn(Texts("c", {"a", "b", "a", std::nullopt, "z"}));
  std::vector<uint32_t> rows = {0, 1, 2, 3};
  FeatureTransform f = FeatureTransform::Fit(
      t, rows,
      {Spec("x", FeatureKind::kNumeric,
            R"({"impute": "mean", "scale": "standard", "clip": [null, 0.9]})"),
       Spec("c", FeatureKind::kCategorical, R"({"impute": "constant", "fill": "b"})")});
  FeatureTransform back = FeatureTransform::FromJson(Json::parse(f.ToJson().dump()), "saved");
  Matrix<double> a = f.Apply<double>(t, {}, 1);
  Matrix<double> b = back.Apply<double>(t, {}, 3);
  ASSERT_EQ(a.values.size(), b.values.size());
  EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)), 0);
  EXPECT_EQ(back.output_names(), f.output_names());
  EXPECT_EQ(back.ToJson().dump(), f.ToJson().dump());
}

TEST(FeaturesTest, ScoringChecksColumnsAndTypes) {
  Table t;
  t.AddColumn(Numbers("x", {1, 2}));
  FeatureTransform f = FeatureTransform::Fit(t, std::vector<uint32_t>{0, 1},
                                             {Spec("x", FeatureKind::kNumeric, "{}")});
  Table missing;
  missing.AddColumn(Numbers("y", {1}));
  EXPECT_NE(ErrorOf([&] { f.Apply<double>(missing, {}, 1); }).find("no column 'x'"),
            std::string::npos);
  Table retyped;
  retyped.AddColumn(Texts("x", {"1"}));
  EXPECT_NE(ErrorOf([&] {
              f.Apply<double>(retyped, {}, 1);
            }).find("column 'x' is string here but was float64 in training"),
            std::string::npos);
}

TEST(FeaturesTest, SpecsAreCheckedWithTheAcceptedOptionsListed) {
  std::string unknown =
      ErrorOf([] { Spec("x", FeatureKind::kNumeric, R"({"scael": "standard"})"); });
  EXPECT_NE(unknown.find("test.scael: unknown option for a numeric feature (accepted: impute, "
                         "fill, clip, log1p, scale)"),
            std::string::npos)
      << unknown;
  EXPECT_NE(ErrorOf([] {
              Spec("c", FeatureKind::kCategorical, R"({"impute": "mean"})");
            }).find("'mean' does not apply to a categorical feature"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Spec("x", FeatureKind::kNumeric, R"({"impute": "constant"})");
            }).find("'constant' needs a 'fill' value"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Spec("d", FeatureKind::kDatetime, R"({"parts": ["week"]})");
            }).find("\"week\" is not one of: year, month, day, day_of_week"),
            std::string::npos);
  Table t;
  t.AddColumn(Texts("s", {"a"}));
  EXPECT_NE(ErrorOf([&] {
              FeatureTransform::Fit(t, std::vector<uint32_t>{0},
                                    {Spec("s", FeatureKind::kNumeric, "{}")});
            }).find("column 's' is string, not a number"),
            std::string::npos);
}

}  // namespace
}  // namespace leanops::train
