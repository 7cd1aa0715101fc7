// Reading one text value as a typed value, and the type inference rules.
//
// Accepted forms (no surrounding whitespace; an empty text is a null and is
// never passed here):
//   int64      [+-]digits                               "42", "-7", "007"
//   float64    what pandas reads: decimal or exponent   "1.5", "-2e-3", ".5", "inf", "nan", "NaN"
//   bool       true/false in lower, Title or UPPER case
//   date       YYYY-MM-DD                               a real calendar date
//   timestamp  YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM], converted to UTC;
//              digits below the microsecond are dropped; no offset means UTC.
//              A date alone reads as its midnight (but infers as date).
#pragma once

#include <cstdint>
#include <string_view>

#include "table/table.h"

namespace leanops::table {

bool ParseInt64(std::string_view text, int64_t* value);
bool ParseFloat64(std::string_view text, double* value);
bool ParseBool(std::string_view text, bool* value);
/// Days since 1970-01-01.
bool ParseDate(std::string_view text, int64_t* days);
/// Microseconds since 1970-01-01T00:00:00Z.
bool ParseTimestamp(std::string_view text, int64_t* micros);

/// Whether `text` reads as a value of `type` (always true for kString).
bool Fits(ColumnType type, std::string_view text);

/// The narrowest type that reads `text` (non-empty), trying in order int64,
/// float64, bool, date, timestamp, and string when none does.
ColumnType NarrowestType(std::string_view text);

/// The narrowest type holding the values of both: equal types stay,
/// int64 + float64 -> float64, date + timestamp -> timestamp, anything else -> string.
ColumnType WidenType(ColumnType a, ColumnType b);

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace leanops::table
