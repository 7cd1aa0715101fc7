// Tests of ReadCsv and CsvReader: syntax, types, errors, parallel parsing and
// streaming, on files written to a temporary directory.
#include "table/csv_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "core/error.h"

namespace leanops::table {
namespace {

class CsvReaderTest : public ::testing::Test {
 protected:
  CsvReaderTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "csv_reader_test.XXXXXX");
    dir_ = mkdtemp(pattern.data());
  }
  ~CsvReaderTest() override { std::filesystem::remove_all(dir_); }

  std::string Write(std::string_view contents, const std::string& name = "data.csv") {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  // The kData message of reading `contents`, with the temp directory cut off.
  std::string ErrorOf(std::string_view contents, CsvOptions options = {}) {
    std::string path = Write(contents);
    try {
      ReadCsv(path, options);
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kData);
      std::string message = error.what();
      if (message.rfind(dir_ + "/", 0) == 0) message.erase(0, dir_.size() + 1);
      return message;
    }
    return "no error";
  }

  std::string dir_;
};

std::vector<std::string> Strings(const Column& column) {
  std::vector<std::string> values;
  for (size_t row = 0; row < column.size(); ++row) {
    values.emplace_back(column.IsNull(row) ? "<null>" : std::string(column.StringAt(row)));
  }
  return values;
}

// Tables equal cell by cell, including string codes and dictionaries.
void ExpectSameTable(const Table& a, const Table& b) {
  ASSERT_EQ(a.schema(), b.schema());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t c = 0; c < a.num_columns(); ++c) {
    const Column& x = a.column(c);
    const Column& y = b.column(c);
    SCOPED_TRACE(x.name());
    ASSERT_TRUE(std::ranges::equal(x.validity(), y.validity()));
    switch (x.type()) {
      case ColumnType::kFloat64:
        for (size_t row = 0; row < x.size(); ++row) {
          double u = x.float64s()[row], v = y.float64s()[row];
          ASSERT_TRUE(u == v || (u != u && v != v)) << "row " << row;
        }
        break;
      case ColumnType::kBool:
        ASSERT_TRUE(std::ranges::equal(x.bools(), y.bools()));
        break;
      case ColumnType::kString:
        if (x.has_dictionary() && y.has_dictionary()) {
          ASSERT_TRUE(std::ranges::equal(x.codes(), y.codes()));
          ASSERT_EQ(x.dictionary().values(), y.dictionary().values());
          break;
        }
        for (size_t row = 0; row < x.size(); ++row) {
          if (x.IsNull(row)) continue;
          ASSERT_EQ(x.StringAt(row), y.StringAt(row)) << "row " << row;
          ASSERT_EQ(x.StringHash(row), y.StringHash(row)) << "row " << row;
        }
        break;
      default:
        ASSERT_TRUE(std::ranges::equal(x.int64s(), y.int64s()));
    }
  }
}

TEST_F(CsvReaderTest, InfersEachType) {
  Table table =
      ReadCsv(Write("i,f,b,d,t,s\n"
                    "1,1.5,true,2024-01-31,2024-01-31 12:00:00,x\n"
                    ",-2e-3,False,,2024-01-31T12:00:00.25Z,\n"
                    "-3,nan,TRUE,1970-01-01,,y z\n"));
  EXPECT_EQ(table.schema(), (std::vector<Field>{{"i", ColumnType::kInt64},
                                                {"f", ColumnType::kFloat64},
                                                {"b", ColumnType::kBool},
                                                {"d", ColumnType::kDate},
                                                {"t", ColumnType::kTimestamp},
                                                {"s", ColumnType::kString}}));
  ASSERT_EQ(table.num_rows(), 3u);
  const Column& i = table.column(0);
  EXPECT_EQ(i.int64s()[0], 1);
  EXPECT_TRUE(i.IsNull(1));
  EXPECT_EQ(i.int64s()[2], -3);
  EXPECT_EQ(table.column(1).float64s()[1], -2e-3);
  EXPECT_TRUE(std::isnan(table.column(1).float64s()[2]));
  EXPECT_FALSE(table.column(1).IsNull(2)) << "nan is a value, not a null";
  EXPECT_EQ(table.column(2).bools()[0], 1);
  EXPECT_EQ(table.column(2).bools()[1], 0);
  EXPECT_EQ(table.column(3).int64s()[0], 19753);
  EXPECT_TRUE(table.column(3).IsNull(1));
  EXPECT_EQ(table.column(3).int64s()[2], 0);
  EXPECT_EQ(table.column(4).int64s()[1], (19753 * 86400 + 12 * 3600) * 1000000LL + 250000);
  EXPECT_EQ(Strings(table.column(5)), (std::vector<std::string>{"x", "<null>", "y z"}));
}

TEST_F(CsvReaderTest, MixedValuesWiden) {
  Table table = ReadCsv(Write("a,b,c,d\n1,2024-01-01,1,5\n2.5,2024-01-01 10:00:00,true,x\n"));
  EXPECT_EQ(table.schema(), (std::vector<Field>{{"a", ColumnType::kFloat64},
                                                {"b", ColumnType::kTimestamp},
                                                {"c", ColumnType::kString},
                                                {"d", ColumnType::kString}}));
  EXPECT_EQ(table.column(0).float64s()[0], 1.0);
  EXPECT_EQ(table.column(1).int64s()[0], 19723LL * 86400 * 1000000);
  EXPECT_EQ(Strings(table.column(2)), (std::vector<std::string>{"1", "true"}));
}

TEST_F(CsvReaderTest, EmptyFieldsAreNullsAndAnAllNullColumnIsString) {
  Table table = ReadCsv(Write("a,b,c\n1,,\"\"\n,,\n3,,\n"));
  EXPECT_EQ(table.column(0).type(), ColumnType::kInt64);
  EXPECT_EQ(table.column(0).null_count(), 1u);
  EXPECT_EQ(table.column(1).type(), ColumnType::kString);
  EXPECT_EQ(table.column(1).null_count(), 3u);
  EXPECT_EQ(table.column(2).null_count(), 3u) << "a quoted empty field is a null too";
  EXPECT_EQ(table.column(2).dictionary().size(), 0u);
}

TEST_F(CsvReaderTest, QuotedFieldsHoldDelimitersLineBreaksAndQuotes) {
  Table table =
      ReadCsv(Write("name,note\n\"Smith, J\",\"says \"\"hi\"\"\nand leaves\"\nx,\"\"\"\"\n"));
  ASSERT_EQ(table.num_rows(), 2u);
  EXPECT_EQ(Strings(table.column(0)), (std::vector<std::string>{"Smith, J", "x"}));
  EXPECT_EQ(Strings(table.column(1)), (std::vector<std::string>{"says \"hi\"\nand leaves", "\""}));
}

TEST_F(CsvReaderTest, CrlfBomBlankLinesAndNoFinalNewline) {
  Table table = ReadCsv(Write("\xEF\xBB\xBFid,v\r\n1,a\r\n\r\n2,\"b\r\nc\"\r\n\n3,d"));
  EXPECT_EQ(table.column(0).name(), "id");
  EXPECT_EQ(std::vector<int64_t>(table.column(0).int64s().begin(), table.column(0).int64s().end()),
            (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Strings(table.column(1)), (std::vector<std::string>{"a", "b\r\nc", "d"}));
}

TEST_F(CsvReaderTest, DelimiterOption) {
  CsvOptions options;
  options.delimiter = ';';
  Table table = ReadCsv(Write("a;b\n1,5;\"x;y\"\n"), options);
  EXPECT_EQ(Strings(table.column(0)), (std::vector<std::string>{"1,5"}));
  EXPECT_EQ(Strings(table.column(1)), (std::vector<std::string>{"x;y"}));
  options.delimiter = '\t';
  table = ReadCsv(Write("a\tb\n1\t2\n"), options);
  EXPECT_EQ(table.column(1).int64s()[0], 2);
  options.delimiter = '"';
  try {
    ReadCsv(Write("a\n"), options);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUsage);
  }
}

TEST_F(CsvReaderTest, WithoutHeader) {
  CsvOptions options;
  options.has_header = false;
  Table table = ReadCsv(Write("1,x\n2,y\n"), options);
  EXPECT_EQ(table.schema(), (std::vector<Field>{{"column_1", ColumnType::kInt64},
                                                {"column_2", ColumnType::kString}}));
  EXPECT_EQ(table.num_rows(), 2u);
}

TEST_F(CsvReaderTest, HeaderOnlyIsAnEmptyTableAndAnEmptyFileAnError) {
  Table table = ReadCsv(Write("a,b\n"));
  EXPECT_EQ(table.num_rows(), 0u);
  EXPECT_EQ(table.schema(),
            (std::vector<Field>{{"a", ColumnType::kString}, {"b", ColumnType::kString}}));
  CsvOptions typed;
  typed.column_types = {{"a", ColumnType::kInt64}};
  EXPECT_EQ(ReadCsv(Write("a,b"), typed).column(0).type(), ColumnType::kInt64);
  EXPECT_EQ(ErrorOf(""), "data.csv: empty file: no header and no rows");
  EXPECT_EQ(ErrorOf("\xEF\xBB\xBF\n\r\n"), "data.csv: empty file: no header and no rows");
}

TEST_F(CsvReaderTest, HeaderNamesMustBeUniqueAndEmptyOnesAreNumbered) {
  EXPECT_EQ(ErrorOf("a,b,a\n1,2,3\n"),
            "data.csv:1:1: duplicate column name \"a\" (columns 1 and 3)");
  EXPECT_EQ(ReadCsv(Write("a,,c\n1,2,3\n")).column(1).name(), "column_2");
  EXPECT_EQ(ErrorOf("\n\nx,x\n"), "data.csv:3:1: duplicate column name \"x\" (columns 1 and 2)");
}

TEST_F(CsvReaderTest, SyntaxErrorsNameFileLineAndColumn) {
  EXPECT_EQ(ErrorOf("a,b,c\n1,2,3\n4,5\n"), "data.csv:3:1: expected 3 fields, got 2");
  EXPECT_EQ(ErrorOf("a,b\n1,2,3\n"), "data.csv:2:1: expected 2 fields, got 3");
  EXPECT_EQ(ErrorOf("a,b\n1,x\"y\n"),
            "data.csv:2:4: '\"' inside an unquoted field (quote the whole field and write '\"' "
            "as '\"\"')");
  EXPECT_EQ(ErrorOf("a,b\n1,\"x\n\n2,3\n"),
            "data.csv:2:3: unterminated quoted field: no closing '\"' before the end of the file");
  EXPECT_EQ(ErrorOf("a,b\n1,\"x\"y\n"),
            "data.csv:2:6: unexpected 'y' after the closing '\"' of a quoted field");
  // Lines are physical: the line break inside the quotes counts.
  EXPECT_EQ(ErrorOf("a,b\n\"multi\nline\",1\n2\n"), "data.csv:4:1: expected 2 fields, got 1");
  // The BOM does not count as a column.
  EXPECT_EQ(ErrorOf("\xEF\xBB\xBF\"a"),
            "data.csv:1:1: unterminated quoted field: no closing '\"' "
            "before the end of the file");
}

TEST_F(CsvReaderTest, InvalidUtf8IsAnError) {
  EXPECT_EQ(ErrorOf("id,name\n1,ok\n2,caf\xE9!\n"),
            "data.csv:3:6: invalid UTF-8: byte 0xe9 (column \"name\")");
  EXPECT_EQ(ErrorOf("id,n\xFF\n1,2\n"),
            "data.csv:1:1: invalid UTF-8 in the name of column 2 (byte 2 of the name)");
}

TEST_F(CsvReaderTest, InvalidUtf8InAPlainColumnIsAnError) {
  // Mostly distinct, so stored without a dictionary; the two halves of "é"
  // in adjacent values do not make a character.
  std::string text = "id\n";
  for (int i = 0; i < 3000; ++i) text += "k" + std::to_string(i) + "\n";
  EXPECT_EQ(ErrorOf(text + "end\xC3\n\xA9start\n"),
            "data.csv:3002:4: invalid UTF-8: byte 0xc3 (column \"id\")");
  EXPECT_EQ(ErrorOf(text + "d\xC3\xA9j\xC3\xA0 vu\n"), "no error");
}

TEST_F(CsvReaderTest, ExplicitSchema) {
  CsvOptions options;
  options.column_types = {{"zip", ColumnType::kString}, {"score", ColumnType::kFloat64}};
  Table table = ReadCsv(Write("zip,score,n\n00501,3,1\n10001,,2\n"), options);
  EXPECT_EQ(table.schema(), (std::vector<Field>{{"zip", ColumnType::kString},
                                                {"score", ColumnType::kFloat64},
                                                {"n", ColumnType::kInt64}}));
  EXPECT_EQ(Strings(table.column(0)), (std::vector<std::string>{"00501", "10001"}));
  EXPECT_EQ(table.column(1).float64s()[0], 3.0);
  EXPECT_TRUE(table.column(1).IsNull(1));
}

TEST_F(CsvReaderTest, ExplicitSchemaErrors) {
  CsvOptions options;
  options.column_types = {{"age", ColumnType::kInt64}};
  EXPECT_EQ(ErrorOf("name,age\nann,31\n\"bob\nby\",abc\n", options),
            "data.csv:4:5: cannot read 'abc' as int64 (column \"age\")");
  options.column_types = {{"when", ColumnType::kDate}};
  EXPECT_EQ(ErrorOf("x,when\n1,2024-02-30\n", options),
            "data.csv:2:3: cannot read '2024-02-30' as date (column \"when\")");
  options.column_types = {{"flag", ColumnType::kBool}};
  EXPECT_EQ(ErrorOf("flag\ntrue\nyes\n", options),
            "data.csv:3:1: cannot read 'yes' as bool (column \"flag\")");
  options.column_types = {{"missing", ColumnType::kBool}};
  EXPECT_EQ(ErrorOf("a\n1\n", options),
            "data.csv: the schema names column \"missing\", which the file does not have");
}

TEST_F(CsvReaderTest, DictionaryKeepsFirstAppearanceOrder) {
  Table table = ReadCsv(Write("plan\npro\nbasic\n\npro\n\"\"\nteam\nbasic\n"));
  const Column& plan = table.column(0);
  EXPECT_EQ(plan.dictionary().values(), (std::vector<std::string>{"pro", "basic", "team"}));
  EXPECT_EQ(std::vector<uint32_t>(plan.codes().begin(), plan.codes().end()),
            (std::vector<uint32_t>{0, 1, 0, 0, 2, 1}));
  EXPECT_TRUE(plan.IsNull(3));
}

// A file of `rows` rows whose fields exercise every syntax feature (all but
// quoted line breaks without `line_breaks`).
std::string GeneratedCsv(size_t rows, bool line_breaks = true) {
  std::mt19937_64 random(12345);
  std::string text = "id,amount,flag,day,label,note,key\n";
  const char* notes[] = {
      "plain", "\"with, comma\"",   "\"two\nlines\"", "\"say \"\"hi\"\"\"", "\"\"",
      "",      "\"crlf\r\ninside\""};
  for (size_t row = 0; row < rows; ++row) {
    text += std::to_string(row) + ',';
    if (random() % 10 != 0)
      text += std::to_string(static_cast<int>(random() % 100000) - 50000) + ".25";
    text += ',';
    text += random() % 2 ? "true," : "false,";
    text +=
        "2024-0" + std::to_string(random() % 9 + 1) + "-1" + std::to_string(random() % 10) + ',';
    text += "label" + std::to_string(random() % 300) + ',';
    const char* note = notes[random() % 7];
    text += line_breaks || !std::strpbrk(note, "\r\n") ? note : "plain";
    // Mostly distinct, so read without a dictionary; some null, some quoted.
    switch (random() % 8) {
      case 0:
        text += ',';
        break;
      case 1:
        text += ",\"k \"\"" + std::to_string(random() % 1000000) + "\"";
        break;
      default:
        text += ",k" + std::to_string(random() % 1000000);
    }
    text += row % 3 == 0 ? "\r\n" : "\n";
  }
  return text;
}

TEST_F(CsvReaderTest, ParallelParseEqualsSerialParse) {
  std::string path = Write(GeneratedCsv(200000));
  CsvOptions serial;
  serial.jobs = 1;
  Table expected = ReadCsv(path, serial);
  ASSERT_EQ(expected.num_rows(), 200000u);
  EXPECT_EQ(expected.schema(), (std::vector<Field>{{"id", ColumnType::kInt64},
                                                   {"amount", ColumnType::kFloat64},
                                                   {"flag", ColumnType::kBool},
                                                   {"day", ColumnType::kDate},
                                                   {"label", ColumnType::kString},
                                                   {"note", ColumnType::kString},
                                                   {"key", ColumnType::kString}}));
  EXPECT_EQ(expected.column(5).dictionary().values().size(), 5u);
  EXPECT_FALSE(expected.column(6).has_dictionary());
  for (int jobs : {2, 3, 8}) {
    SCOPED_TRACE(jobs);
    CsvOptions parallel;
    parallel.jobs = jobs;
    ExpectSameTable(ReadCsv(path, parallel), expected);
  }
}

// Without quoted line breaks the blocks are cut where guessed; with them the
// guess fails at the first block that spans one (tested above). Either way
// the rows are the ones written, in order, whatever the number of threads.
TEST_F(CsvReaderTest, BlocksCutAtGuessedRowStartsGiveTheRowsWritten) {
  std::string path = Write(GeneratedCsv(100000, false));
  for (int jobs : {1, 2, 5}) {
    SCOPED_TRACE(jobs);
    CsvOptions options;
    options.jobs = jobs;
    options.chunk_bytes = 3 << 20;  // chunks of about a dozen blocks each
    CsvReader reader(path, options);
    int64_t next_id = 0;
    while (std::optional<Table> chunk = reader.Next()) {
      const Column& id = chunk->column(0);
      for (size_t row = 0; row < id.size(); ++row) ASSERT_EQ(id.int64s()[row], next_id++);
      const Column& note = chunk->column(5);
      for (size_t row = 0; row < note.size(); ++row) {
        if (note.IsNull(row)) continue;
        ASSERT_EQ(note.StringAt(row).find('\n'), std::string::npos);
      }
    }
    EXPECT_EQ(next_id, 100000);
  }
}

// Runs of blank lines across block cuts count no row twice.
TEST_F(CsvReaderTest, BlankLinesAcrossBlockCutsAreSkippedOnce) {
  std::string text = "id,name\n";
  for (int row = 0; row < 60000; ++row) {
    text += std::to_string(row) + ",name" + std::to_string(row % 97) + '\n';
    // Blank lines are half the bytes, so most cuts fall in a run of them.
    text += std::string(static_cast<size_t>(row % 31), '\n');
    if (row % 7 == 0) text += "\r\n\r\n";
  }
  std::string path = Write(text);
  for (size_t chunk_bytes :
       {size_t{64} << 10, size_t{1} << 20, std::numeric_limits<size_t>::max()}) {
    SCOPED_TRACE(chunk_bytes);
    CsvOptions options;
    options.chunk_bytes = chunk_bytes;
    CsvReader reader(path, options);
    int64_t next_id = 0;
    while (std::optional<Table> chunk = reader.Next()) {
      const Column& id = chunk->column(0);
      for (size_t row = 0; row < id.size(); ++row) ASSERT_EQ(id.int64s()[row], next_id++);
    }
    EXPECT_EQ(next_id, 60000);
  }
}

TEST_F(CsvReaderTest, StreamedChunksConcatenateToTheWholeFile) {
  std::string text = GeneratedCsv(30000);
  std::string path = Write(text);
  Table whole = ReadCsv(path);
  CsvOptions options;
  options.chunk_bytes = 64 << 10;
  options.jobs = 2;
  CsvReader reader(path, options);
  std::vector<Column> columns;
  for (const Field& field : whole.schema()) columns.emplace_back(field.name, field.type);
  size_t chunks = 0;
  // Rows are at most 80 bytes, so a chunk holds at most chunk_bytes + 80 bytes of rows.
  const size_t max_rows = (options.chunk_bytes + 80) / 40;
  while (std::optional<Table> chunk = reader.Next()) {
    ++chunks;
    ASSERT_EQ(chunk->schema(), whole.schema());
    ASSERT_GT(chunk->num_rows(), 0u);
    ASSERT_LE(chunk->num_rows(), max_rows);
    for (size_t c = 0; c < columns.size(); ++c) {
      const Column& part = chunk->column(c);
      for (size_t row = 0; row < part.size(); ++row) {
        if (part.IsNull(row)) {
          columns[c].AppendNull();
          continue;
        }
        switch (part.type()) {
          case ColumnType::kFloat64:
            columns[c].AppendFloat64(part.float64s()[row]);
            break;
          case ColumnType::kBool:
            columns[c].AppendBool(part.bools()[row]);
            break;
          case ColumnType::kString:
            columns[c].AppendString(part.StringAt(row));
            break;
          default:
            columns[c].AppendInt64(part.int64s()[row]);
        }
      }
    }
  }
  EXPECT_GE(chunks, text.size() / options.chunk_bytes);
  EXPECT_FALSE(reader.Next());
  Table joined;
  for (Column& column : columns) joined.AddColumn(std::move(column));
  ExpectSameTable(joined, whole);
}

TEST_F(CsvReaderTest, StreamingKeepsTheFirstChunksTypes) {
  std::string text = "n,s\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",\n";
  text += "1.5,late\n";
  std::string path = Write(text);
  CsvOptions options;
  options.chunk_bytes = 1000;
  CsvReader reader(path, options);
  std::optional<Table> first = reader.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->schema(),
            (std::vector<Field>{{"n", ColumnType::kInt64}, {"s", ColumnType::kString}}));
  size_t rows_in_first = first->num_rows();
  try {
    while (reader.Next()) {
    }
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path +
                  ":1002:1: cannot read '1.5' as int64 (column \"n\"; its type was inferred "
                  "from the first " +
                  std::to_string(rows_in_first) +
                  " rows: declare the column's type in the schema)");
  }
  // The whole-file reader sees every row.
  EXPECT_EQ(ReadCsv(path).column(0).type(), ColumnType::kFloat64);
}

TEST_F(CsvReaderTest, MostlyDistinctStringsArePlainUnlessAskedOtherwise) {
  std::string text = "id,plan\n";
  for (int i = 0; i < 3000; ++i) {
    text += (i == 7 ? std::string() : "C" + std::to_string(i)) + (i % 2 ? ",basic\n" : ",pro\n");
  }
  std::string path = Write(text);
  Table table = ReadCsv(path);
  const Column& ids = table.column(0);
  EXPECT_FALSE(ids.has_dictionary());
  EXPECT_TRUE(table.column(1).has_dictionary());
  EXPECT_EQ(ids.StringAt(0), "C0");
  EXPECT_EQ(ids.StringAt(2999), "C2999");
  EXPECT_TRUE(ids.IsNull(7));
  EXPECT_EQ(ids.StringHash(5), StringDictionary::Hash("C5"));
  EXPECT_THROW(ids.codes(), Error);
  CsvOptions options;
  options.always_dictionary = true;
  Table coded = ReadCsv(path, options);
  EXPECT_TRUE(coded.column(0).has_dictionary());
  ExpectSameTable(table, coded);
  // Too few values to judge: a dictionary.
  EXPECT_TRUE(ReadCsv(Write("id\nA\nB\nC\n", "small.csv")).column(0).has_dictionary());
}

TEST_F(CsvReaderTest, ReadsOnlyTheColumnsAskedFor) {
  std::string path = Write("a,b,c,d\n1,x,2.5,oops\n3,y,,4\n");
  CsvOptions options;
  options.columns = {"c", "a"};
  CsvReader reader(path, options);
  EXPECT_EQ(reader.column_names(), (std::vector<std::string>{"a", "b", "c", "d"}));
  std::optional<Table> table = reader.Next();
  ASSERT_TRUE(table);
  // File order; the unread column d, which mixes types, is not an error.
  EXPECT_EQ(table->schema(),
            (std::vector<Field>{{"a", ColumnType::kInt64}, {"c", ColumnType::kFloat64}}));
  EXPECT_EQ(reader.schema(), table->schema());
  EXPECT_EQ(table->column(0).int64s()[1], 3);
  EXPECT_TRUE(table->column(1).IsNull(1));
  options.columns = {"e"};
  EXPECT_EQ(ErrorOf("a,b,c,d\n1,x,2.5,oops\n", options),
            "data.csv: column \"e\" was asked for, but the file does not have it");
  options.columns = {"a"};
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3\n", options), "data.csv:3:1: expected 2 fields, got 1");
}

TEST_F(CsvReaderTest, PresenceOnlyColumnsHaveValidityAndNoValues) {
  // Column c holds a value no type reads (and invalid UTF-8): read for
  // presence only, that is no error. A quoted empty field is null too.
  std::string path = Write("a,b,c\n1,x,2.5\n3,y,\n5,z,\"\"\n7,w,\xff oops\n");
  CsvOptions options;
  options.columns = {"a"};
  options.presence_only = {"c"};
  options.column_types = {{"c", ColumnType::kInt64}};  // ignored for a presence-only column
  CsvReader reader(path, options);
  std::optional<Table> table = reader.Next();
  ASSERT_TRUE(table);
  EXPECT_EQ(table->schema(),
            (std::vector<Field>{{"a", ColumnType::kInt64}, {"c", ColumnType::kString}}));
  const Column& c = table->column(1);
  EXPECT_FALSE(c.has_dictionary());
  EXPECT_EQ(Strings(c), (std::vector<std::string>{"", "<null>", "<null>", ""}));
  EXPECT_EQ(c.null_count(), 2u);
  EXPECT_EQ(reader.bytes_read(), reader.file_bytes());
  // Presence only, and no other column: only that column comes back.
  CsvOptions alone;
  alone.presence_only = {"b"};
  Table only_b = ReadCsv(path, alone);
  ASSERT_EQ(only_b.num_columns(), 1u);
  EXPECT_EQ(only_b.num_rows(), 4u);
  EXPECT_EQ(only_b.column(0).null_count(), 0u);
  // A ragged row is still an error, and an unknown column too.
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3\n", alone), "data.csv:3:1: expected 2 fields, got 1");
  alone.presence_only = {"e"};
  EXPECT_EQ(ErrorOf("a,b\n1,2\n", alone),
            "data.csv: column \"e\" was asked for, but the file does not have it");
}

TEST_F(CsvReaderTest, MissingFileIsAUserErrorAndADirectoryAnIOError) {
  try {
    ReadCsv(dir_ + "/nope.csv");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kData);
    EXPECT_EQ(std::string(error.what()),
              "cannot open '" + dir_ + "/nope.csv': No such file or directory");
  }
  try {
    ReadCsv(dir_);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kIO);
  }
}

}  // namespace
}  // namespace leanops::table
