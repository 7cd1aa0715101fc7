#include "table/table.h"

#include <algorithm>
#include <array>

#include "core/error.h"

namespace leanops::table {

namespace {

constexpr std::array<std::pair<ColumnType, std::string_view>, 6> kTypeNames = {{
    {ColumnType::kInt64, "int64"},
    {ColumnType::kFloat64, "float64"},
    {ColumnType::kBool, "bool"},
    {ColumnType::kString, "string"},
    {ColumnType::kDate, "date"},
    {ColumnType::kTimestamp, "timestamp"},
}};

bool HoldsInt64s(ColumnType type) {
  return type == ColumnType::kInt64 || type == ColumnType::kDate || type == ColumnType::kTimestamp;
}

}  // namespace

std::string_view ColumnTypeName(ColumnType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<ColumnType> ColumnTypeFromName(std::string_view name) {
  for (const auto& [type, n] : kTypeNames) {
    if (n == name) return type;
  }
  return std::nullopt;
}

Column::Column(std::string name, ColumnType type) : name_(std::move(name)), type_(type) {}

size_t Column::null_count() const {
  return static_cast<size_t>(std::count(validity_.begin(), validity_.end(), uint8_t{0}));
}

void Column::CheckType(bool ok, const char* accessor) const {
  if (!ok) {
    ThrowInternal("column \"{}\" of type {} has no {}", name_, ColumnTypeName(type_), accessor);
  }
}

std::span<const int64_t> Column::int64s() const {
  CheckType(HoldsInt64s(type_), "int64s()");
  return int64s_;
}
std::span<const double> Column::float64s() const {
  CheckType(type_ == ColumnType::kFloat64, "float64s()");
  return float64s_;
}
std::span<const uint8_t> Column::bools() const {
  CheckType(type_ == ColumnType::kBool, "bools()");
  return bools_;
}
std::span<const uint32_t> Column::codes() const {
  CheckType(has_dictionary(), "codes()");
  return codes_;
}
const StringDictionary& Column::dictionary() const {
  CheckType(has_dictionary(), "dictionary()");
  return dictionary_;
}

std::span<int64_t> Column::mutable_int64s() {
  CheckType(HoldsInt64s(type_), "int64s()");
  return int64s_;
}
std::span<double> Column::mutable_float64s() {
  CheckType(type_ == ColumnType::kFloat64, "float64s()");
  return float64s_;
}
std::span<uint8_t> Column::mutable_bools() {
  CheckType(type_ == ColumnType::kBool, "bools()");
  return bools_;
}
std::span<uint32_t> Column::mutable_codes() {
  CheckType(has_dictionary(), "codes()");
  return codes_;
}
void Column::set_dictionary(StringDictionary dictionary) {
  CheckType(has_dictionary(), "dictionary()");
  dictionary_ = std::move(dictionary);
}
void Column::set_plain_strings(RowVector<char> bytes, RowVector<uint64_t> offsets) {
  CheckType(type_ == ColumnType::kString, "strings");
  if (offsets.size() != size() + 1 || offsets.front() != 0 || offsets.back() != bytes.size()) {
    ThrowInternal("column \"{}\": {} string offsets for {} rows and {} bytes", name_,
                  offsets.size(), size(), bytes.size());
  }
  plain_ = true;
  codes_ = {};
  dictionary_ = {};
  plain_bytes_ = std::move(bytes);
  plain_offsets_ = std::move(offsets);
}

void Column::Resize(size_t rows) {
  validity_.resize(rows, 0);
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      int64s_.resize(rows, 0);
      break;
    case ColumnType::kFloat64:
      float64s_.resize(rows, 0.0);
      break;
    case ColumnType::kBool:
      bools_.resize(rows, 0);
      break;
    case ColumnType::kString:
      if (plain_) {
        // New rows are null: empty text at the end.
        plain_offsets_.resize(rows + 1, plain_bytes_.size());
      } else {
        codes_.resize(rows, 0);
      }
      break;
  }
}

void Column::ResizeUninitialized(size_t rows) {
  validity_.resize(rows);
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      int64s_.resize(rows);
      break;
    case ColumnType::kFloat64:
      float64s_.resize(rows);
      break;
    case ColumnType::kBool:
      bools_.resize(rows);
      break;
    case ColumnType::kString:
      if (plain_) {
        plain_offsets_.resize(rows + 1);
      } else {
        codes_.resize(rows);
      }
      break;
  }
}

void Column::AppendNull() { Resize(size() + 1); }

void Column::AppendInt64(int64_t value) {
  CheckType(HoldsInt64s(type_), "int64s()");
  int64s_.push_back(value);
  validity_.push_back(1);
}
void Column::AppendFloat64(double value) {
  CheckType(type_ == ColumnType::kFloat64, "float64s()");
  float64s_.push_back(value);
  validity_.push_back(1);
}
void Column::AppendBool(bool value) {
  CheckType(type_ == ColumnType::kBool, "bools()");
  bools_.push_back(value ? 1 : 0);
  validity_.push_back(1);
}
void Column::AppendString(std::string_view value) {
  CheckType(type_ == ColumnType::kString, "strings");
  if (plain_) {
    plain_bytes_.insert(plain_bytes_.end(), value.begin(), value.end());
    plain_offsets_.push_back(plain_bytes_.size());
  } else {
    codes_.push_back(dictionary_.Intern(value));
  }
  validity_.push_back(1);
}

const Column* Table::Find(std::string_view name) const {
  for (const Column& column : columns_) {
    if (column.name() == name) return &column;
  }
  return nullptr;
}

std::vector<Field> Table::schema() const {
  std::vector<Field> fields;
  fields.reserve(columns_.size());
  for (const Column& column : columns_) fields.push_back({column.name(), column.type()});
  return fields;
}

void Table::AddColumn(Column column) {
  if (!columns_.empty() && column.size() != num_rows()) {
    ThrowInternal("column \"{}\" has {} rows, the table {}", column.name(), column.size(),
                  num_rows());
  }
  if (Find(column.name()) != nullptr) ThrowInternal("duplicate column \"{}\"", column.name());
  columns_.push_back(std::move(column));
}

}  // namespace leanops::table
