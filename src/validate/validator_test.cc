#include "validate/validator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "validate/report.h"

namespace leanops::validate {
namespace {

// Five rows with a null in most columns: every expectation is tried on it
// once where it holds and once where it does not.
constexpr const char* kCsv =
    "id,age,city,score,joined,active,code\n"
    "1,34,Paris,0.5,2024-01-05,true,A1\n"
    "2,,Lyon,0.7,2024-02-10,false,B2\n"
    "3,51,Paris,,2024-03-15,true,C3\n"
    "4,29,,0.9,2024-04-20,true,A1\n"
    "5,42,Nice,0.1,,false,XX\n";

class ValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("leanops-validate-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    data_ = (dir_ / "data.csv").string();
    std::ofstream(data_) << kCsv;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The result of one expectation given as JSON text.
  Json Run(const std::string& expectation) {
    Suite suite = ParseSuite(
        R"({"expectation_suite_name": "t", "expectations": [)" + expectation + "]}", "t.json");
    Json validation = ValidateCsv(data_, suite, {}, "2026-01-01T00:00:00Z");
    return validation["results"][0];
  }
  bool Holds(const std::string& type, const std::string& kwargs) {
    Json r = Run(R"({"expectation_type": ")" + type + R"(", "kwargs": )" + kwargs + "}");
    EXPECT_FALSE(r["exception_info"]["raised_exception"].get<bool>())
        << type << " " << kwargs << ": " << r["exception_info"].dump();
    return r["success"].get<bool>();
  }
  Json ResultOf(const std::string& type, const std::string& kwargs) {
    return Run(R"({"expectation_type": ")" + type + R"(", "kwargs": )" + kwargs + "}")["result"];
  }

  std::filesystem::path dir_;
  std::string data_;
};

TEST_F(ValidatorTest, NullChecksCountEveryRow) {
  EXPECT_FALSE(Holds("expect_column_values_to_not_be_null", R"({"column": "age"})"));
  Json r = ResultOf("expect_column_values_to_not_be_null", R"({"column": "age"})");
  EXPECT_EQ(r["element_count"], 5);
  EXPECT_EQ(r["unexpected_count"], 1);
  EXPECT_DOUBLE_EQ(r["unexpected_percent"].get<double>(), 20.0);
  EXPECT_EQ(r["partial_unexpected_index_list"], Json::array({1}));
  EXPECT_TRUE(Holds("expect_column_values_to_not_be_null", R"({"column": "age", "mostly": 0.8})"));
  EXPECT_FALSE(
      Holds("expect_column_values_to_not_be_null", R"({"column": "age", "mostly": 0.81})"));
  EXPECT_TRUE(Holds("expect_column_values_to_not_be_null", R"({"column": "id"})"));
  EXPECT_FALSE(Holds("expect_column_values_to_be_null", R"({"column": "age"})"));
  EXPECT_EQ(ResultOf("expect_column_values_to_be_null", R"({"column": "age"})")["unexpected_count"],
            4);
}

TEST_F(ValidatorTest, BetweenLeavesNullsOutAndHonoursStrictAndMostly) {
  EXPECT_TRUE(Holds("expect_column_values_to_be_between",
                    R"({"column": "age", "min_value": 20, "max_value": 60})"));
  Json r = ResultOf("expect_column_values_to_be_between",
                    R"({"column": "age", "min_value": 30, "max_value": 60})");
  EXPECT_EQ(r["unexpected_count"], 1);
  EXPECT_EQ(r["missing_count"], 1);
  EXPECT_DOUBLE_EQ(r["unexpected_percent"].get<double>(), 25.0);  // of the non-null values
  EXPECT_DOUBLE_EQ(r["unexpected_percent_total"].get<double>(), 20.0);
  EXPECT_EQ(r["partial_unexpected_list"], Json::array({29}));
  EXPECT_TRUE(Holds("expect_column_values_to_be_between",
                    R"({"column": "age", "min_value": 30, "mostly": 0.75})"));
  EXPECT_TRUE(Holds("expect_column_values_to_be_between", R"({"column": "age", "max_value": 51})"));
  EXPECT_FALSE(Holds("expect_column_values_to_be_between",
                     R"({"column": "age", "max_value": 51, "strict_max": true})"));
  EXPECT_FALSE(Holds("expect_column_values_to_be_between",
                     R"({"column": "age", "min_value": 29, "strict_min": true})"));
  EXPECT_TRUE(
      Holds("expect_column_values_to_be_between",
            R"({"column": "joined", "min_value": "2024-01-01", "max_value": "2024-12-31"})"));
  EXPECT_FALSE(Holds("expect_column_values_to_be_between",
                     R"({"column": "joined", "max_value": "2024-03-31"})"));
  // Floats (judged in one loop over the column, as ints and dates are).
  Json score = ResultOf("expect_column_values_to_be_between",
                        R"({"column": "score", "min_value": 0.1, "max_value": 0.7})");
  EXPECT_EQ(score["unexpected_count"], 1);
  EXPECT_EQ(score["missing_count"], 1);
  EXPECT_EQ(score["partial_unexpected_list"], Json::array({0.9}));
  EXPECT_EQ(score["partial_unexpected_index_list"], Json::array({3}));
  EXPECT_FALSE(Holds("expect_column_values_to_be_between",
                     R"({"column": "score", "min_value": 0.1, "strict_min": true})"));
}

TEST_F(ValidatorTest, SetsRegexesAndLengths) {
  EXPECT_TRUE(Holds("expect_column_values_to_be_in_set",
                    R"({"column": "city", "value_set": ["Paris", "Lyon", "Nice"]})"));
  Json r = ResultOf("expect_column_values_to_be_in_set",
                    R"({"column": "city", "value_set": ["Paris"]})");
  EXPECT_EQ(r["unexpected_count"], 2);
  EXPECT_EQ(r["partial_unexpected_list"], Json::array({"Lyon", "Nice"}));
  EXPECT_TRUE(Holds("expect_column_values_to_be_in_set",
                    R"({"column": "city", "value_set": ["Paris"], "mostly": 0.5})"));
  EXPECT_TRUE(Holds("expect_column_values_to_be_in_set",
                    R"({"column": "age", "value_set": [34, 51, 29, 42]})"));
  EXPECT_FALSE(Holds("expect_column_values_to_not_be_in_set",
                     R"({"column": "city", "value_set": ["Lyon"]})"));
  EXPECT_TRUE(Holds("expect_column_values_to_not_be_in_set",
                    R"({"column": "city", "value_set": ["Lille"]})"));
  EXPECT_FALSE(Holds("expect_column_values_to_match_regex",
                     R"({"column": "code", "regex": "^[A-C][0-9]$"})"));
  EXPECT_TRUE(
      Holds("expect_column_values_to_match_regex", R"({"column": "code", "regex": "[A-Z]"})"));
  EXPECT_FALSE(
      Holds("expect_column_values_to_not_match_regex", R"({"column": "code", "regex": "X"})"));
  EXPECT_TRUE(Holds("expect_column_value_lengths_to_be_between",
                    R"({"column": "city", "min_value": 4, "max_value": 5})"));
  EXPECT_FALSE(
      Holds("expect_column_value_lengths_to_be_between", R"({"column": "city", "max_value": 4})"));
  EXPECT_TRUE(Holds("expect_column_value_lengths_to_equal", R"({"column": "code", "value": 2})"));
  EXPECT_TRUE(Holds("expect_column_values_to_match_strftime_format",
                    R"({"column": "joined", "strftime_format": "%Y-%m-%d"})"));
  EXPECT_FALSE(Holds("expect_column_values_to_match_strftime_format",
                     R"({"column": "city", "strftime_format": "%Y"})"));
}

TEST_F(ValidatorTest, UniquenessAndOrder) {
  EXPECT_TRUE(Holds("expect_column_values_to_be_unique", R"({"column": "id"})"));
  Json r = ResultOf("expect_column_values_to_be_unique", R"({"column": "code"})");
  EXPECT_EQ(r["unexpected_count"], 2);  // both rows of A1
  EXPECT_EQ(r["partial_unexpected_index_list"], Json::array({0, 3}));
  EXPECT_EQ(r["partial_unexpected_counts"][0]["value"], "A1");
  EXPECT_TRUE(Holds("expect_column_values_to_be_unique", R"({"column": "code", "mostly": 0.6})"));
  EXPECT_TRUE(
      Holds("expect_column_values_to_be_increasing", R"({"column": "id", "strictly": true})"));
  EXPECT_EQ(
      ResultOf("expect_column_values_to_be_increasing", R"({"column": "age"})")["unexpected_count"],
      1);
  EXPECT_FALSE(Holds("expect_column_values_to_be_decreasing", R"({"column": "id"})"));
  EXPECT_TRUE(
      Holds("expect_compound_columns_to_be_unique", R"({"column_list": ["city", "code"]})"));
  EXPECT_FALSE(Holds("expect_compound_columns_to_be_unique", R"({"column_list": ["active"]})"));
  EXPECT_FALSE(Holds("expect_column_pair_values_a_to_be_greater_than_b",
                     R"({"column_A": "age", "column_B": "id"})"));
  EXPECT_TRUE(Holds(
      "expect_column_pair_values_a_to_be_greater_than_b",
      R"({"column_A": "age", "column_B": "id", "ignore_row_if": "either_value_is_missing"})"));
}

TEST_F(ValidatorTest, TableShape) {
  EXPECT_TRUE(Holds("expect_column_to_exist", R"({"column": "city", "column_index": 2})"));
  EXPECT_FALSE(Holds("expect_column_to_exist", R"({"column": "nope"})"));
  EXPECT_TRUE(
      Holds("expect_table_row_count_to_be_between", R"({"min_value": 1, "max_value": 10})"));
  EXPECT_TRUE(Holds("expect_table_row_count_to_equal", R"({"value": 5})"));
  EXPECT_FALSE(Holds("expect_table_row_count_to_equal", R"({"value": 6})"));
  EXPECT_TRUE(Holds("expect_table_column_count_to_equal", R"({"value": 7})"));
  EXPECT_TRUE(
      Holds("expect_table_columns_to_match_ordered_list",
            R"({"column_list": ["id", "age", "city", "score", "joined", "active", "code"]})"));
  EXPECT_FALSE(
      Holds("expect_table_columns_to_match_ordered_list", R"({"column_list": ["age", "id"]})"));
  EXPECT_TRUE(Holds("expect_table_columns_to_match_set",
                    R"({"column_set": ["id", "age"], "exact_match": false})"));
  EXPECT_FALSE(Holds("expect_table_columns_to_match_set", R"({"column_set": ["id", "age"]})"));
  EXPECT_TRUE(
      Holds("expect_column_values_to_be_of_type", R"({"column": "age", "type_": "int64"})"));
  EXPECT_FALSE(Holds("expect_column_values_to_be_of_type", R"({"column": "age", "type_": "str"})"));
  EXPECT_TRUE(Holds("expect_column_values_to_be_in_type_list",
                    R"({"column": "score", "type_list": ["float64", "int64"]})"));
}

TEST_F(ValidatorTest, Aggregates) {
  auto observed = [&](const std::string& type, const std::string& kwargs) {
    return ResultOf(type, kwargs)["observed_value"];
  };
  EXPECT_DOUBLE_EQ(
      observed("expect_column_mean_to_be_between", R"({"column": "age", "min_value": 0})")
          .get<double>(),
      39.0);
  EXPECT_TRUE(Holds("expect_column_mean_to_be_between",
                    R"({"column": "age", "min_value": 38, "max_value": 40})"));
  EXPECT_FALSE(Holds("expect_column_mean_to_be_between",
                     R"({"column": "age", "max_value": 39, "strict_max": true})"));
  EXPECT_DOUBLE_EQ(
      observed("expect_column_median_to_be_between", R"({"column": "age", "min_value": 0})")
          .get<double>(),
      38.0);
  EXPECT_EQ(observed("expect_column_min_to_be_between", R"({"column": "age", "min_value": 0})"),
            29);
  EXPECT_EQ(observed("expect_column_max_to_be_between", R"({"column": "age", "min_value": 0})"),
            51);
  EXPECT_EQ(observed("expect_column_min_to_be_between",
                     R"({"column": "joined", "min_value": "2024-01-01"})"),
            "2024-01-05");
  EXPECT_FALSE(Holds("expect_column_min_to_be_between",
                     R"({"column": "joined", "min_value": "2024-02-01"})"));
  EXPECT_NEAR(
      observed("expect_column_stdev_to_be_between", R"({"column": "score", "min_value": 0})")
          .get<double>(),
      0.3415650255, 1e-9);
  EXPECT_DOUBLE_EQ(
      observed("expect_column_sum_to_be_between", R"({"column": "age", "min_value": 0})")
          .get<double>(),
      156.0);
  EXPECT_EQ(observed("expect_column_unique_value_count_to_be_between",
                     R"({"column": "city", "min_value": 0})"),
            3);
  EXPECT_DOUBLE_EQ(observed("expect_column_proportion_of_unique_values_to_be_between",
                            R"({"column": "city", "min_value": 0})")
                       .get<double>(),
                   0.75);
  EXPECT_TRUE(Holds(
      "expect_column_quantile_values_to_be_between",
      R"({"column": "age", "quantile_ranges": {"quantiles": [0, 0.5, 1], "value_ranges": [[29, 29], [34, 42], [51, 51]]}})"));
  EXPECT_FALSE(Holds(
      "expect_column_quantile_values_to_be_between",
      R"({"column": "age", "quantile_ranges": {"quantiles": [1], "value_ranges": [[null, 50]]}})"));
  EXPECT_TRUE(Holds("expect_column_distinct_values_to_be_in_set",
                    R"({"column": "city", "value_set": ["Paris", "Lyon", "Nice", "Lille"]})"));
  EXPECT_FALSE(Holds("expect_column_distinct_values_to_contain_set",
                     R"({"column": "city", "value_set": ["Paris", "Lille"]})"));
  EXPECT_TRUE(Holds("expect_column_distinct_values_to_equal_set",
                    R"({"column": "city", "value_set": ["Paris", "Lyon", "Nice"]})"));
  EXPECT_TRUE(Holds("expect_column_most_common_value_to_be_in_set",
                    R"({"column": "city", "value_set": ["Paris"]})"));
  EXPECT_FALSE(Holds("expect_column_most_common_value_to_be_in_set",
                     R"({"column": "city", "value_set": ["Lyon"]})"));
}

// Uniqueness over many chunks of a mostly distinct (plain) column: repeats
// are found across chunk boundaries, and the first occurrence counts too.
TEST_F(ValidatorTest, UniquenessAcrossChunksOfPlainStrings) {
  std::string text = "id,n\n";
  for (int i = 0; i < 20000; ++i) {
    int id = i == 15000 ? 3 : i == 19999 ? 3 : i == 12345 ? 10 : i;
    text += "C" + std::to_string(id) + "," + std::to_string(i % 7) + "\n";
  }
  std::ofstream(data_) << text;
  Suite suite = ParseSuite(R"({"expectation_suite_name": "t", "expectations": [
      {"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
      {"expectation_type": "expect_column_values_to_match_regex",
       "kwargs": {"column": "id", "regex": "^C\\d{1,4}$"}}]})",
                           "t.json");
  table::CsvOptions options;
  options.chunk_bytes = 4096;
  Json validation = ValidateCsv(data_, suite, options, "2026-01-01T00:00:00Z");
  Json unique = validation["results"][0]["result"];
  EXPECT_EQ(unique["unexpected_count"], 5);  // C3 three times, C10 twice
  EXPECT_EQ(unique["partial_unexpected_index_list"], Json::array({3, 10, 12345, 15000, 19999}));
  EXPECT_EQ(unique["partial_unexpected_counts"][0], (Json{{"value", "C3"}, {"count", 3}}));
  EXPECT_EQ(unique["partial_unexpected_counts"][1], (Json{{"value", "C10"}, {"count", 2}}));
  // \d{1,4} (PCRE2, as Python's re) refuses the five-digit ids.
  Json regex = validation["results"][1]["result"];
  EXPECT_EQ(regex["unexpected_count"], 10000 - 3);  // rows 10000-19999 but the three repeats
  EXPECT_EQ(regex["partial_unexpected_list"][0], "C10000");
}

// A column only null checks read is read for presence only: its values are
// not typed, so one that the first chunk's type does not read later in the
// file is no error (it is for a check that reads values).
TEST_F(ValidatorTest, ColumnsOnlyNullCheckedAreNotTyped) {
  std::string text = "id,total\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + (i % 100 == 7 ? ",\n" : ",1.5\n");
  text += "5000,not a number\n";
  std::ofstream(data_) << text;
  table::CsvOptions options;
  options.chunk_bytes = 4096;
  auto validate = [&](const std::string& type) {
    Suite suite = ParseSuite(R"({"expectation_suite_name": "t", "expectations": [
        {"expectation_type": ")" +
                                 type + R"(", "kwargs": {"column": "total", "mostly": 0.98}}]})",
                             "t.json");
    return ValidateCsv(data_, suite, options, "2026-01-01T00:00:00Z");
  };
  Json result = validate("expect_column_values_to_not_be_null")["results"][0]["result"];
  EXPECT_EQ(result["element_count"], 5001);
  EXPECT_EQ(result["unexpected_count"], 50);
  EXPECT_EQ(result["partial_unexpected_index_list"][0], 7);
  EXPECT_EQ(result["partial_unexpected_list"][0], nullptr);
  EXPECT_THROW(validate("expect_column_values_to_be_null"), Error);
}

// A mean whose sum overflows a double is still the mean.
TEST_F(ValidatorTest, MeanOfHugeValues) {
  std::ofstream(data_) << "x\n1.5e308\n1.7e308\n1.6e308\n";
  Json r = ResultOf("expect_column_mean_to_be_between", R"({"column": "x", "min_value": 0})");
  EXPECT_DOUBLE_EQ(r["observed_value"].get<double>(), 1.6e308);
  EXPECT_EQ(ResultOf("expect_column_max_to_be_between",
                     R"({"column": "x", "min_value": 0})")["observed_value"],
            1.7e308);
}

TEST_F(ValidatorTest, RegexesAreSearchedAsPythonDoes) {
  EXPECT_TRUE(Holds("expect_column_values_to_match_regex",
                    R"({"column": "city", "regex": "(?i)^[a-z]+$"})"));
  EXPECT_TRUE(Holds("expect_column_values_to_match_regex",
                    R"({"column": "code", "regex": "(?=[A-Z])\\w\\w"})"));
  EXPECT_TRUE(
      Holds("expect_column_values_to_not_match_regex", R"({"column": "city", "regex": "\\d"})"));
  // A search, not a full match.
  EXPECT_TRUE(
      Holds("expect_column_values_to_match_regex", R"({"column": "city", "regex": "[a-z]"})"));
  Json r = Run(
      R"({"expectation_type": "expect_column_values_to_match_regex", "kwargs": {"column": "city", "regex": "a(b"}})");
  EXPECT_EQ(r["exception_info"]["exception_message"],
            "expect_column_values_to_match_regex: invalid regex 'a(b': missing closing "
            "parenthesis at offset 3");
}

TEST_F(ValidatorTest, UnevaluableExpectationsFailWithTheirException) {
  Json r = Run(
      R"({"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nope"}})");
  EXPECT_FALSE(r["success"].get<bool>());
  EXPECT_TRUE(r["exception_info"]["raised_exception"].get<bool>());
  EXPECT_EQ(r["exception_info"]["exception_message"],
            "column 'nope' does not exist (columns: id, age, city, score, joined, active, code)");
  r = Run(
      R"({"expectation_type": "expect_column_mean_to_be_between", "kwargs": {"column": "city", "min_value": 1}})");
  EXPECT_TRUE(r["exception_info"]["raised_exception"].get<bool>());
  r = Run(
      R"({"expectation_type": "expect_column_values_to_match_regex", "kwargs": {"column": "city", "regex": "("}})");
  EXPECT_TRUE(r["exception_info"]["raised_exception"].get<bool>());
}

TEST_F(ValidatorTest, SuiteResultHasStatisticsAndReports) {
  Suite suite = ParseSuite(R"(
expectation_suite_name: churn_raw
expectations:
  - expectation_type: expect_column_values_to_not_be_null
    kwargs: {column: id}
  - expectation_type: expect_column_values_to_be_between
    kwargs: {column: age, min_value: 30}
    meta: {notes: "adults"}
)",
                           "suite.yaml");
  Json v = ValidateCsv(data_, suite, {}, "2026-01-01T00:00:00Z");
  EXPECT_FALSE(v["success"].get<bool>());
  EXPECT_EQ(v["statistics"]["evaluated_expectations"], 2);
  EXPECT_EQ(v["statistics"]["successful_expectations"], 1);
  EXPECT_EQ(v["statistics"]["unsuccessful_expectations"], 1);
  EXPECT_DOUBLE_EQ(v["statistics"]["success_percent"].get<double>(), 50.0);
  EXPECT_EQ(v["results"][1]["expectation_config"]["meta"]["notes"], "adults");
  EXPECT_EQ(v["meta"]["expectation_suite_name"], "churn_raw");
  std::string text = RenderTextSummary(v);
  EXPECT_NE(text.find("FAIL expect_column_values_to_be_between(age): 1 unexpected of 4 non-null "
                      "values (25%, 1 null left out), e.g. [29]"),
            std::string::npos)
      << text;
  std::string html = RenderHtmlReport(v);
  EXPECT_NE(html.find("<span class=\"fail\">failed</span>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(SuiteTest, BadSuitesNameWhatIsAccepted) {
  auto error = [](const std::string& text) -> std::string {
    try {
      ParseSuite(text, "s.json");
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kData);
      return e.what();
    }
    return "no error";
  };
  std::string e = error(
      R"({"expectation_suite_name": "s", "expectations": [{"expectation_type": "expect_magic", "kwargs": {}}]})");
  EXPECT_NE(e.find("s.json: expectations[0]: unknown expectation type 'expect_magic' (accepted: "),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("expect_column_values_to_be_between"), std::string::npos);
  e = error(
      R"({"expectation_suite_name": "s", "expectations": [{"expectation_type": "expect_column_values_to_be_between", "kwargs": {"colum": "a", "min_value": 1}}]})");
  EXPECT_NE(e.find("unknown kwarg 'colum' (accepted: column, min_value"), std::string::npos) << e;
  e = error(
      R"({"expectation_suite_name": "s", "expectations": [{"expectation_type": "expect_column_values_to_be_between", "kwargs": {"min_value": 1}}]})");
  EXPECT_NE(e.find("missing kwarg 'column'"), std::string::npos) << e;
  e = error(
      R"({"expectation_suite_name": "s", "expectations": [{"expectation_type": "expect_column_values_to_be_between", "kwargs": {"column": "a"}}]})");
  EXPECT_NE(e.find("min_value and max_value cannot both be null"), std::string::npos) << e;
  e = error(
      R"({"expectation_suite_name": "s", "expectations": [{"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "mostly": 2}}]})");
  EXPECT_NE(e.find("kwarg 'mostly' must be a number from 0 to 1, not 2"), std::string::npos) << e;
  e = error(R"({"expectations": []})");
  EXPECT_NE(e.find("no \"expectation_suite_name\""), std::string::npos) << e;
  // GX 1.x spellings.
  Suite suite = ParseSuite(
      R"({"name": "gx1", "expectations": [{"type": "expect_column_to_exist", "kwargs": {"column": "a"}}]})",
      "s.json");
  EXPECT_EQ(suite.name, "gx1");
  EXPECT_EQ(suite.expectations[0].type, "expect_column_to_exist");
}

}  // namespace
}  // namespace leanops::validate
