// The JSON and text forms of a profile (their shapes are documented in
// profile.h, beside their declarations).
#include <fmt/format.h>

#include <cmath>

#include "validate/cells.h"
#include "validate/profile.h"

namespace leanops::validate {
namespace {

using table::Column;
using table::ColumnType;

// 2^53: integers up to this magnitude are exact as doubles.
constexpr double kExactIntegers = 9007199254740992.0;

// A date or timestamp cell printed as validation results print it (cells.h).
Json IsoCell(ColumnType type, int64_t value) {
  Column one("value", type);
  one.AppendInt64(value);
  return CellJson(one, 0);
}

Json NumberJson(double value) {
  if (std::isfinite(value)) return value;
  return std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
}

bool IsWhole(double value) { return std::isfinite(value) && value == std::floor(value); }

// Text shortened for the table: 6 significant digits, dates to the day,
// timestamps to the second.
std::string ShortText(ColumnType type, double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : (value > 0 ? "inf" : "-inf");
  switch (type) {
    case ColumnType::kDate:
      return IsoCell(ColumnType::kDate, static_cast<int64_t>(std::floor(value))).get<std::string>();
    case ColumnType::kTimestamp:
      return IsoCell(ColumnType::kTimestamp, std::llround(value / 1e6) * 1000000)
          .get<std::string>();
    case ColumnType::kInt64:
      if (IsWhole(value) && std::abs(value) < 1e15) return fmt::format("{:.0f}", value);
      break;
    default:
      break;
  }
  return fmt::format("{:.6g}", value);
}

// std in the text table: numbers as they are; dates in days, timestamps in
// seconds (microseconds are unreadable), each with its unit.
std::string StdText(ColumnType type, const std::optional<double>& std) {
  if (!std) return "";
  if (std::isnan(*std)) return "NaN";
  if (type == ColumnType::kDate) return fmt::format("{:.4g}d", *std);
  if (type == ColumnType::kTimestamp) return fmt::format("{:.4g}s", *std / 1e6);
  return fmt::format("{:.6g}", *std);
}

// The value column of the table: lengths and the most frequent values.
std::string ValuesText(const ColumnProfile& column) {
  std::string text;
  if (column.min_length) text = fmt::format("len {}..{}", *column.min_length, *column.max_length);
  if (column.top_values.empty()) return text;
  if (!text.empty()) text += "; ";
  if (column.distinct_count == column.non_null_count() && column.distinct_count > 1) {
    return text + "all distinct";
  }
  constexpr size_t kShown = 3;
  for (size_t i = 0; i < column.top_values.size() && i < kShown; ++i) {
    std::string value = column.top_values[i].value.dump();
    if (value.size() > 24) {
      size_t cut = 20;  // not inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
      value = value.substr(0, cut) + "...\"";
    }
    text += fmt::format("{}{} {}", i ? ", " : "", value, column.top_values[i].count);
  }
  if (column.distinct_count > kShown) {
    text += fmt::format(", +{} more", column.distinct_count - kShown);
  }
  return text;
}

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

}  // namespace

Json OrderedValueJson(ColumnType type, double value) {
  if (!std::isfinite(value)) return NumberJson(value);
  switch (type) {
    case ColumnType::kInt64:
      if (IsWhole(value) && std::abs(value) <= kExactIntegers) return static_cast<int64_t>(value);
      return value;
    case ColumnType::kDate:
      if (IsWhole(value)) return IsoCell(ColumnType::kDate, static_cast<int64_t>(value));
      return IsoCell(ColumnType::kTimestamp, std::llround(value * 86400e6));
    case ColumnType::kTimestamp:
      return IsoCell(ColumnType::kTimestamp, std::llround(value));
    default:
      return value;
  }
}

Json ProfileToJson(const TableProfile& profile) {
  Json columns = Json::array();
  for (const ColumnProfile& c : profile.columns) {
    Json column = {{"name", c.name},
                   {"type", std::string(table::ColumnTypeName(c.type))},
                   {"count", c.count},
                   {"null_count", c.null_count},
                   {"null_rate", c.null_rate() ? Json(*c.null_rate()) : Json()},
                   {"distinct_count", c.distinct_count}};
    if (c.type == ColumnType::kFloat64) column["nan_count"] = c.nan_count;
    if (c.type == ColumnType::kDate) column["unit"] = "days";
    if (c.type == ColumnType::kTimestamp) column["unit"] = "microseconds";
    if (c.ordered) {
      const OrderedSummary& s = *c.ordered;
      column["min"] = OrderedValueJson(c.type, s.min);
      column["max"] = OrderedValueJson(c.type, s.max);
      // The mean of an int64 column is a fraction; of a date, an instant.
      column["mean"] =
          c.type == ColumnType::kInt64 ? NumberJson(s.mean) : OrderedValueJson(c.type, s.mean);
      column["std"] = s.std ? NumberJson(*s.std) : Json();
      Json quantiles = Json::object();
      for (size_t i = 0; i < kProfileQuantiles.size(); ++i) {
        quantiles[fmt::format("{}", kProfileQuantiles[i])] =
            c.type == ColumnType::kInt64 ? NumberJson(s.quantiles[i])
                                         : OrderedValueJson(c.type, s.quantiles[i]);
      }
      column["quantiles"] = std::move(quantiles);
    }
    if (c.min_length) {
      column["min_length"] = *c.min_length;
      column["max_length"] = *c.max_length;
    }
    if (c.type == ColumnType::kString || c.type == ColumnType::kBool) {
      Json top = Json::array();
      for (const ValueCount& v : c.top_values)
        top.push_back({{"value", v.value}, {"count", v.count}});
      column["top_values"] = std::move(top);
    }
    columns.push_back(std::move(column));
  }
  return {
      {"path", profile.path}, {"row_count", profile.row_count}, {"columns", std::move(columns)}};
}

std::string RenderProfileText(const TableProfile& profile) {
  std::vector<std::vector<std::string>> rows = {{"column", "type", "nulls", "null%", "distinct",
                                                 "min", "p05", "p25", "p50", "p75", "p95", "max",
                                                 "mean", "std", "values"}};
  for (const ColumnProfile& c : profile.columns) {
    std::vector<std::string> row = {c.name, std::string(table::ColumnTypeName(c.type)),
                                    fmt::format("{}", c.null_count)};
    const std::optional<double> rate = c.null_rate();
    if (!rate) {
      row.emplace_back("");
    } else if (*rate > 0 && *rate < 0.0005) {
      row.emplace_back("<0.1%");  // not "0.0%": there are nulls
    } else {
      row.push_back(fmt::format("{:.1f}%", *rate * 100));
    }
    row.push_back(fmt::format("{}", c.distinct_count));
    if (c.ordered) {
      const OrderedSummary& s = *c.ordered;
      row.push_back(ShortText(c.type, s.min));
      for (double q : s.quantiles) row.push_back(ShortText(c.type, q));
      row.push_back(ShortText(c.type, s.max));
      row.push_back(
          ShortText(c.type == ColumnType::kInt64 ? ColumnType::kFloat64 : c.type, s.mean));
      row.push_back(StdText(c.type, s.std));
    } else {
      row.resize(row.size() + 9);
    }
    row.push_back(ValuesText(c));
    rows.push_back(std::move(row));
  }

  std::vector<size_t> widths(rows.front().size());
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string out = fmt::format("{}: {} rows, {} columns\n", profile.path, profile.row_count,
                                profile.columns.size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      // Names, types and the value summaries read left to right; numbers line up on the right.
      const bool left = i < 2 || i + 1 == row.size();
      const std::string pad(widths[i] - DisplayWidth(row[i]), ' ');
      if (i > 0) line += "  ";
      line += left ? row[i] + pad : pad + row[i];
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

}  // namespace leanops::validate
