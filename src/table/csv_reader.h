// Reading CSV files into typed Tables.
//
//   Table table = ReadCsv("churn.csv");               // the whole file
//
//   CsvReader reader("big.csv", options);              // bounded memory
//   while (std::optional<Table> chunk = reader.Next()) { ... }
//
// The file is memory-mapped and parsed on several threads. It is cut into
// blocks of about 256 KiB at row boundaries (found by counting quotes, so a
// line break inside a quoted field never splits a row). Threads take blocks
// in file order and make two passes over each while it is in cache: one
// splits it into fields, checks the syntax, counts its rows and infers
// types; the other (once every block's row count and the types are known)
// splits it again and writes the typed values straight into the rows of
// the result. Nothing is held per field beyond one block, so memory is the
// result's columns plus a little per thread. The result does not depend on
// the number of threads, dictionaries included.
//
// Types. A column named in `CsvOptions::column_types` has that type; every
// other column gets the narrowest type that reads all its non-empty values:
// int64, float64, bool, date, timestamp, else string (forms in
// value_parsing.h; int64 mixed with float64 is float64, date mixed with
// timestamp is timestamp). Empty fields, quoted or not, are nulls and do not
// count. A column with no value at all is string: the only type any later
// value fits, so streaming never fails on it.
//
// ReadCsv infers over the whole file. CsvReader::Next infers from its first
// chunk and keeps that schema; a later value that does not fit is an error
// that suggests giving the column's type.
//
// Errors are leanops::Error of kind kData, one line, starting
// "FILE:LINE:COLUMN: " (physical lines and byte columns, both from 1):
// rows with another number of fields than the header, a '"' inside an
// unquoted field, an unterminated quoted field, invalid UTF-8 in a string
// value or the header, and values that do not read as their column's type.
// An empty file (no header and no row) is an error; a header alone is a
// table with no rows. A path that does not exist is kData; failing to open
// or map an existing file is kIO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "table/table.h"

namespace leanops::table {

struct CsvOptions {
  char delimiter = ',';
  /// Whether the first row names the columns; without it they are named
  /// column_1, column_2, ...
  bool has_header = true;
  /// Declared types by column name; the other columns are inferred. Naming a
  /// column the file does not have is an error.
  std::map<std::string, ColumnType, std::less<>> column_types;
  /// When this or `presence_only` is not empty, only the columns they name
  /// are typed and returned, in file order; the others are still split into fields (a ragged row is
  /// still an error) but not read. Naming a column the file does not have is an error.
  std::vector<std::string> columns;
  /// Columns of which only presence is needed: whether each row has a
  /// value (a non-empty field). Their fields are split (a ragged row is
  /// still an error) but never converted or checked: no type inference, no
  /// UTF-8 check, a declared type ignored. Each comes back as a string
  /// column without a dictionary whose values are all empty, with its
  /// validity set.
  /// Naming a column the file does not have is an error.
  std::vector<std::string> presence_only;
  /// Dictionary-encode every string column. Otherwise a string column
  /// whose first values are mostly distinct (an ID, free text) is stored
  /// plain (see table.h); the choice is made on the first chunk and kept.
  bool always_dictionary = false;
  /// Threads to parse with; 0 means DefaultJobs(). The result is the same
  /// for any number.
  int jobs = 0;
  /// CsvReader::Next returns the rows starting in the next `chunk_bytes`
  /// bytes of the file (the last of them read to its end; at least one row).
  /// Types are inferred from the first chunk.
  size_t chunk_bytes = size_t{16} << 20;
};

class CsvReader {
 public:
  /// Opens `path` and reads its header; throws on a missing file, an empty
  /// file, a bad header or a schema naming an unknown column.
  CsvReader(std::string path, CsvOptions options);
  ~CsvReader();
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;

  /// The names of all the file's columns in file order (also those left
  /// out by CsvOptions::columns).
  const std::vector<std::string>& column_names() const;
  /// The next chunk (at least one row), or nullopt after the last. All
  /// chunks have the same schema. Each chunk's string columns have their
  /// own dictionary.
  std::optional<Table> Next();
  /// How far the chunks returned so far reach into the file, and the
  /// file's size, in bytes: for progress, or to estimate the row count.
  uint64_t bytes_read() const;
  uint64_t file_bytes() const;
  /// The schema of the chunks (the selected columns): known once Next has
  /// been called (before, or for a file without rows, undeclared columns
  /// are string).
  std::vector<Field> schema() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// The whole file as one table (types inferred over every row).
/// `options.chunk_bytes` is ignored.
Table ReadCsv(const std::string& path, CsvOptions options = {});

}  // namespace leanops::table
