// Tests of the Table and Column containers and the string dictionary.
#include "table/table.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace leanops::table {
namespace {

TEST(TableTest, ColumnsAppendValuesAndNulls) {
  Column ages("age", ColumnType::kInt64);
  ages.AppendInt64(30);
  ages.AppendNull();
  ages.AppendInt64(-1);
  ASSERT_EQ(ages.size(), 3u);
  EXPECT_FALSE(ages.IsNull(0));
  EXPECT_TRUE(ages.IsNull(1));
  EXPECT_EQ(ages.null_count(), 1u);
  EXPECT_EQ(ages.int64s()[0], 30);
  EXPECT_EQ(ages.int64s()[1], 0);
  EXPECT_EQ(ages.int64s()[2], -1);
  EXPECT_THROW(ages.float64s(), Error);
}

TEST(TableTest, StringsShareADictionary) {
  Column plans("plan", ColumnType::kString);
  for (const char* plan : {"basic", "pro", "basic", "basic"}) plans.AppendString(plan);
  plans.AppendNull();
  EXPECT_EQ(plans.dictionary().values(), (std::vector<std::string>{"basic", "pro"}));
  EXPECT_EQ(std::vector<uint32_t>(plans.codes().begin(), plans.codes().end()),
            (std::vector<uint32_t>{0, 1, 0, 0, 0}));
  EXPECT_EQ(plans.StringAt(1), "pro");
  EXPECT_TRUE(plans.IsNull(4));
  EXPECT_EQ(plans.dictionary().Find("pro"), 1u);
  EXPECT_EQ(plans.dictionary().Find("gold"), std::nullopt);
}

TEST(TableTest, DictionaryGrowsPastManyValues) {
  StringDictionary dictionary;
  for (int i = 0; i < 100000; ++i) EXPECT_EQ(dictionary.Intern(std::to_string(i)), uint32_t(i));
  for (int i = 0; i < 100000; i += 997) EXPECT_EQ(dictionary.Find(std::to_string(i)), uint32_t(i));
  EXPECT_EQ(dictionary.Intern("5"), 5u);
  EXPECT_EQ(dictionary.size(), 100000u);
}

TEST(TableTest, TableChecksColumns) {
  Table table;
  Column a("a", ColumnType::kBool);
  a.AppendBool(true);
  table.AddColumn(a);
  Column b("b", ColumnType::kFloat64);
  EXPECT_THROW(table.AddColumn(b), Error);  // 0 rows, table has 1
  b.AppendFloat64(2.5);
  table.AddColumn(b);
  EXPECT_THROW(table.AddColumn(a), Error);  // duplicate name
  EXPECT_EQ(table.num_rows(), 1u);
  EXPECT_EQ(table.num_columns(), 2u);
  ASSERT_NE(table.Find("b"), nullptr);
  EXPECT_EQ(table.Find("b")->float64s()[0], 2.5);
  EXPECT_EQ(table.Find("c"), nullptr);
  EXPECT_EQ(table.schema(),
            (std::vector<Field>{{"a", ColumnType::kBool}, {"b", ColumnType::kFloat64}}));
}

TEST(TableTest, TypeNamesRoundTrip) {
  for (ColumnType type : {ColumnType::kInt64, ColumnType::kFloat64, ColumnType::kBool,
                          ColumnType::kString, ColumnType::kDate, ColumnType::kTimestamp}) {
    EXPECT_EQ(ColumnTypeFromName(ColumnTypeName(type)), type);
  }
  EXPECT_EQ(ColumnTypeFromName("int"), std::nullopt);
}

RowVector<char> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

TEST(ColumnTest, PlainStringsHaveNoDictionary) {
  Column ids("id", ColumnType::kString);
  ids.Resize(3);
  std::vector<uint8_t> valid = {1, 0, 1};
  std::copy(valid.begin(), valid.end(), ids.mutable_validity().begin());
  ids.set_plain_strings(Bytes("C1C22"), {0, 2, 2, 5});
  EXPECT_FALSE(ids.has_dictionary());
  EXPECT_EQ(ids.StringAt(0), "C1");
  EXPECT_TRUE(ids.IsNull(1));
  EXPECT_EQ(ids.StringAt(2), "C22");
  EXPECT_EQ(ids.StringHash(2), StringDictionary::Hash("C22"));
  ids.AppendString("C333");
  ids.AppendNull();
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids.StringAt(3), "C333");
  EXPECT_TRUE(ids.IsNull(4));
  EXPECT_THROW(ids.dictionary(), Error);
  // Offsets that do not cover the rows and bytes are a bug.
  Column bad("x", ColumnType::kString);
  bad.Resize(2);
  EXPECT_THROW(bad.set_plain_strings(Bytes("ab"), {0, 2}), Error);
}

TEST(ColumnTest, ResizeUninitializedKeepsTheRowsBeforeAndAddsRows) {
  Column ages("age", ColumnType::kInt64);
  ages.AppendInt64(7);
  ages.ResizeUninitialized(3);
  ASSERT_EQ(ages.size(), 3u);
  EXPECT_EQ(ages.int64s()[0], 7);
  EXPECT_FALSE(ages.IsNull(0));
  ages.mutable_int64s()[1] = 0;
  ages.mutable_validity()[1] = 0;
  ages.mutable_int64s()[2] = 9;
  ages.mutable_validity()[2] = 1;
  EXPECT_EQ(ages.null_count(), 1u);
  EXPECT_EQ(ages.int64s()[2], 9);
}

}  // namespace
}  // namespace leanops::table
