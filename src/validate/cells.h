// Reading cells of a table column the way expectations compare them.
#pragma once

#include <optional>
#include <string>

#include "pipeline/params_file.h"
#include "table/table.h"

namespace leanops::validate {

/// Whether values of `type` compare as numbers: int64, float64, bool,
/// date (as days) and timestamp (as microseconds).
bool IsOrdered(table::ColumnType type);

/// A non-null cell as a number (see IsOrdered); strings are not numbers.
double CellNumber(const table::Column& column, size_t row);

/// A cell as GX reports it: a number, true/false, a string, "YYYY-MM-DD"
/// for dates, "YYYY-MM-DDTHH:MM:SS[.ffffff]" for timestamps; null for null.
Json CellJson(const table::Column& column, size_t row);

/// A cell as text (strings as they are; other types as CellJson prints them).
std::string CellText(const table::Column& column, size_t row);

/// A bound or set member from a suite, in the unit of a column of `type`:
/// numbers for numeric columns, "YYYY-MM-DD"/ISO strings for dates and
/// timestamps. nullopt when `value` cannot be read that way.
std::optional<double> NumberFor(table::ColumnType type, const Json& value);

}  // namespace leanops::validate
