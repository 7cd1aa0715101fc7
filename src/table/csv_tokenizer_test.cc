// Tests of the CSV syntax layer: fields, quoting, and cutting at row boundaries.
#include "table/csv_tokenizer.h"

#include <gtest/gtest.h>

#include <random>

#include "table/csv_plain_rows.h"

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

// Restores the SIMD choice when a test ends.
class Avx2Setting {
 public:
  explicit Avx2Setting(bool allow) : previous_(AllowAvx2ForTesting(allow)) {}
  ~Avx2Setting() { AllowAvx2ForTesting(previous_); }

 private:
  bool previous_;
};

// Every recorded span of a piece, and its row count and failure, to compare
// two tokenizations exactly.
struct Spans {
  size_t rows = 0;
  std::vector<std::vector<std::tuple<uint32_t, uint32_t, bool>>> columns;
  std::optional<uint64_t> failure;
  bool operator==(const Spans&) const = default;
};

Spans Tokenize(std::string_view text, uint64_t begin, uint64_t end, size_t num_columns,
               const std::vector<uint8_t>* keep, bool avx2) {
  Avx2Setting setting(avx2);
  TokenizedPiece piece;
  TokenizeRows(text, begin, end, num_columns, ',', &piece, keep);
  Spans spans;
  spans.rows = piece.rows;
  for (const auto& column : piece.columns) {
    auto& out = spans.columns.emplace_back();
    for (CellSpan cell : column) {
      out.emplace_back(cell.offset(), cell.length(), cell.has_doubled_quotes());
    }
  }
  if (piece.failure) spans.failure = piece.failure->offset;
  return spans;
}

// The AVX2 and SSE2 forms of the fast path give the same spans as each
// other and the fields written, on texts mixing what makes it stop (quotes,
// blank lines, lone CRs, ragged rows) with fields of every length around
// the 32- and 64-byte blocks, CRLF and LF, any set of columns kept.
TEST(CsvTokenizerTest, Avx2AndSse2PathsAgree) {
  if (!HaveAvx2()) GTEST_SKIP() << "no AVX2 on this CPU: only the SSE2 path runs";
  std::mt19937 random(23);
  for (size_t num_columns : {1u, 2u, 5u, 13u}) {
    std::string text;
    std::vector<std::vector<std::string>> expected;
    for (int row = 0; row < 4000; ++row) {
      int kind = static_cast<int>(random() % 100);
      if (kind == 0) text += "\n";
      if (kind == 1) text += "\r\n";
      std::vector<std::string> fields;
      for (size_t c = 0; c < num_columns; ++c) {
        if (c > 0) text += ',';
        std::string value(random() % 3 == 0 ? random() % 70 : random() % 6, 'a');
        for (char& ch : value) ch = static_cast<char>('a' + random() % 26);
        if (num_columns == 1 && value.empty()) value = "x";  // an empty row would be blank
        if (kind == 2 && c == num_columns / 2) {
          fields.push_back(value + "\"q,\n" + value);
          text += "\"" + value + "\"\"q,\n" + value + "\"";
        } else {
          fields.push_back(value);
          text += value;
        }
      }
      expected.push_back(fields);
      text += kind == 3 ? "\r" : random() % 4 == 0 ? "\r\n" : "\n";
    }
    std::vector<uint8_t> some(num_columns, 0);
    for (size_t c = 0; c < num_columns; c += 2) some[c] = 1;
    some.back() = 1;
    for (const std::vector<uint8_t>* keep : {static_cast<const std::vector<uint8_t>*>(nullptr),
                                             static_cast<const std::vector<uint8_t>*>(&some)}) {
      std::vector<uint64_t> bounds = SplitAtRowBoundaries(text, 0, text.size(), 7, 1);
      for (size_t i = 0; i + 1 < bounds.size(); ++i) {
        Spans avx2 = Tokenize(text, bounds[i], bounds[i + 1], num_columns, keep, true);
        Spans sse2 = Tokenize(text, bounds[i], bounds[i + 1], num_columns, keep, false);
        EXPECT_FALSE(avx2.failure);
        EXPECT_EQ(avx2, sse2) << num_columns << " columns, piece " << i;
      }
    }
    Avx2Setting avx2(true);
    EXPECT_EQ(Rows(text, 0, text.size(), num_columns), expected) << num_columns << " columns";
  }
}

// Rows longer than the fast path's first window (4 KiB) stay on it.
TEST(CsvTokenizerTest, RowsLongerThanAWindow) {
  std::string text;
  std::vector<std::vector<std::string>> expected;
  for (size_t row = 0; row < 40; ++row) {
    std::vector<std::string> fields;
    for (size_t c = 0; c < 3; ++c) {
      fields.emplace_back(row * 200 + c * 7, static_cast<char>('a' + c));
      text += (c > 0 ? "," : "") + fields.back();
    }
    expected.push_back(fields);
    text += row % 2 ? "\r\n" : "\n";
  }
  for (bool avx2 : {true, false}) {
    Avx2Setting setting(avx2);
    EXPECT_EQ(Rows(text, 0, text.size(), 3), expected) << avx2;
  }
  EXPECT_EQ(Tokenize(text, 0, text.size(), 3, nullptr, true),
            Tokenize(text, 0, text.size(), 3, nullptr, false));
}

// A ragged row or a stray quote is reported at the same offset by both.
TEST(CsvTokenizerTest, Avx2AndSse2PathsFailAlike) {
  std::string row = std::string(40, 'x') + "," + std::string(30, 'y') + "\n";
  std::string base;
  for (int i = 0; i < 200; ++i) base += row;
  for (size_t at : {size_t{0}, size_t{64}, row.size() * 37, row.size() * 150}) {
    std::string ragged = base;
    ragged.insert(at, "only,one,more\n");
    std::string stray = base;
    stray[at + 5] = '"';
    for (const std::string& text : {ragged, stray}) {
      Spans avx2 = Tokenize(text, 0, text.size(), 2, nullptr, true);
      Spans sse2 = Tokenize(text, 0, text.size(), 2, nullptr, false);
      ASSERT_TRUE(sse2.failure);
      EXPECT_EQ(avx2, sse2) << at;
    }
  }
}

// Guessed cuts: right where no quoted line break spans one, and where one
// does, the piece before the first wrong cut runs past it.
TEST(CsvTokenizerTest, GuessedCutsAreRightOrShowWhereTheyAreWrong) {
  std::mt19937 random(5);
  const char* fields[] = {"plain", "\"q,uoted\"", "\"\"\"\"", "", "x", "\"line\nbreak\""};
  for (size_t kinds : {5u, 6u}) {  // without, then with quoted line breaks
    std::string text;
    for (int row = 0; row < 3000; ++row) {
      for (int c = 0; c < 3; ++c) {
        if (c > 0) text += ',';
        text += fields[random() % kinds];
      }
      text += row % 5 == 0 ? "\r\n" : "\n";
    }
    auto whole = Rows(text, 0, text.size(), 3);
    size_t missed = 0;
    for (size_t pieces : {2u, 3u, 17u, 500u}) {
      std::vector<uint64_t> bounds = GuessRowBoundaries(text, 0, text.size(), pieces);
      ASSERT_EQ(bounds.front(), 0u);
      ASSERT_EQ(bounds.back(), text.size());
      std::vector<std::vector<std::string>> joined;
      size_t i = 0;
      for (; i + 1 < bounds.size(); ++i) {
        ASSERT_LT(bounds[i], bounds[i + 1]);
        TokenizedPiece piece;
        TokenizeRows(text, bounds[i], bounds[i + 1], 3, ',', &piece);
        ASSERT_FALSE(piece.failure) << piece.failure->message;
        if (piece.end != bounds[i + 1]) {
          // The cut fell inside a quoted field: no row starts there.
          EXPECT_GT(piece.end, bounds[i + 1]);
          ++missed;
          break;
        }
        auto part = Rows(text, bounds[i], bounds[i + 1], 3);
        joined.insert(joined.end(), part.begin(), part.end());
      }
      if (i + 1 == bounds.size()) {
        EXPECT_EQ(joined, whole) << pieces << " pieces";
      }
      if (kinds == 5) {
        EXPECT_EQ(bounds, SplitAtRowBoundaries(text, 0, text.size(), pieces, 2));
      }
    }
    EXPECT_EQ(missed > 0, kinds == 6);
  }
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
