#include "validate/cells.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "table/value_format.h"
#include "table/value_parsing.h"

namespace leanops::validate {

using table::ColumnType;

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
      return table::FormatDate(column.int64s()[row]);
    case ColumnType::kTimestamp:
      return table::FormatTimestamp(column.int64s()[row]);
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
        if (int64_t days; table::ParseDate(value.get<std::string>(), &days))
          return static_cast<double>(days);
      }
      return std::nullopt;
    case ColumnType::kTimestamp:
      if (value.is_string()) {
        if (int64_t micros; table::ParseTimestamp(value.get<std::string>(), &micros))
          return static_cast<double>(micros);
      }
      return std::nullopt;
    case ColumnType::kString:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace leanops::validate
