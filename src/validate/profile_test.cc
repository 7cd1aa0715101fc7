#include "validate/profile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "validate/suite.h"
#include "validate/validator.h"

namespace leanops::validate {
namespace {

using table::ColumnType;

// Five rows with a null in most columns. The expected statistics below are
// numpy's and pandas' (numpy 1.24, pandas 1.5: np.quantile(v, q),
// Series.std(), DataFrame.describe()).
constexpr const char* kCsv =
    "id,age,score,plan,joined,active,empty\n"
    "1,34,1.5,basic,2024-01-05,true,\n"
    "2,,nan,premium,2024-02-10,false,\n"
    "3,51,,basic,2024-03-15,true,\n"
    "4,29,-2.5,,2024-04-20,true,\n"
    "5,42,1.5,café,,false,\n";

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("leanops-profile-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  TableProfile Profile(const std::string& text, table::CsvOptions options = {}) {
    return ProfileCsv(Write("data.csv", text), options);
  }
  static const ColumnProfile& Col(const TableProfile& profile, const std::string& name) {
    for (const ColumnProfile& column : profile.columns) {
      if (column.name == name) return column;
    }
    ADD_FAILURE() << "no column " << name;
    return profile.columns.front();
  }
  // Validates `path` against `suite` (a SuggestSuite document), written to
  // disk and read back as `leanops validate` reads it.
  Json Validate(const std::string& path, const Json& suite) {
    Suite parsed = ParseSuite(suite.dump(2), "suggested.json");
    return ValidateCsv(path, parsed, {}, "2026-01-01T00:00:00Z");
  }

  std::filesystem::path dir_;
};

TEST_F(ProfileTest, CountsRowsNullsAndDistinctValues) {
  TableProfile p = Profile(kCsv);
  EXPECT_EQ(p.row_count, 5u);
  ASSERT_EQ(p.columns.size(), 7u);
  const ColumnProfile& age = Col(p, "age");
  EXPECT_EQ(age.type, ColumnType::kInt64);
  EXPECT_EQ(age.count, 5u);
  EXPECT_EQ(age.null_count, 1u);
  EXPECT_EQ(age.non_null_count(), 4u);
  EXPECT_DOUBLE_EQ(age.null_rate().value(), 0.2);
  EXPECT_EQ(age.distinct_count, 4u);
  EXPECT_EQ(Col(p, "id").distinct_count, 5u);
  EXPECT_EQ(Col(p, "id").null_rate().value(), 0.0);
}

TEST_F(ProfileTest, OrderedStatisticsAreNumpys) {
  const TableProfile p = Profile(kCsv);
  const ColumnProfile& age = Col(p, "age");
  ASSERT_TRUE(age.ordered.has_value());
  const OrderedSummary& s = *age.ordered;
  // Sorted values 29, 34, 42, 51; mean 156 / 4 = 39; deviations -10, -5, 3,
  // 12, squares sum to 278, std = sqrt(278 / 3) = 9.626352718795768.
  EXPECT_EQ(s.min, 29);
  EXPECT_EQ(s.max, 51);
  EXPECT_EQ(s.mean, 39);
  EXPECT_DOUBLE_EQ(s.std.value(), std::sqrt(278.0 / 3));
  // h = (n - 1) q = 3q:
  //   0.05: h = 0.15, 29 + 0.15 * 5          = 29.75
  //   0.25: h = 0.75, 34 - 0.25 * 5 (t>=0.5) = 32.75
  //   0.5:  h = 1.5,  42 - 0.5 * 8           = 38
  //   0.75: h = 2.25, 42 + 0.25 * 9          = 44.25
  //   0.95: h = 2.85, 51 - 0.15 * 9          = 49.65
  // np.quantile([29, 34, 42, 51], [.05, .25, .5, .75, .95]) gives exactly these.
  EXPECT_EQ(s.quantiles[0], 29.75);
  EXPECT_EQ(s.quantiles[1], 32.75);
  EXPECT_EQ(s.quantiles[2], 38.0);
  EXPECT_EQ(s.quantiles[3], 44.25);
  EXPECT_EQ(s.quantiles[4], 49.65);
}

TEST_F(ProfileTest, NanIsAValueButNotAStatistic) {
  const TableProfile p = Profile(kCsv);
  const ColumnProfile& score = Col(p, "score");
  EXPECT_EQ(score.type, ColumnType::kFloat64);
  EXPECT_EQ(score.null_count, 1u);
  EXPECT_EQ(score.nan_count, 1u);
  EXPECT_EQ(score.distinct_count, 3u);  // 1.5, -2.5 and NaN
  ASSERT_TRUE(score.ordered.has_value());
  // Over -2.5, 1.5, 1.5 (pandas skips NaN): mean 1/6, std 2.3094010767585034;
  // h = 2q: 0.05 -> -2.5 + 0.1 * 4 = -2.1, 0.25 -> 1.5 - 0.5 * 4 = -0.5, the rest 1.5.
  EXPECT_EQ(score.ordered->min, -2.5);
  EXPECT_EQ(score.ordered->max, 1.5);
  EXPECT_DOUBLE_EQ(score.ordered->mean, 1.0 / 6);
  EXPECT_DOUBLE_EQ(score.ordered->std.value(), 2.3094010767585034);
  EXPECT_DOUBLE_EQ(score.ordered->quantiles[0], -2.1);
  EXPECT_EQ(score.ordered->quantiles[1], -0.5);
  EXPECT_EQ(score.ordered->quantiles[2], 1.5);
  EXPECT_EQ(score.ordered->quantiles[4], 1.5);
}

TEST_F(ProfileTest, InfinitiesAndSingleValues) {
  TableProfile p = Profile("x,y\ninf,7\n1,\n2,\n");
  const ColumnProfile& x = Col(p, "x");
  EXPECT_EQ(x.ordered->max, INFINITY);
  EXPECT_EQ(x.ordered->mean, INFINITY);
  EXPECT_TRUE(std::isnan(x.ordered->std.value()));  // pandas: NaN
  Json json = ProfileToJson(p);
  EXPECT_EQ(json["columns"][0]["max"], "Infinity");
  EXPECT_EQ(json["columns"][0]["std"], "NaN");
  // One value: every quantile is that value; std needs two (pandas: NaN).
  const ColumnProfile& y = Col(p, "y");
  EXPECT_EQ(y.ordered->quantiles[0], 7);
  EXPECT_EQ(y.ordered->quantiles[4], 7);
  EXPECT_FALSE(y.ordered->std.has_value());
  EXPECT_TRUE(json["columns"][1]["std"].is_null());
}

TEST_F(ProfileTest, StringsHaveTopValuesLengthsAndDistinctValues) {
  const TableProfile p = Profile(kCsv);
  const ColumnProfile& plan = Col(p, "plan");
  EXPECT_EQ(plan.type, ColumnType::kString);
  EXPECT_EQ(plan.null_count, 1u);
  EXPECT_EQ(plan.distinct_count, 3u);
  // basic twice; premium and café once each, in order of first appearance.
  std::vector<ValueCount> top = {{"basic", 2}, {"premium", 1}, {"café", 1}};
  EXPECT_EQ(plan.top_values, top);
  EXPECT_EQ(plan.distinct_values, (std::vector<Json>{"basic", "café", "premium"}));
  EXPECT_EQ(plan.min_length, 4u);  // "café": 4 characters, 5 bytes
  EXPECT_EQ(plan.max_length, 7u);
  EXPECT_FALSE(plan.ordered.has_value());
}

TEST_F(ProfileTest, TopValuesStopAtTenAndListAtMostTwenty) {
  std::string csv = "v\n";
  for (int i = 0; i < 21; ++i) {
    for (int k = 0; k <= i % 3; ++k) csv += "v" + std::to_string(i) + "\n";
  }
  const TableProfile p = Profile(csv);
  const ColumnProfile& v = Col(p, "v");
  EXPECT_EQ(v.distinct_count, 21u);
  ASSERT_EQ(v.top_values.size(), kProfileTopValues);
  // Counts cycle 1, 2, 3: the seven values seen three times first (v2, v5,
  // ... v20), then v1 and v4 of those seen twice.
  EXPECT_EQ(v.top_values[0], (ValueCount{"v2", 3}));
  EXPECT_EQ(v.top_values[6], (ValueCount{"v20", 3}));
  EXPECT_EQ(v.top_values[7], (ValueCount{"v1", 2}));
  EXPECT_EQ(v.top_values[9], (ValueCount{"v7", 2}));
  EXPECT_TRUE(v.distinct_values.empty());  // 21 > kProfileListedDistinct
}

TEST_F(ProfileTest, BoolsAreCounted) {
  const TableProfile p = Profile(kCsv);
  const ColumnProfile& active = Col(p, "active");
  EXPECT_EQ(active.type, ColumnType::kBool);
  EXPECT_EQ(active.distinct_count, 2u);
  std::vector<ValueCount> top = {{true, 3}, {false, 2}};
  EXPECT_EQ(active.top_values, top);
  EXPECT_EQ(active.distinct_values, (std::vector<Json>{false, true}));
  EXPECT_FALSE(active.ordered.has_value());
}

TEST_F(ProfileTest, DatesAreDaysPrintedAsIso) {
  TableProfile p = Profile(kCsv);
  const ColumnProfile& joined = Col(p, "joined");
  EXPECT_EQ(joined.type, ColumnType::kDate);
  // Days 19727, 19763, 19797, 19833 (2024-01-05 ... 2024-04-20); h = 3q as
  // for age: 0.05 -> 19727 + 0.15 * 36 = 19732.4 (2024-01-10 09:36, as
  // pandas' describe() shows it), 0.25 -> 19754 (2024-02-01), 0.5 -> 19780.
  EXPECT_EQ(joined.ordered->min, 19727);
  EXPECT_EQ(joined.ordered->mean, 19780);
  EXPECT_DOUBLE_EQ(joined.ordered->quantiles[0], 19732.4);
  EXPECT_EQ(joined.ordered->quantiles[1], 19754);
  const Json json = ProfileToJson(p)["columns"][4];
  EXPECT_EQ(json["unit"], "days");
  EXPECT_EQ(json["min"], "2024-01-05");
  EXPECT_EQ(json["max"], "2024-04-20");
  EXPECT_EQ(json["mean"], "2024-02-27");
  EXPECT_EQ(json["quantiles"]["0.05"], "2024-01-10T09:36:00");
  EXPECT_EQ(json["quantiles"]["0.25"], "2024-02-01");
  EXPECT_EQ(json["quantiles"]["0.95"], "2024-04-14T14:24:00");
  EXPECT_DOUBLE_EQ(json["std"].get<double>(), 45.44593857907804);  // days
}

TEST_F(ProfileTest, TimestampsAreMicrosecondsPrintedAsIso) {
  TableProfile p = Profile("t\n2024-01-01T00:00:00\n2024-01-01T00:00:01\n");
  const ColumnProfile& t = Col(p, "t");
  EXPECT_EQ(t.type, ColumnType::kTimestamp);
  const Json json = ProfileToJson(p)["columns"][0];
  EXPECT_EQ(json["unit"], "microseconds");
  EXPECT_EQ(json["min"], "2024-01-01T00:00:00");
  EXPECT_EQ(json["mean"], "2024-01-01T00:00:00.500000");
  EXPECT_EQ(json["quantiles"]["0.05"], "2024-01-01T00:00:00.050000");
  EXPECT_DOUBLE_EQ(json["std"].get<double>(), std::sqrt(0.5) * 1e6);
}

TEST_F(ProfileTest, EmptyColumnsAndFilesWithoutRows) {
  const TableProfile p = Profile(kCsv);
  const ColumnProfile& empty = Col(p, "empty");
  EXPECT_EQ(empty.type, ColumnType::kString);  // the reader's type for a column without values
  EXPECT_EQ(empty.count, 5u);
  EXPECT_EQ(empty.null_count, 5u);
  EXPECT_EQ(empty.distinct_count, 0u);
  EXPECT_TRUE(empty.top_values.empty());
  EXPECT_FALSE(empty.min_length.has_value());

  table::CsvOptions declared;
  declared.column_types["b"] = ColumnType::kInt64;
  TableProfile header_only = Profile("a,b\n", declared);
  EXPECT_EQ(header_only.row_count, 0u);
  ASSERT_EQ(header_only.columns.size(), 2u);
  EXPECT_EQ(header_only.columns[1].type, ColumnType::kInt64);
  EXPECT_FALSE(header_only.columns[1].null_rate().has_value());
  EXPECT_FALSE(header_only.columns[1].ordered.has_value());
  EXPECT_TRUE(ProfileToJson(header_only)["columns"][0]["null_rate"].is_null());
}

TEST_F(ProfileTest, ChunkedReadingGivesTheWholeFilesProfile) {
  // ~60 KB, so 1 KiB chunks cut it ~60 times; values repeat across chunks
  // and a value first seen late must keep its place among ties.
  std::string csv = "id,n,x,cat,day,flag\n";
  for (int i = 0; i < 3000; ++i) {
    csv += std::to_string(i) + "," + (i % 7 == 0 ? "" : std::to_string((i * 37) % 101)) + "," +
           std::to_string((i * 13) % 17) + "." + std::to_string(i % 10) + "," + "c" +
           std::to_string((i * i) % 23) + "," + "2024-0" + std::to_string(1 + i % 9) + "-1" +
           std::to_string(i % 10) + "," + (i % 3 ? "true" : "false") + "\n";
  }
  const std::string path = Write("big.csv", csv);
  const Json whole = ProfileToJson(ProfileCsv(path, {}));
  table::CsvOptions small;
  small.chunk_bytes = 1024;
  const Json chunked = ProfileToJson(ProfileCsv(path, small));
  EXPECT_EQ(whole, chunked);
  EXPECT_EQ(whole["row_count"], 3000);
  EXPECT_EQ(whole["columns"][1]["null_count"], 429);  // i % 7 == 0 for 0..2999
}

TEST_F(ProfileTest, JsonAndTextForms) {
  TableProfile p = Profile(kCsv);
  const Json json = ProfileToJson(p);
  EXPECT_EQ(json["row_count"], 5);
  const Json& age = json["columns"][1];
  EXPECT_EQ(age["name"], "age");
  EXPECT_EQ(age["type"], "int64");
  EXPECT_EQ(age["min"], 29);
  EXPECT_TRUE(age["min"].is_number_integer());
  EXPECT_EQ(age["quantiles"]["0.95"], 49.65);
  EXPECT_EQ(json["columns"][3]["top_values"][0], (Json{{"value", "basic"}, {"count", 2}}));
  EXPECT_EQ(json["columns"][5]["top_values"][0], (Json{{"value", true}, {"count", 3}}));
  EXPECT_EQ(json["columns"][3]["min_length"], 4);

  const std::string text = RenderProfileText(p);
  EXPECT_NE(text.find(": 5 rows, 7 columns\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\"basic\" 2, \"premium\" 1, \"café\" 1"), std::string::npos) << text;
  EXPECT_NE(text.find("2024-01-05"), std::string::npos) << text;
  // One line per column after the title and the heading, aligned: "type"
  // starts at the same place on every line.
  std::vector<std::string> lines;
  for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    lines.push_back(text.substr(at, end - at));
  }
  ASSERT_EQ(lines.size(), 2 + 7u);
  const size_t type_at = lines[1].find("type");
  EXPECT_EQ(lines[2].substr(type_at, 5), "int64");
  EXPECT_EQ(lines[3].substr(type_at, 5), "int64");
  EXPECT_EQ(lines[6].substr(type_at, 4), "date");
}

TEST_F(ProfileTest, SuggestedSuiteHoldsOnItsDataAndCatchesDrift) {
  const std::string path = Write("data.csv", kCsv);
  const Json suite = SuggestSuite(ProfileCsv(path, {}), "data");
  EXPECT_EQ(suite["expectation_suite_name"], "data");
  EXPECT_EQ(suite["meta"]["profiler"], "leanops profile");
  const Json result = Validate(path, suite);
  EXPECT_TRUE(result["success"].get<bool>()) << result.dump(1);

  // What was suggested, by expectation and column.
  std::map<std::string, Json> kwargs;
  for (const Json& e : suite["expectations"]) {
    EXPECT_EQ(e["meta"]["profiler"], "leanops profile");
    kwargs[e["expectation_type"].get<std::string>() + ":" + e["kwargs"].value("column", "")] =
        e["kwargs"];
  }
  EXPECT_EQ(kwargs["expect_table_row_count_to_be_between:"],
            (Json{{"min_value", 2}, {"max_value", 10}}));
  EXPECT_EQ(kwargs["expect_column_values_to_not_be_null:id"], (Json{{"column", "id"}}));
  EXPECT_EQ(kwargs["expect_column_values_to_not_be_null:age"]["mostly"], 0.8);
  EXPECT_EQ(kwargs["expect_column_values_to_be_between:age"],
            (Json{{"column", "age"}, {"min_value", 29}, {"max_value", 51}}));
  // One NaN of four values: NaN fails "between", so mostly 0.75.
  EXPECT_EQ(kwargs["expect_column_values_to_be_between:score"]["mostly"], 0.75);
  EXPECT_EQ(kwargs["expect_column_values_to_be_between:joined"]["min_value"], "2024-01-05");
  EXPECT_EQ(kwargs["expect_column_values_to_be_of_type:joined"]["type_"], "date");
  EXPECT_EQ(kwargs.count("expect_column_values_to_be_unique:id"), 1u);
  EXPECT_EQ(kwargs.count("expect_column_values_to_be_unique:age"), 0u);   // has a null
  EXPECT_EQ(kwargs.count("expect_column_values_to_be_in_set:plan"), 0u);  // 3 values in 4 rows
  EXPECT_EQ(kwargs.count("expect_column_values_to_be_of_type:empty"), 0u);
  EXPECT_EQ(kwargs.count("expect_column_values_to_be_null:empty"), 1u);

  // Drift: an age out of range, a duplicate id, a null id.
  const std::string drifted = Write("drifted.csv",
                                    "id,age,score,plan,joined,active,empty\n"
                                    "1,34,1.5,basic,2024-01-05,true,\n"
                                    "1,17,1.5,basic,2024-01-05,true,\n"
                                    ",40,1.5,basic,2024-01-05,true,\n");
  const Json failed = Validate(drifted, suite);
  EXPECT_FALSE(failed["success"].get<bool>());
  std::set<std::string> failures;
  for (const Json& r : failed["results"]) {
    if (!r["success"].get<bool>()) {
      const Json& config = r["expectation_config"];
      failures.insert(config["expectation_type"].get<std::string>() + ":" +
                      config["kwargs"].value("column", ""));
    }
  }
  EXPECT_EQ(failures, (std::set<std::string>{"expect_column_values_to_be_between:age",
                                             "expect_column_values_to_be_unique:id",
                                             "expect_column_values_to_not_be_null:id"}));
}

TEST_F(ProfileTest, SuggestedSetsAndSharesAreRoundedDown) {
  std::string csv = "plan,flag,v\nbasic,true,1\n,true,\nbasic,true,2\n";
  for (int i = 0; i < 6; ++i) csv += std::string(i % 2 ? "gold" : "basic") + ",true,3\n";
  // 9 rows: plan 8 non-null (8/9 = 0.888 -> 0.88), 2 distinct: a set.
  const std::string path = Write("data.csv", csv);
  const Json suite = SuggestSuite(ProfileCsv(path, {}), "s");
  Json set, flag_set, not_null;
  for (const Json& e : suite["expectations"]) {
    const std::string key =
        e["expectation_type"].get<std::string>() + ":" + e["kwargs"].value("column", "");
    if (key == "expect_column_values_to_be_in_set:plan") set = e["kwargs"];
    if (key == "expect_column_values_to_be_in_set:flag") flag_set = e["kwargs"];
    if (key == "expect_column_values_to_not_be_null:plan") not_null = e;
  }
  EXPECT_EQ(set["value_set"], (Json{"basic", "gold"}));
  EXPECT_EQ(flag_set["value_set"], (Json{true}));  // a bool with one value seen
  EXPECT_EQ(not_null["kwargs"]["mostly"], 0.88);
  EXPECT_DOUBLE_EQ(not_null["meta"]["observed"]["non_null_share"].get<double>(), 8.0 / 9);
  EXPECT_TRUE(Validate(path, suite)["success"].get<bool>());

  // 2 of 3 non-null: mostly 0.66, not 0.67 (which would fail on this file).
  const std::string two_thirds = Write("t.csv", "a,b\n1,x\n,y\n2,z\n");
  const Json small = SuggestSuite(ProfileCsv(two_thirds, {}), "t");
  EXPECT_EQ(small["expectations"][3]["kwargs"]["mostly"], 0.66) << small.dump(1);
  EXPECT_TRUE(Validate(two_thirds, small)["success"].get<bool>());
}

TEST_F(ProfileTest, SuggestedSuiteOfAnEmptyTableHolds) {
  const std::string path = Write("empty.csv", "a,b\n");
  const Json suite = SuggestSuite(ProfileCsv(path, {}), "empty");
  EXPECT_EQ(suite["expectations"].size(), 2u);  // the columns and the row count
  EXPECT_TRUE(Validate(path, suite)["success"].get<bool>());
}

}  // namespace
}  // namespace leanops::validate
