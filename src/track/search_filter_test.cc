#include "track/search_filter.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "track/api_error.h"

namespace leanops::track {
namespace {

using Strings = std::vector<std::string>;

// The message of the INVALID_PARAMETER_VALUE error `action` throws.
std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_STREQ(e.code(), kInvalidParameter) << e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

std::string RunFilterError(std::string_view filter) {
  return ErrorOf([&] { ParseRunFilter(filter); });
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Parses a run filter that must hold exactly one comparison.
Comparison One(std::string_view filter) {
  std::vector<Comparison> comparisons = ParseRunFilter(filter);
  EXPECT_EQ(comparisons.size(), 1u) << filter;
  return comparisons.empty() ? Comparison{} : comparisons[0];
}

double Number(const Comparison& c) { return std::get<double>(c.value); }
std::string Text(const Comparison& c) { return std::get<std::string>(c.value); }
Strings List(const Comparison& c) { return std::get<Strings>(c.value); }

TEST(SearchFilterTest, EmptyFilterHasNoComparisons) {
  EXPECT_TRUE(ParseRunFilter("").empty());
  EXPECT_TRUE(ParseRunFilter("  \t\n").empty());
  EXPECT_TRUE(ParseExperimentFilter("").empty());
  EXPECT_TRUE(ParseRegisteredModelFilter("").empty());
  EXPECT_TRUE(ParseModelVersionFilter("").empty());
}

TEST(SearchFilterTest, EveryEntityTypeAlias) {
  for (const char* type : {"metric", "metrics", "`metrics`"}) {
    const Comparison c = One(std::string(type) + ".auc > 0.5");
    EXPECT_EQ(c.type, EntityType::kMetric) << type;
    EXPECT_EQ(c.key, "auc");
    EXPECT_EQ(c.op, Comparator::kGt);
    EXPECT_EQ(Number(c), 0.5);
  }
  for (const char* type : {"param", "params", "parameter", "parameters"}) {
    const Comparison c = One(std::string(type) + ".lr = '0.1'");
    EXPECT_EQ(c.type, EntityType::kParam) << type;
    EXPECT_EQ(c.key, "lr");
    EXPECT_EQ(Text(c), "0.1");
  }
  for (const char* type : {"tag", "tags"}) {
    const Comparison c = One(std::string(type) + ".team != 'ml'");
    EXPECT_EQ(c.type, EntityType::kTag) << type;
    EXPECT_EQ(c.op, Comparator::kNe);
  }
  for (const char* type : {"attribute.", "attributes.", "attr.", "run.", ""}) {
    const Comparison c = One(std::string(type) + "status = 'FINISHED'");
    EXPECT_EQ(c.type, EntityType::kAttribute) << type;
    EXPECT_EQ(c.key, "status");
    EXPECT_EQ(Text(c), "FINISHED");
  }
  for (const char* type : {"dataset", "datasets"}) {
    const Comparison c = One(std::string(type) + ".digest = 'abc'");
    EXPECT_EQ(c.type, EntityType::kDataset) << type;
    EXPECT_EQ(c.key, "digest");
  }
}

TEST(SearchFilterTest, EveryRunAttributeAndAlias) {
  for (const char* key : {"run_id", "run_name", "user_id", "status", "artifact_uri"}) {
    EXPECT_EQ(One(std::string(key) + " LIKE 'a%'").key, key);
  }
  for (const char* key : {"start_time", "end_time"}) {
    const Comparison c = One(std::string("attributes.") + key + " >= 1700000000000");
    EXPECT_EQ(c.key, key);
    EXPECT_EQ(Number(c), 1700000000000.0);
  }
  EXPECT_EQ(One("created < 5").key, "start_time");
  EXPECT_EQ(One("attr.Created < 5").key, "start_time");
  EXPECT_EQ(One("\"run name\" = 'x'").key, "run_name");
  EXPECT_EQ(One("`Run name` = 'x'").key, "run_name");
  EXPECT_EQ(One("attributes.`Run Name` = 'x'").key, "run_name");
  EXPECT_EQ(One("attributes.\"status\" = 'x'").key, "status");
  EXPECT_TRUE(Contains(RunFilterError("lifecycle_stage = 'active'"),
                       "invalid attribute key 'lifecycle_stage'"));
  EXPECT_TRUE(Contains(RunFilterError("experiment_id = '1'"), "valid keys are run_id, run_name"));
}

TEST(SearchFilterTest, QuotedAndDottedKeys) {
  EXPECT_EQ(One("params.\"a b\" = 'x'").key, "a b");
  EXPECT_EQ(One("tags.`user-name` = 'x'").key, "user-name");
  EXPECT_EQ(One("metrics.\"val.loss\" < 1").key, "val.loss");
  EXPECT_EQ(One("tags.mlflow.source.name = 'x'").key, "mlflow.source.name");
  EXPECT_EQ(One("metrics.`a``b` < 1").key, "a``b");  // MLflow only trims the outer quotes
  // Without quotes the dash ends the key, so the comparison is malformed.
  EXPECT_TRUE(Contains(RunFilterError("tags.user-name = 'x'"), "at position 9"));
  EXPECT_TRUE(Contains(RunFilterError("tags.\"\" = 'x'"), "empty key"));
}

TEST(SearchFilterTest, StringValuesKeepTheirTextVerbatim) {
  EXPECT_EQ(Text(One("tags.t = 'plain'")), "plain");
  EXPECT_EQ(Text(One("tags.t = \"double\"")), "double");
  EXPECT_EQ(Text(One("tags.t = ''")), "");
  // MLflow strips the outer quotes and nothing else.
  EXPECT_EQ(Text(One("tags.t = 'it''s'")), "it''s");
  EXPECT_EQ(Text(One("tags.t = 'a\\'b'")), "a\\'b");
  EXPECT_EQ(Text(One("tags.t = \"say \"\"hi\"\"\"")), "say \"\"hi\"\"");
  EXPECT_EQ(Text(One("tags.t = 'x AND y OR z'")), "x AND y OR z");
  EXPECT_EQ(Text(One("tags.t = 'naïve'")), "naïve");
  // sqlparse backtracks: a backslash before the last quote does not escape it.
  EXPECT_EQ(Text(One("tags.path = 'C:\\'")), "C:\\");
  EXPECT_EQ(Text(One("tags.path = 'C:\\\\'")), "C:\\\\");
}

TEST(SearchFilterTest, NumbersAsSqlparseReadsThem) {
  EXPECT_EQ(Number(One("metrics.m = 1e-3")), 1e-3);
  EXPECT_EQ(Number(One("metrics.m = 2.5E3")), 2500);
  EXPECT_EQ(Number(One("metrics.m = -2")), -2);
  EXPECT_EQ(Number(One("metrics.m = .5")), 0.5);
  EXPECT_EQ(Number(One("metrics.m = -.25")), -0.25);
  EXPECT_EQ(Number(One("metrics.m = 3.")), 3);
  EXPECT_EQ(Number(One("metrics.m=0")), 0);
  EXPECT_EQ(Number(One("metrics.m>-1")), -1);
  for (const char* bad : {"metrics.m = 1e+3", "metrics.m = +1", "metrics.m = 0x1F",
                          "metrics.m = --1", "metrics.m = 1abc", "metrics.m = - 1"}) {
    EXPECT_TRUE(Contains(RunFilterError(bad), "at position 12")) << bad;
  }
}

TEST(SearchFilterTest, KeywordsAreCaseInsensitive) {
  const auto comparisons =
      ParseRunFilter("params.a like 'x%' and params.b ILike '%y' AnD run_id in ('abc')");
  ASSERT_EQ(comparisons.size(), 3u);
  EXPECT_EQ(comparisons[0].op, Comparator::kLike);
  EXPECT_EQ(comparisons[1].op, Comparator::kILike);
  EXPECT_EQ(comparisons[2].op, Comparator::kIn);
  EXPECT_EQ(One("run_id not   in ('abc')").op, Comparator::kNotIn);
  EXPECT_EQ(One("run_id NOT IN ('abc')").op, Comparator::kNotIn);
}

TEST(SearchFilterTest, EveryComparator) {
  const std::pair<const char*, Comparator> cases[] = {
      {"=", Comparator::kEq},  {"!=", Comparator::kNe}, {">", Comparator::kGt},
      {">=", Comparator::kGe}, {"<", Comparator::kLt},  {"<=", Comparator::kLe}};
  for (const auto& [text, op] : cases) {
    EXPECT_EQ(One(std::string("metrics.m ") + text + " 1").op, op) << text;
    EXPECT_STREQ(ComparatorText(op), text);
  }
  EXPECT_STREQ(ComparatorText(Comparator::kLike), "LIKE");
  EXPECT_STREQ(ComparatorText(Comparator::kILike), "ILIKE");
  EXPECT_STREQ(ComparatorText(Comparator::kIn), "IN");
  EXPECT_STREQ(ComparatorText(Comparator::kNotIn), "NOT IN");
}

TEST(SearchFilterTest, SeveralComparisonsJoinedByAnd) {
  const auto c = ParseRunFilter(
      "metrics.auc >= 0.9 AND params.model = 'gbm' AND tags.\"team name\" LIKE 'ml%' AND "
      "attributes.status != 'FAILED' AND datasets.context = 'training'");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].type, EntityType::kMetric);
  EXPECT_EQ(c[1].type, EntityType::kParam);
  EXPECT_EQ(c[2].type, EntityType::kTag);
  EXPECT_EQ(c[2].key, "team name");
  EXPECT_EQ(c[3].type, EntityType::kAttribute);
  EXPECT_EQ(c[4].type, EntityType::kDataset);
  EXPECT_EQ(c[0].position, 0u);
  EXPECT_EQ(c[1].position, 23u);
  EXPECT_EQ(c[2].position, 48u);
}

TEST(SearchFilterTest, InListsAreReadAsPythonLiterals) {
  EXPECT_EQ(List(One("run_id IN ('abc', 'def')")), (Strings{"abc", "def"}));
  EXPECT_EQ(List(One("attributes.run_id IN ('abc')")), (Strings{"abc"}));
  EXPECT_EQ(List(One("run_id IN('a1','b2',)")), (Strings{"a1", "b2"}));
  EXPECT_EQ(List(One("datasets.name IN ('it''s', 'a\\'b', 'c\\\\d', 'e\\tf', 'g\\qh')")),
            (Strings{"its", "a'b", "c\\d", "e\tf", "g\\qh"}));
  // MLflow keeps only items that are all lower case, as run ids are.
  EXPECT_EQ(List(One("run_id NOT IN ('abc', 'ABC', 'aBc', '123', 'f00')")),
            (Strings{"abc", "f00"}));
  for (const char* key : {"name", "digest", "context"}) {
    EXPECT_EQ(List(One(std::string("dataset.") + key + " NOT IN ('x')")), (Strings{"x"}));
  }
}

TEST(SearchFilterTest, MalformedInLists) {
  EXPECT_TRUE(Contains(RunFilterError("run_id IN ()"), "position 11: the list is empty"));
  EXPECT_TRUE(Contains(RunFilterError("run_id IN ('a',)"), "position 15: expected a single"));
  EXPECT_TRUE(Contains(RunFilterError("run_id IN (\"a\")"), "position 11: expected a single"));
  EXPECT_TRUE(Contains(RunFilterError("run_id IN (1, 2)"), "position 11: expected a single"));
  EXPECT_TRUE(Contains(RunFilterError("run_id IN ('a' 'b')"), "position 15: expected ','"));
  EXPECT_TRUE(Contains(RunFilterError("run_id IN ('a'"), "position 14: expected ','"));
  EXPECT_TRUE(Contains(RunFilterError("run_id IN 'a'"), "position 10: expected a list"));
  // Python would read the backslash as escaping the closing quote.
  EXPECT_TRUE(Contains(RunFilterError("run_id IN ('a\\')"), "position 11: ill-formed string"));
  EXPECT_TRUE(Contains(RunFilterError("run_id = ('a')"), "position 9: a list of values needs IN"));
  EXPECT_TRUE(Contains(RunFilterError("run_name IN ('a')"), "comparator 'IN' is not valid"));
  EXPECT_TRUE(Contains(RunFilterError("params.p IN ('a')"), "comparator 'IN' is not valid"));
  EXPECT_TRUE(Contains(RunFilterError("run_id NOT LIKE 'a'"), "position 11: only IN may follow"));
}

TEST(SearchFilterTest, ComparatorsPerEntityType) {
  EXPECT_EQ(RunFilterError("metrics.auc >> 1"),
            "Invalid filter 'metrics.auc >> 1' at position 12: expected a comparator");
  EXPECT_TRUE(Contains(RunFilterError("metrics.auc"), "position 11: expected a comparator"));
  for (const char* bad : {"metrics.auc <> 1", "metrics.auc == 1", "metrics.auc 1"}) {
    EXPECT_TRUE(Contains(RunFilterError(bad), "position 12: expected a comparator")) << bad;
  }
  EXPECT_TRUE(Contains(RunFilterError("metrics.auc LIKE '0.9'"),
                       "position 12: comparator 'LIKE' is not valid for metric 'auc', use one of "
                       "=, !=, >, >=, <, <="));
  EXPECT_TRUE(Contains(RunFilterError("params.lr > '0.1'"),
                       "position 10: comparator '>' is not valid for param 'lr', use one of =, "
                       "!=, LIKE, ILIKE"));
  EXPECT_TRUE(Contains(RunFilterError("tags.t <= 'a'"), "comparator '<=' is not valid"));
  EXPECT_TRUE(Contains(RunFilterError("start_time LIKE '1%'"), "comparator 'LIKE' is not valid"));
  EXPECT_TRUE(Contains(RunFilterError("status > 'A'"), "comparator '>' is not valid"));
  EXPECT_TRUE(Contains(RunFilterError("datasets.name < 'a'"), "comparator '<' is not valid"));
  EXPECT_EQ(One("datasets.name ILIKE '%iris%'").op, Comparator::kILike);
}

TEST(SearchFilterTest, ValueTypesPerEntityType) {
  EXPECT_TRUE(Contains(RunFilterError("metrics.auc = '0.9'"),
                       "position 14: expected a number for metric 'auc', got '0.9'"));
  EXPECT_TRUE(Contains(RunFilterError("params.lr = 0.1"),
                       "position 12: expected a quoted string value for param 'lr'"));
  EXPECT_TRUE(Contains(RunFilterError("tags.t = abc"), "position 9: expected a quoted string"));
  EXPECT_TRUE(Contains(RunFilterError("tags.t = `abc`"), "position 9: expected a quoted string"));
  EXPECT_TRUE(Contains(RunFilterError("run_name = 5"), "expected a quoted string value for"));
  EXPECT_TRUE(Contains(RunFilterError("end_time > '5'"), "expected a number for attribute"));
  EXPECT_TRUE(Contains(RunFilterError("tags.t ="), "position 8: expected a value"));
}

TEST(SearchFilterTest, OnlyAndJoinsComparisons) {
  EXPECT_EQ(RunFilterError("metrics.a > 1 OR metrics.b < 0"),
            "Invalid filter 'metrics.a > 1 OR metrics.b < 0' at position 14: OR is not "
            "supported, only AND");
  EXPECT_TRUE(Contains(RunFilterError("metrics.a > 1 or metrics.b < 0"), "OR is not supported"));
  EXPECT_TRUE(Contains(RunFilterError("metrics.a > 1 metrics.b < 0"), "position 14: expected AND"));
  EXPECT_TRUE(Contains(RunFilterError("metrics.a > 1 AND"), "position 17: expected a comparison"));
  EXPECT_TRUE(Contains(RunFilterError("AND metrics.a > 1"), "position 0: expected an identifier"));
  EXPECT_TRUE(Contains(RunFilterError("(metrics.a > 1)"), "position 0: expected an identifier"));
  EXPECT_TRUE(Contains(RunFilterError("metrics.a > 1;"), "position 13: unexpected character ';'"));
  EXPECT_TRUE(Contains(RunFilterError("metrics.a > 1 AND AND metrics.b < 1"), "position 18"));
}

TEST(SearchFilterTest, MalformedIdentifiersAndStrings) {
  EXPECT_TRUE(Contains(RunFilterError("metricz.auc > 1"),
                       "position 0: invalid entity type 'metricz', valid types are metric, "
                       "parameter, tag, attribute, dataset"));
  EXPECT_TRUE(Contains(RunFilterError("datasets.size = 'x'"), "invalid dataset key 'size'"));
  EXPECT_TRUE(Contains(RunFilterError("tags.t = 'open"), "position 9: unterminated string"));
  EXPECT_TRUE(Contains(RunFilterError("tags.\"open = 'x'"), "position 5: unterminated quoted"));
  EXPECT_TRUE(Contains(RunFilterError("'tags.t' = 'x'"), "position 0: expected an identifier"));
  EXPECT_TRUE(Contains(RunFilterError("tags.t = 'x' AND metrics.m @ 1"), "position 27"));
}

TEST(SearchFilterTest, PositionsCountCharactersNotBytes) {
  // "é" is two bytes in UTF-8; OR is the 13th character, 14 bytes in.
  EXPECT_TRUE(Contains(RunFilterError("tags.é = 'x' OR tags.b = 'y'"), "at position 13:"));
}

TEST(SearchFilterTest, ExperimentFilter) {
  auto c = ParseExperimentFilter(
      "name LIKE 'churn%' AND attribute.creation_time > 100 AND tags.owner = 'me' AND "
      "tag.`a b` = 'x' AND \"last_update_time\" <= 5");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].key, "name");
  EXPECT_EQ(c[1].key, "creation_time");
  EXPECT_EQ(Number(c[1]), 100);
  EXPECT_EQ(c[2].type, EntityType::kTag);
  EXPECT_EQ(c[3].key, "a b");
  EXPECT_EQ(c[4].key, "last_update_time");
  auto error = [](std::string_view f) { return ErrorOf([&] { ParseExperimentFilter(f); }); };
  EXPECT_TRUE(Contains(error("metrics.a > 1"),
                       "invalid entity type 'metrics', valid types are "
                       "attribute, tag"));
  EXPECT_TRUE(Contains(error("attributes.name = 'x'"), "invalid entity type 'attributes'"));
  EXPECT_TRUE(Contains(error("`tags`.a = 'x'"), "invalid entity type '`tags`'"));
  EXPECT_TRUE(Contains(error("experiment_id = '1'"), "invalid attribute key 'experiment_id'"));
  EXPECT_TRUE(Contains(error("name IN ('a')"), "comparator 'IN' is not valid"));
  EXPECT_TRUE(Contains(error("creation_time = '5'"), "expected a number"));
  EXPECT_TRUE(Contains(error("name = 'a' OR name = 'b'"), "OR is not supported"));
}

TEST(SearchFilterTest, RegisteredModelFilter) {
  auto c = ParseRegisteredModelFilter("name ILIKE '%churn%' AND tags.`stage` = 'prod'");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].op, Comparator::kILike);
  EXPECT_EQ(c[1].type, EntityType::kTag);
  EXPECT_EQ(c[1].key, "stage");
  EXPECT_EQ(ParseRegisteredModelFilter("attribute.name = 'm'")[0].key, "name");
  auto error = [](std::string_view f) { return ErrorOf([&] { ParseRegisteredModelFilter(f); }); };
  // The registry looks attribute keys up before unquoting them, as MLflow does.
  EXPECT_TRUE(Contains(error("\"name\" = 'm'"), "invalid attribute key '\"name\"'"));
  EXPECT_TRUE(Contains(error("run_id = 'abc'"), "valid keys are name"));
  EXPECT_TRUE(Contains(error("name = 1"), "expected a quoted string"));
  EXPECT_TRUE(Contains(error("tags.t > 'a'"), "comparator '>' is not valid"));
  EXPECT_TRUE(Contains(error("params.p = 'a'"), "invalid entity type 'params'"));
}

TEST(SearchFilterTest, ModelVersionFilter) {
  auto c = ParseModelVersionFilter(
      "name = 'churn' AND run_id IN ('abc', 'def') AND version_number >= 2 AND "
      "source_path LIKE 's3://%' AND tags.validated = 'true'");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(List(c[1]), (Strings{"abc", "def"}));
  EXPECT_EQ(c[2].key, "version_number");
  EXPECT_EQ(Number(c[2]), 2);
  EXPECT_EQ(c[3].key, "source_path");
  EXPECT_EQ(c[4].type, EntityType::kTag);
  // MLflow also takes a quoted version number.
  EXPECT_EQ(Number(ParseModelVersionFilter("version_number = '3'")[0]), 3);
  auto error = [](std::string_view f) { return ErrorOf([&] { ParseModelVersionFilter(f); }); };
  EXPECT_TRUE(Contains(error("version_number = 'three'"), "expected a number"));
  EXPECT_TRUE(Contains(error("version_number LIKE '1%'"), "comparator 'LIKE' is not valid"));
  EXPECT_TRUE(Contains(error("run_id NOT IN ('abc')"), "comparator 'NOT IN' is not valid"));
  EXPECT_TRUE(Contains(error("name IN ('a')"), "comparator 'IN' is not valid"));
  EXPECT_TRUE(Contains(error("current_stage = 'None'"), "invalid attribute key"));
  EXPECT_TRUE(Contains(error("name = 'a' OR name = 'b'"), "position 11: OR is not supported"));
}

TEST(SearchFilterTest, NumericRunAttributes) {
  EXPECT_TRUE(IsNumericRunAttribute("start_time"));
  EXPECT_TRUE(IsNumericRunAttribute("end_time"));
  EXPECT_FALSE(IsNumericRunAttribute("run_name"));
  EXPECT_FALSE(IsNumericRunAttribute("status"));
}

// ----------------------------------------------------------------- order_by

std::string RunOrderError(std::string_view clause) {
  return ErrorOf([&] { ParseRunOrderBy(clause); });
}

TEST(OrderByTest, RunClauses) {
  OrderBy o = ParseRunOrderBy("metrics.auc");
  EXPECT_EQ(o.type, EntityType::kMetric);
  EXPECT_EQ(o.key, "auc");
  EXPECT_TRUE(o.ascending);
  o = ParseRunOrderBy("metrics.auc DESC");
  EXPECT_FALSE(o.ascending);
  o = ParseRunOrderBy("params.lr asc");
  EXPECT_EQ(o.type, EntityType::kParam);
  EXPECT_TRUE(o.ascending);
  o = ParseRunOrderBy("tags.`team name` desc");
  EXPECT_EQ(o.type, EntityType::kTag);
  EXPECT_EQ(o.key, "team name");
  EXPECT_FALSE(o.ascending);
  EXPECT_EQ(ParseRunOrderBy("metrics.\"val loss\" Desc").key, "val loss");
  EXPECT_EQ(ParseRunOrderBy("metric.\"a.b\"").key, "a.b");
  // MLflow unquotes the whole clause before splitting off the type.
  EXPECT_EQ(ParseRunOrderBy("\"metrics.auc\"").type, EntityType::kMetric);
  EXPECT_EQ(ParseRunOrderBy("  attributes.start_time  DESC ").key, "start_time");
  EXPECT_EQ(ParseRunOrderBy("start_time").type, EntityType::kAttribute);
  EXPECT_EQ(ParseRunOrderBy("created").key, "start_time");
  EXPECT_EQ(ParseRunOrderBy("attr.run_name").key, "run_name");
  EXPECT_EQ(ParseRunOrderBy("run.status").key, "status");
  EXPECT_EQ(ParseRunOrderBy("`params`.lr").type, EntityType::kParam);
}

TEST(OrderByTest, MalformedRunClauses) {
  EXPECT_EQ(RunOrderError("metrics.auc DESCENDING"),
            "Invalid order_by clause 'metrics.auc DESCENDING' at position 12: expected ASC, DESC "
            "or the end of the clause");
  EXPECT_TRUE(Contains(RunOrderError("metrics.auc DESC x"), "position 17"));
  EXPECT_TRUE(Contains(RunOrderError(""), "position 0: expected a column"));
  EXPECT_TRUE(Contains(RunOrderError("DESC"), "position 0: expected a column"));
  EXPECT_TRUE(Contains(RunOrderError("'metrics.auc'"), "position 0: expected a column"));
  EXPECT_TRUE(Contains(RunOrderError("datasets.name"), "cannot order by datasets"));
  EXPECT_TRUE(Contains(RunOrderError("lifecycle_stage"), "invalid order_by key"));
  EXPECT_TRUE(Contains(RunOrderError("run name"), "position 4"));
  EXPECT_TRUE(Contains(RunOrderError("foo.bar"), "invalid entity type 'foo'"));
  EXPECT_TRUE(Contains(RunOrderError("metrics.auc, params.lr"), "position 11: expected ASC"));
}

TEST(OrderByTest, ExperimentClauses) {
  EXPECT_EQ(ParseExperimentOrderBy("name").key, "name");
  OrderBy o = ParseExperimentOrderBy("experiment_id DESC");
  EXPECT_EQ(o.key, "experiment_id");
  EXPECT_FALSE(o.ascending);
  EXPECT_EQ(ParseExperimentOrderBy("attribute.creation_time").key, "creation_time");
  EXPECT_EQ(ParseExperimentOrderBy("last_update_time asc").key, "last_update_time");
  auto error = [](std::string_view c) { return ErrorOf([&] { ParseExperimentOrderBy(c); }); };
  EXPECT_TRUE(Contains(error("tags.owner"), "cannot order by tags"));
  EXPECT_TRUE(Contains(error("attributes.name"), "invalid entity type 'attributes'"));
  EXPECT_TRUE(Contains(error("start_time"),
                       "valid keys are name, experiment_id, creation_time, "
                       "last_update_time"));
}

TEST(OrderByTest, RegisteredModelClauses) {
  EXPECT_EQ(ParseRegisteredModelOrderBy("name DESC").key, "name");
  EXPECT_EQ(ParseRegisteredModelOrderBy("creation_timestamp").key, "creation_timestamp");
  EXPECT_EQ(ParseRegisteredModelOrderBy("last_updated_timestamp ASC").key,
            "last_updated_timestamp");
  const OrderBy o = ParseRegisteredModelOrderBy("timestamp DESC");  // MLflow's SQL store alias
  EXPECT_EQ(o.key, "last_updated_timestamp");
  EXPECT_FALSE(o.ascending);
  auto error = [](std::string_view c) { return ErrorOf([&] { ParseRegisteredModelOrderBy(c); }); };
  EXPECT_TRUE(Contains(error("version_number"), "invalid order_by key 'version_number'"));
  EXPECT_TRUE(Contains(error("tags.x"), "cannot order by tags"));
}

TEST(OrderByTest, ModelVersionClauses) {
  const OrderBy o = ParseModelVersionOrderBy("version_number DESC");
  EXPECT_EQ(o.key, "version_number");
  EXPECT_FALSE(o.ascending);
  EXPECT_EQ(ParseModelVersionOrderBy("attribute.name").key, "name");
  EXPECT_EQ(ParseModelVersionOrderBy("creation_timestamp").key, "creation_timestamp");
  EXPECT_EQ(ParseModelVersionOrderBy("last_updated_timestamp").key, "last_updated_timestamp");
  auto error = [](std::string_view c) { return ErrorOf([&] { ParseModelVersionOrderBy(c); }); };
  EXPECT_TRUE(Contains(error("timestamp"), "invalid order_by key 'timestamp'"));
  EXPECT_TRUE(Contains(error("run_id"), "invalid order_by key 'run_id'"));
}

// -------------------------------------------------------------- page tokens

TEST(PageTokenTest, BytesAreMlflows) {
  // python3 -c 'import base64, json; print(base64.b64encode(json.dumps({"offset": N}).encode()))'
  EXPECT_EQ(MakePageToken(0), "eyJvZmZzZXQiOiAwfQ==");
  EXPECT_EQ(MakePageToken(1), "eyJvZmZzZXQiOiAxfQ==");
  EXPECT_EQ(MakePageToken(50), "eyJvZmZzZXQiOiA1MH0=");
  EXPECT_EQ(MakePageToken(1000), "eyJvZmZzZXQiOiAxMDAwfQ==");
  EXPECT_EQ(MakePageToken(123456789012), "eyJvZmZzZXQiOiAxMjM0NTY3ODkwMTJ9");
}

TEST(PageTokenTest, RoundTrip) {
  for (int64_t offset : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{99}, int64_t{1000},
                         int64_t{50001}, int64_t{1} << 40}) {
    EXPECT_EQ(ParsePageToken(MakePageToken(offset)), offset);
  }
  EXPECT_EQ(ParsePageToken(""), 0);
  EXPECT_EQ(ParsePageToken("eyJvZmZzZXQiOiAiNyJ9"), 7);  // {"offset": "7"}: MLflow's int() reads it
}

TEST(PageTokenTest, MalformedTokens) {
  auto error = [](std::string_view token) { return ErrorOf([&] { ParsePageToken(token); }); };
  EXPECT_EQ(error("not base64!"), "Invalid page token 'not base64!': not base64");
  EXPECT_TRUE(Contains(error("abc"), "not base64"));
  EXPECT_TRUE(Contains(error("ab=c"), "not base64"));
  EXPECT_TRUE(Contains(error("a==="), "not base64"));
  EXPECT_TRUE(Contains(error("eyJvZmZzZXQiOiAxfQ== "), "not base64"));
  EXPECT_TRUE(Contains(error("bm90IGpzb24="), "expected the base64 of"));        // not json
  EXPECT_TRUE(Contains(error("WzFd"), "expected the base64 of"));                // [1]
  EXPECT_TRUE(Contains(error("eyJsaW1pdCI6IDN9"), "expected the base64 of"));    // {"limit": 3}
  EXPECT_TRUE(Contains(error("eyJvZmZzZXQiOiAtNX0="), "non-negative integer"));  // -5
  EXPECT_TRUE(Contains(error("eyJvZmZzZXQiOiAyLjV9"), "non-negative integer"));  // 2.5
}

}  // namespace
}  // namespace leanops::track
