#include "validate/cells.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include "core/error.h"

namespace leanops::validate {
namespace {

using table::ColumnType;

std::string DateText(int64_t days) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

std::string TimestampText(int64_t micros) {
  int64_t days = micros >= 0 ? micros / 86400000000 : -((-micros + 86399999999) / 86400000000);
  int64_t rest = micros - days * 86400000000;
  int64_t seconds = rest / 1000000;
  int64_t fraction = rest % 1000000;
  std::string text = fmt::format("{}T{:02}:{:02}:{:02}", DateText(days), seconds / 3600,
                                 seconds / 60 % 60, seconds % 60);
  if (fraction != 0) text += fmt::format(".{:06}", fraction);
  return text;
}

// "YYYY-MM-DD" -> days since the epoch.
std::optional<int64_t> ParseDate(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto ok = [](std::from_chars_result r, const char* end) {
    return r.ec == std::errc() && r.ptr == end;
  };
  if (!ok(std::from_chars(text.data(), text.data() + 4, y), text.data() + 4) ||
      !ok(std::from_chars(text.data() + 5, text.data() + 7, m), text.data() + 7) ||
      !ok(std::from_chars(text.data() + 8, text.data() + 10, d), text.data() + 10)) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m},
                                   std::chrono::day{d}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

// "YYYY-MM-DD[ T]HH:MM:SS[.f...][Z]" (or a date alone) -> microseconds.
std::optional<int64_t> ParseTimestamp(std::string_view text) {
  std::optional<int64_t> days = ParseDate(text);
  if (!days) return std::nullopt;
  int64_t micros = *days * 86400000000;
  if (text.size() == 10) return micros;
  if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  int h = 0, mi = 0, s = 0;
  std::from_chars(text.data() + 11, text.data() + 13, h);
  std::from_chars(text.data() + 14, text.data() + 16, mi);
  std::from_chars(text.data() + 17, text.data() + 19, s);
  micros += (int64_t{h} * 3600 + mi * 60 + s) * 1000000;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    int64_t scale = 100000;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      micros += (text[at] - '0') * scale;
      scale /= 10;
    }
  }
  if (at < text.size() && text[at] == 'Z') ++at;
  if (at != text.size()) return std::nullopt;
  return micros;
}

}  // namespace

bool IsOrdered(ColumnType type) { return type != ColumnType::kString; }

double CellNumber(const table::Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      return static_cast<double>(column.int64s()[row]);
    case ColumnType::kFloat64:
      return column.float64s()[row];
    case ColumnType::kBool:
      return column.bools()[row];
    case ColumnType::kString:
      break;
  }
  ThrowInternal("CellNumber on the string column '{}'", column.name());
}

Json CellJson(const table::Column& column, size_t row) {
  if (column.IsNull(row)) return nullptr;
  switch (column.type()) {
    case ColumnType::kInt64:
      return column.int64s()[row];
    case ColumnType::kFloat64: {
      double value = column.float64s()[row];
      if (std::isfinite(value)) return value;
      return std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
    }
    case ColumnType::kBool:
      return column.bools()[row] != 0;
    case ColumnType::kString:
      return std::string(column.StringAt(row));
    case ColumnType::kDate:
      return DateText(column.int64s()[row]);
    case ColumnType::kTimestamp:
      return TimestampText(column.int64s()[row]);
  }
  return nullptr;
}

std::string CellText(const table::Column& column, size_t row) {
  if (column.type() == ColumnType::kString) return std::string(column.StringAt(row));
  Json value = CellJson(column, row);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::optional<double> NumberFor(ColumnType type, const Json& value) {
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kFloat64:
      if (value.is_number()) return value.get<double>();
      return std::nullopt;
    case ColumnType::kBool:
      if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
      if (value.is_number()) return value.get<double>();
      return std::nullopt;
    case ColumnType::kDate:
      if (value.is_string()) {
        if (auto days = ParseDate(value.get<std::string>())) return static_cast<double>(*days);
      }
      return std::nullopt;
    case ColumnType::kTimestamp:
      if (value.is_string()) {
        if (auto micros = ParseTimestamp(value.get<std::string>())) {
          return static_cast<double>(*micros);
        }
      }
      return std::nullopt;
    case ColumnType::kString:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace leanops::validate
