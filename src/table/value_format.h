// Writing typed values back as text, the inverse of value_parsing.h for the
// types whose storage is not their text: dates and timestamps.
#pragma once

#include <cstdint>
#include <string>

namespace leanops::table {

/// Days since 1970-01-01 as "YYYY-MM-DD" (what ParseDate reads).
std::string FormatDate(int64_t days);

/// Microseconds since 1970-01-01T00:00:00Z as "YYYY-MM-DDTHH:MM:SS", with
/// ".ffffff" when the microseconds are not zero (what ParseTimestamp reads).
std::string FormatTimestamp(int64_t micros);

}  // namespace leanops::table
