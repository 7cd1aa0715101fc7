// One expectation evaluated over a table read in chunks (so memory follows
// the chunk size, not the file): Add sees every chunk in file order, Finish
// writes Great Expectations' "result" object and says whether it held.
//
// A check that cannot be evaluated (a missing column, a column of the wrong
// type for the expectation, an invalid regex) throws leanops::Error (kData);
// the validator reports it as that expectation's exception_info, as GX does
// with catch_exceptions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/params_file.h"
#include "table/table.h"
#include "validate/suite.h"

namespace leanops::validate {

class Check {
 public:
  virtual ~Check() = default;
  /// Called once before the first chunk with the names of all the file's
  /// columns (chunks hold only the columns some expectation reads).
  virtual void Begin(const std::vector<std::string>& /*file_columns*/) {}
  /// Called once before the first chunk is added, with a guess at the
  /// file's row count from that chunk's rows and bytes (it can be off
  /// either way): for sizing what the check keeps.
  virtual void ExpectRows(size_t /*rows*/) {}
  /// `first_row`: the index (from 0, data rows only) of the chunk's first row in the file.
  virtual void Add(const table::Table& chunk, size_t first_row) = 0;
  /// Fills `result` and returns whether the expectation held.
  virtual bool Finish(Json& result) = 0;
};

/// How many unexpected values and indexes a result lists (GX's default).
inline constexpr size_t kPartialUnexpectedCount = 20;

/// The check for `expectation` (whose kwargs the suite loader has checked).
std::unique_ptr<Check> MakeCheck(const Expectation& expectation);

// Makers by kind, one file each.
std::unique_ptr<Check> MakeColumnMapCheck(const Expectation& expectation);
std::unique_ptr<Check> MakeAggregateCheck(const Expectation& expectation);
std::unique_ptr<Check> MakeTableCheck(const Expectation& expectation);
std::unique_ptr<Check> MakeUniqueCheck(const Expectation& expectation);

/// What a map expectation counted.
struct MapCounts {
  size_t element_count = 0;
  size_t missing_count = 0;  // rows left out (nulls, or rows ignored by ignore_row_if)
  size_t unexpected_count = 0;
};

/// Puts GX's count fields of a map result into `result` and returns whether
/// `mostly` holds. With `all_rows` (the null checks) every row is considered
/// and the missing fields are left out; otherwise missing rows are not
/// considered. Nothing considered passes, as in GX.
bool FinishMapCounts(const MapCounts& counts, double mostly, bool all_rows, Json& result);

/// The columns an expectation reads (column, column_A, column_B, column_list
/// kwargs); none for the table kinds, which see the file's column names.
std::vector<std::string> ColumnsRead(const Expectation& expectation);

/// The column `name` of `chunk`; throws kData naming the columns it has.
const table::Column& RequireColumn(const table::Table& chunk, const std::string& name);

}  // namespace leanops::validate
