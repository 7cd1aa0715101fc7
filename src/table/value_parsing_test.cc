// Tests of the value forms the CSV reader accepts and of the inference rules.
#include "table/value_parsing.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include "table/csv_typing.h"
#include "table/value_format.h"

namespace leanops::table {
namespace {

TEST(ValueParsingTest, Int64) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64("42", &v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(ParseInt64("-7", &v));
  EXPECT_EQ(v, -7);
  EXPECT_TRUE(ParseInt64("+5", &v));
  EXPECT_EQ(v, 5);
  EXPECT_TRUE(ParseInt64("007", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(ParseInt64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  for (const char* bad :
       {"", "-", "+", "9223372036854775808", "1.0", "1e3", " 1", "1 ", "0x10", "+-1", "12a"}) {
    EXPECT_FALSE(ParseInt64(bad, &v)) << bad;
  }
}

TEST(ValueParsingTest, Float64AcceptsWhatPandasDoes) {
  double v = 0;
  EXPECT_TRUE(ParseFloat64("1.5", &v));
  EXPECT_EQ(v, 1.5);
  EXPECT_TRUE(ParseFloat64("-2e-3", &v));
  EXPECT_EQ(v, -2e-3);
  EXPECT_TRUE(ParseFloat64(".5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(ParseFloat64("+3", &v));
  EXPECT_EQ(v, 3.0);
  EXPECT_TRUE(ParseFloat64("1E5", &v));
  EXPECT_EQ(v, 1e5);
  EXPECT_TRUE(ParseFloat64("inf", &v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  EXPECT_TRUE(ParseFloat64("-Infinity", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  for (const char* nan : {"nan", "NaN", "NAN"}) {
    EXPECT_TRUE(ParseFloat64(nan, &v)) << nan;
    EXPECT_TRUE(std::isnan(v)) << nan;
  }
  EXPECT_TRUE(ParseFloat64("1e999", &v));
  EXPECT_TRUE(std::isinf(v));
  for (const char* bad : {"", "abc", "1.5x", "1,5", "--1", "e5", " 1.5"}) {
    EXPECT_FALSE(ParseFloat64(bad, &v)) << bad;
  }
}

// Plain decimals take a fast path; it must give what from_chars gives, to
// the bit, on every length of digits around its 15-digit limit.
TEST(ValueParsingTest, Float64FastPathEqualsFromChars) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 200000; ++i) {
    size_t digits = 1 + random() % 18;
    std::string text = random() % 2 ? "-" : "";
    size_t point = random() % (digits + 1);
    for (size_t d = 0; d < digits; ++d) {
      if (d == point) text += '.';
      text += static_cast<char>('0' + random() % 10);
    }
    double fast = 0, exact = 0;
    ASSERT_TRUE(ParseFloat64(text, &fast)) << text;
    std::from_chars(text.data(), text.data() + text.size(), exact);
    ASSERT_EQ(std::bit_cast<uint64_t>(fast), std::bit_cast<uint64_t>(exact)) << text;
  }
  double v = 0;
  EXPECT_TRUE(ParseFloat64("5.", &v));
  EXPECT_EQ(v, 5.0);
  EXPECT_TRUE(ParseFloat64("-0.0", &v));
  EXPECT_TRUE(std::signbit(v));
  for (const char* bad : {".", "-", "+", "1.2.3", "-.", "1-2"}) {
    EXPECT_FALSE(ParseFloat64(bad, &v)) << bad;
  }
}

TEST(ValueParsingTest, Bool) {
  bool v = false;
  for (const char* yes : {"true", "True", "TRUE"}) {
    EXPECT_TRUE(ParseBool(yes, &v) && v) << yes;
  }
  for (const char* no : {"false", "False", "FALSE"}) {
    EXPECT_TRUE(ParseBool(no, &v) && !v) << no;
  }
  for (const char* bad : {"tRUE", "yes", "1", "t", ""}) EXPECT_FALSE(ParseBool(bad, &v)) << bad;
}

TEST(ValueParsingTest, DateIsDaysSinceEpoch) {
  int64_t days = -1;
  EXPECT_TRUE(ParseDate("1970-01-01", &days));
  EXPECT_EQ(days, 0);
  EXPECT_TRUE(ParseDate("2000-03-01", &days));
  EXPECT_EQ(days, 11017);
  EXPECT_TRUE(ParseDate("1969-12-31", &days));
  EXPECT_EQ(days, -1);
  EXPECT_TRUE(ParseDate("2024-02-29", &days));
  EXPECT_EQ(days, 19782);
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-1-01",
                          "2024/01/01", "2024-01-01 ", "20240101"}) {
    EXPECT_FALSE(ParseDate(bad, &days)) << bad;
  }
}

TEST(ValueParsingTest, TimestampIsUtcMicroseconds) {
  int64_t us = -1;
  EXPECT_TRUE(ParseTimestamp("1970-01-01T00:00:00Z", &us));
  EXPECT_EQ(us, 0);
  EXPECT_TRUE(ParseTimestamp("1970-01-01 00:00:01.5", &us));
  EXPECT_EQ(us, 1500000);
  EXPECT_TRUE(ParseTimestamp("1970-01-02 00:00:00.000001", &us));
  EXPECT_EQ(us, 86400000001);
  EXPECT_TRUE(ParseTimestamp("1970-01-01T00:00:00.123456789", &us));
  EXPECT_EQ(us, 123456);
  EXPECT_TRUE(ParseTimestamp("1970-01-01T01:00:00+01:00", &us));
  EXPECT_EQ(us, 0);
  EXPECT_TRUE(ParseTimestamp("1969-12-31T23:30:00-00:30", &us));
  EXPECT_EQ(us, 0);
  EXPECT_TRUE(ParseTimestamp("1970-01-02", &us));
  EXPECT_EQ(us, 86400000000);
  for (const char* bad : {"2024-01-32", "2024-01-01T24:00:00", "2024-01-01T10:60:00",
                          "2024-01-01T10:00", "2024-01-01X10:00:00", "2024-01-01T10:00:00.",
                          "2024-01-01T10:00:00.1234567890", "2024-01-01T10:00:00+1"}) {
    EXPECT_FALSE(ParseTimestamp(bad, &us)) << bad;
  }
}

TEST(ValueParsingTest, NarrowestTypeTriesInOrder) {
  EXPECT_EQ(NarrowestType("12"), ColumnType::kInt64);
  EXPECT_EQ(NarrowestType("-1.5"), ColumnType::kFloat64);
  EXPECT_EQ(NarrowestType("nan"), ColumnType::kFloat64);
  EXPECT_EQ(NarrowestType("True"), ColumnType::kBool);
  EXPECT_EQ(NarrowestType("2024-05-06"), ColumnType::kDate);
  EXPECT_EQ(NarrowestType("2024-05-06 10:00:00"), ColumnType::kTimestamp);
  EXPECT_EQ(NarrowestType("2024-05-32"), ColumnType::kString);
  EXPECT_EQ(NarrowestType("hello"), ColumnType::kString);
}

TEST(ValueParsingTest, WidenType) {
  EXPECT_EQ(WidenType(ColumnType::kInt64, ColumnType::kFloat64), ColumnType::kFloat64);
  EXPECT_EQ(WidenType(ColumnType::kFloat64, ColumnType::kInt64), ColumnType::kFloat64);
  EXPECT_EQ(WidenType(ColumnType::kDate, ColumnType::kTimestamp), ColumnType::kTimestamp);
  EXPECT_EQ(WidenType(ColumnType::kBool, ColumnType::kBool), ColumnType::kBool);
  EXPECT_EQ(WidenType(ColumnType::kInt64, ColumnType::kBool), ColumnType::kString);
  EXPECT_EQ(WidenType(ColumnType::kDate, ColumnType::kInt64), ColumnType::kString);
  EXPECT_EQ(WidenType(ColumnType::kString, ColumnType::kInt64), ColumnType::kString);
}

TEST(ValueParsingTest, FindInvalidUtf8) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii, long enough for words"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("ab\xFFz"), 2u);
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);             // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1u);        // surrogate
  EXPECT_EQ(FindInvalidUtf8("0123456789\xE2\x82"), 10u);  // truncated at the end
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);     // above U+10FFFF
}

TEST(ValueFormatTest, DatesAndTimestampsReadBackAsWritten) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(19782), "2024-02-29");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatTimestamp(1700000000123456), "2023-11-14T22:13:20.123456");
  for (int64_t micros : {int64_t{0}, int64_t{-1}, int64_t{1700000000123456}, int64_t{-86400000000},
                         int64_t{253402300799000000}}) {
    int64_t back = 0;
    ASSERT_TRUE(ParseTimestamp(FormatTimestamp(micros), &back)) << micros;
    EXPECT_EQ(back, micros);
  }
  for (int64_t days : {-719162, -1, 0, 19782, 2932896}) {
    int64_t back = 0;
    ASSERT_TRUE(ParseDate(FormatDate(days), &back)) << days;
    EXPECT_EQ(back, days);
  }
}

}  // namespace
}  // namespace leanops::table
