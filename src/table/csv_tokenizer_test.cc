// Tests of the CSV syntax layer: fields, quoting, and cutting at row boundaries.
#include "table/csv_tokenizer.h"

#include <gtest/gtest.h>

#include <random>

namespace leanops::table {
namespace {

// Every field of every row, unescaped, row by row.
std::vector<std::vector<std::string>> Rows(std::string_view text, uint64_t begin, uint64_t end,
                                           size_t num_columns) {
  TokenizedPiece piece;
  TokenizeRows(text, begin, end, num_columns, ',', &piece);
  EXPECT_FALSE(piece.failure) << piece.failure->message;
  std::vector<std::vector<std::string>> rows(piece.rows);
  std::string scratch;
  for (size_t r = 0; r < piece.rows; ++r) {
    for (size_t c = 0; c < num_columns; ++c) {
      rows[r].emplace_back(CellText(text.data() + begin, piece.columns[c][r], &scratch));
    }
  }
  return rows;
}

TEST(CsvTokenizerTest, QuotedFields) {
  std::string text = "a,\"b,\"\"c\"\"\nd\",\"\"\r\n\"x\",y,z";
  auto rows = Rows(text, 0, text.size(), 3);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,\"c\"\nd", ""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x", "y", "z"}));
}

TEST(CsvTokenizerTest, ReadOneRowForTheHeader) {
  std::string text = "\n\nid,\"full name\"\n1,2\n";
  uint64_t pos = 0;
  std::vector<std::string> fields;
  EXPECT_FALSE(ReadOneRow(text, &pos, ',', &fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"id", "full name"}));
  EXPECT_EQ(text.substr(pos), "1,2\n");
}

TEST(CsvTokenizerTest, FailuresPointAtTheProblem) {
  TokenizedPiece piece;
  std::string stray = "a,b\nx,y\"z\n";
  TokenizeRows(stray, 0, stray.size(), 2, ',', &piece);
  ASSERT_TRUE(piece.failure);
  EXPECT_EQ(piece.failure->offset, 7u);
  EXPECT_EQ(piece.rows, 1u);
  std::string open = "a,b\n\"x,y\n";
  TokenizeRows(open, 0, open.size(), 2, ',', &piece);
  ASSERT_TRUE(piece.failure);
  EXPECT_EQ(piece.failure->offset, 4u);
  std::string after = "\"a\"b,c\n";
  TokenizeRows(after, 0, after.size(), 2, ',', &piece);
  ASSERT_TRUE(piece.failure);
  EXPECT_EQ(piece.failure->offset, 3u);
}

// Cutting anywhere, with quotes, doubled quotes and line breaks inside
// quotes, gives the same rows as reading the text in one piece.
TEST(CsvTokenizerTest, SplitAtRowBoundariesNeverCutsARow) {
  std::mt19937 random(7);
  std::string text;
  const char* fields[] = {
      "plain", "\"q,uoted\"", "\"line\nbreak\"", "\"\"\"\"", "\"a\"\"\n\"\"b\"", "", "\"\"", "x"};
  for (int row = 0; row < 3000; ++row) {
    for (int c = 0; c < 3; ++c) {
      if (c > 0) text += ',';
      text += fields[random() % 8];
    }
    text += row % 5 == 0 ? "\r\n" : "\n";
  }
  auto whole = Rows(text, 0, text.size(), 3);
  ASSERT_EQ(whole.size(), 3000u);
  for (size_t pieces : {2u, 3u, 17u, 500u, 5000u}) {
    std::vector<uint64_t> bounds = SplitAtRowBoundaries(text, 0, text.size(), pieces, 3);
    ASSERT_EQ(bounds.front(), 0u);
    ASSERT_EQ(bounds.back(), text.size());
    std::vector<std::vector<std::string>> joined;
    for (size_t i = 0; i + 1 < bounds.size(); ++i) {
      ASSERT_LT(bounds[i], bounds[i + 1]);
      auto part = Rows(text, bounds[i], bounds[i + 1], 3);
      joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, whole) << pieces << " pieces";
  }
}

// Long texts take the 64-bytes-at-a-time path for rows without quotes and
// the field-by-field one around quotes; both must give the fields written.
TEST(CsvTokenizerTest, LongTextsGiveTheFieldsWritten) {
  std::mt19937 random(11);
  const char* plain[] = {"", "a", "longer value with spaces", "12345", "tab\tand;semicolon"};
  std::vector<std::vector<std::string>> expected;
  std::string text;
  for (int row = 0; row < 5000; ++row) {
    if (random() % 50 == 0) text += random() % 2 ? "\n" : "\r\n";  // blank lines
    std::vector<std::string> fields;
    for (int c = 0; c < 4; ++c) {
      if (c > 0) text += ',';
      int kind = static_cast<int>(random() % 12);
      if (kind == 0) {
        fields.push_back("q\"uo,ted\n");
        text += "\"q\"\"uo,ted\n\"";
      } else {
        std::string value = plain[kind % 5];
        fields.push_back(value);
        text += value;
      }
    }
    expected.push_back(fields);
    text += random() % 3 == 0 ? "\r\n" : "\n";
  }
  EXPECT_EQ(Rows(text, 0, text.size(), 4), expected);
  TokenizedPiece piece;
  std::string ragged =
      std::string(100, 'a') + ",b\n" + std::string(100, 'c') + "\n" + std::string(80, 'd');
  TokenizeRows(ragged, 0, ragged.size(), 2, ',', &piece);
  ASSERT_TRUE(piece.failure);
  EXPECT_EQ(piece.failure->offset, 103u);
  EXPECT_EQ(piece.failure->message, "expected 2 fields, got 1");
}

TEST(CsvTokenizerTest, SplitStopsAtTheRowHoldingTheTarget) {
  std::string text = "aaaa\nbb\"\n\"b\ncc\n";
  // Byte 7 is inside row 2's quoted field: the chunk runs to the end of row 2.
  std::vector<uint64_t> bounds = SplitAtRowBoundaries(text, 0, 7, 1, 1);
  EXPECT_EQ(bounds, (std::vector<uint64_t>{0, 12}));
  // A target exactly at a row start is the end.
  EXPECT_EQ(SplitAtRowBoundaries(text, 0, 5, 1, 1), (std::vector<uint64_t>{0, 5}));
}

}  // namespace
}  // namespace leanops::table
