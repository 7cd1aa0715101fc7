#include "table/value_parsing.h"

#include <charconv>

namespace leanops::table {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// std::from_chars does not take a leading '+'; pandas does.
std::string_view WithoutPlus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
    return text.substr(1);
  }
  return text;
}

// Reads `count` digits at text[at...] as a number.
bool ReadDigits(std::string_view text, size_t at, size_t count, unsigned* value) {
  if (at + count > text.size()) return false;
  unsigned result = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (!IsDigit(text[i])) return false;
    result = result * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *value = result;
  return true;
}

bool IsLeapYear(unsigned year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(unsigned year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// The YYYY-MM-DD at the start of `text`.
bool ReadDate(std::string_view text, int64_t* days) {
  unsigned year, month, day;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !ReadDigits(text, 0, 4, &year) ||
      !ReadDigits(text, 5, 2, &month) || !ReadDigits(text, 8, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  *days = DaysFromCivil(year, month, day);
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil: shift the year to start in March so
  // the leap day is the last day of the shifted year.
  year -= month <= 2 ? 1 : 0;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

bool ParseInt64(std::string_view text, int64_t* value) {
  if (text.empty()) return false;
  // Up to 18 digits cannot overflow: read them directly, which is faster
  // than from_chars for the short numbers of typical data.
  size_t at = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (text.size() - at <= 18) {
    if (at == text.size()) return false;
    uint64_t magnitude = 0;
    for (size_t i = at; i < text.size(); ++i) {
      unsigned digit = static_cast<unsigned char>(text[i]) - unsigned{'0'};
      if (digit > 9) return false;
      magnitude = magnitude * 10 + digit;
    }
    *value = text[0] == '-' ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
    return true;
  }
  text = WithoutPlus(text);
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, *value);
  return error == std::errc() && ptr == end;
}

// Clinger's fast path for the plain decimals most data holds ("-12.375"):
// with at most 15 significant digits the digits are an exact double, and so
// is the power of ten, so one division rounds correctly, giving exactly what
// from_chars gives, several times faster. False for any other form.
bool ParseSimpleDecimal(std::string_view text, double* value) {
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = text.data();
  const char* const end = p + text.size();
  if (p != end && (*p == '-' || *p == '+')) ++p;
  // The digits before the point, then those after it, each in a loop that
  // tests one thing per byte (it runs for every cell of a float column).
  uint64_t digits = 0;
  const char* const whole = p;
  for (unsigned digit; p != end && (digit = static_cast<unsigned char>(*p) - unsigned{'0'}) <= 9;
       ++p) {
    digits = digits * 10 + digit;
  }
  size_t count = static_cast<size_t>(p - whole);
  size_t fraction_digits = 0;
  if (p != end && *p == '.') {
    const char* const fraction = ++p;
    for (unsigned digit; p != end && (digit = static_cast<unsigned char>(*p) - unsigned{'0'}) <= 9;
         ++p) {
      digits = digits * 10 + digit;
    }
    fraction_digits = static_cast<size_t>(p - fraction);
    count += fraction_digits;
  }
  if (p != end || count == 0 || count > 15) return false;
  double result = static_cast<double>(digits) / kPowersOfTen[fraction_digits];
  *value = text[0] == '-' ? -result : result;
  return true;
}

bool ParseFloat64(std::string_view text, double* value) {
  if (ParseSimpleDecimal(text, value)) return true;
  text = WithoutPlus(text);
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, *value);
  // Out-of-range values are errors for from_chars but numbers for pandas
  // (1e999 -> inf, 1e-999 -> 0); strtod's rounding gives the same.
  if (error == std::errc::result_out_of_range && ptr == end) {
    *value = std::strtod(std::string(text).c_str(), nullptr);
    return true;
  }
  return error == std::errc() && ptr == end;
}

bool ParseBool(std::string_view text, bool* value) {
  if (text == "true" || text == "True" || text == "TRUE") {
    *value = true;
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    *value = false;
    return true;
  }
  return false;
}

bool ParseDate(std::string_view text, int64_t* days) {
  return text.size() == 10 && ReadDate(text, days);
}

bool ParseTimestamp(std::string_view text, int64_t* micros) {
  int64_t days;
  // A date alone is its midnight, so a column mixing dates and timestamps
  // (widened to timestamp) reads all its values.
  if (text.size() == 10) {
    if (!ReadDate(text, &days)) return false;
    *micros = days * 86400 * 1000000;
    return true;
  }
  unsigned hour, minute, second;
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T') || !ReadDate(text, &days) ||
      !ReadDigits(text, 11, 2, &hour) || text[13] != ':' || !ReadDigits(text, 14, 2, &minute) ||
      text[16] != ':' || !ReadDigits(text, 17, 2, &second) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  size_t at = 19;
  int64_t fraction = 0;  // microseconds
  if (at < text.size() && text[at] == '.') {
    size_t first = ++at;
    int64_t scale = 100000;
    while (at < text.size() && IsDigit(text[at])) {
      fraction += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first || at - first > 9) return false;
  }
  int64_t offset_seconds = 0;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    unsigned offset_hours, offset_minutes;
    if (at + 6 != text.size() || !ReadDigits(text, at + 1, 2, &offset_hours) ||
        text[at + 3] != ':' || !ReadDigits(text, at + 4, 2, &offset_minutes) || offset_hours > 23 ||
        offset_minutes > 59) {
      return false;
    }
    offset_seconds = static_cast<int64_t>(offset_hours * 3600 + offset_minutes * 60);
    if (text[at] == '-') offset_seconds = -offset_seconds;
    at += 6;
  }
  if (at != text.size()) return false;
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  *micros = seconds * 1000000 + fraction;
  return true;
}

bool Fits(ColumnType type, std::string_view text) {
  int64_t i;
  double d;
  bool b;
  switch (type) {
    case ColumnType::kInt64:
      return ParseInt64(text, &i);
    case ColumnType::kFloat64:
      return ParseFloat64(text, &d);
    case ColumnType::kBool:
      return ParseBool(text, &b);
    case ColumnType::kDate:
      return ParseDate(text, &i);
    case ColumnType::kTimestamp:
      return ParseTimestamp(text, &i);
    case ColumnType::kString:
      return true;
  }
  return false;
}

ColumnType NarrowestType(std::string_view text) {
  if (text.empty()) return ColumnType::kString;
  char first = text[0];
  bool numeric_start = IsDigit(first) || first == '-' || first == '+' || first == '.';
  if (numeric_start) {
    if (Fits(ColumnType::kInt64, text)) return ColumnType::kInt64;
    if (text.size() >= 10 && text[4] == '-') {
      if (Fits(ColumnType::kDate, text)) return ColumnType::kDate;
      if (Fits(ColumnType::kTimestamp, text)) return ColumnType::kTimestamp;
    }
  } else if (Fits(ColumnType::kBool, text)) {
    return ColumnType::kBool;
  }
  // Also "inf", "nan", "Infinity" and the like.
  if (Fits(ColumnType::kFloat64, text)) return ColumnType::kFloat64;
  return ColumnType::kString;
}

ColumnType WidenType(ColumnType a, ColumnType b) {
  if (a == b) return a;
  auto is_pair = [&](ColumnType x, ColumnType y) {
    return (a == x && b == y) || (a == y && b == x);
  };
  if (is_pair(ColumnType::kInt64, ColumnType::kFloat64)) return ColumnType::kFloat64;
  if (is_pair(ColumnType::kDate, ColumnType::kTimestamp)) return ColumnType::kTimestamp;
  return ColumnType::kString;
}

}  // namespace leanops::table
