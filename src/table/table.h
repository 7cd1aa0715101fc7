// A typed, columnar, in-memory table: the form in which every data module
// (validation, drift, training) sees a dataset.
//
// A Table is a list of equally long Columns. A Column has a name, one type,
// one value array of that type and a validity array (1 = value present,
// 0 = null). Values are plain vectors, so a module reads a column as a span
// and loops over it; there is no per-cell dispatch.
//
//   type        values                              meaning of a value
//   kInt64      int64s()                            the number
//   kFloat64    float64s()                          the number (NaN and +-inf allowed)
//   kBool       bools()                             0 or 1
//   kString     codes() + dictionary().values()     index of the distinct value
//               or, without a dictionary,           the row's own text
//               StringAt(row)
//   kDate       int64s()                            days since 1970-01-01
//   kTimestamp  int64s()                            microseconds since 1970-01-01T00:00:00Z
//
// A null cell holds 0 in its value array (code 0 for strings, which may not
// exist in an empty dictionary): check IsNull (or validity()) first.
//
// String columns are dictionary-encoded unless made plain: a column of
// mostly distinct values (IDs, free text) gains nothing from a dictionary and
// would pay a hash lookup per row to build it, so readers may store each
// row's text in order instead. StringAt and StringHash work on both forms;
// codes() and dictionary() only when has_dictionary().
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "table/string_dictionary.h"

namespace leanops::table {

/// An allocator whose value-less construct default-initializes: a vector
/// of numbers resized with it holds indeterminate values, not zeros. Readers
/// that write every row from several threads use it, so that no thread
/// first clears (and page-faults) the whole array alone.
template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  using std::allocator<T>::allocator;
  template <typename U>
  void construct(U* place) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(place)) U;
  }
  template <typename U, typename... Args>
  void construct(U* place, Args&&... args) {
    ::new (static_cast<void*>(place)) U(std::forward<Args>(args)...);
  }
};

/// A column's array of values (or validity bytes, or string offsets).
template <typename T>
using RowVector = std::vector<T, DefaultInitAllocator<T>>;

enum class ColumnType : uint8_t { kInt64, kFloat64, kBool, kString, kDate, kTimestamp };

/// "int64", "float64", "bool", "string", "date", "timestamp".
std::string_view ColumnTypeName(ColumnType type);
/// The inverse of ColumnTypeName; nullopt for any other name.
std::optional<ColumnType> ColumnTypeFromName(std::string_view name);

class Column {
 public:
  Column(std::string name, ColumnType type);

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  size_t size() const { return validity_.size(); }

  bool IsNull(size_t row) const { return validity_[row] == 0; }
  size_t null_count() const;
  /// One byte per row: 1 when the row has a value, 0 when it is null.
  std::span<const uint8_t> validity() const { return validity_; }

  // Typed values. Asking for the wrong type is a bug (throws kInternal).
  /// kInt64, kDate and kTimestamp (see the table above for the unit).
  std::span<const int64_t> int64s() const;
  std::span<const double> float64s() const;
  std::span<const uint8_t> bools() const;
  /// kString: whether values are coded by a dictionary (see above).
  bool has_dictionary() const { return type_ == ColumnType::kString && !plain_; }
  /// kString with a dictionary: one code per row into dictionary().values().
  std::span<const uint32_t> codes() const;
  const StringDictionary& dictionary() const;
  /// kString: the value of a non-null row.
  std::string_view StringAt(size_t row) const {
    if (!plain_) return dictionary_.values()[codes_[row]];
    return {plain_bytes_.data() + plain_offsets_[row],
            plain_offsets_[row + 1] - plain_offsets_[row]};
  }
  /// kString: StringDictionary::Hash(StringAt(row)) for a non-null row (kept
  /// by the dictionary, computed for a plain column).
  uint64_t StringHash(size_t row) const {
    if (!plain_) return dictionary_.HashOf(codes_[row]);
    return StringDictionary::Hash(StringAt(row));
  }

  // Building, one row at a time.
  void AppendNull();
  void AppendInt64(int64_t value);  // also kDate and kTimestamp
  void AppendFloat64(double value);
  void AppendBool(bool value);
  void AppendString(std::string_view value);

  // Building in bulk (readers fill disjoint row ranges from several threads):
  // Resize sets the row count, new rows null with value 0; the mutable spans
  // then write values and validity in place.
  void Resize(size_t rows);
  /// Resize without setting the new rows: each one's value and validity
  /// must then be written (a null row's value as 0).
  void ResizeUninitialized(size_t rows);
  std::span<uint8_t> mutable_validity() { return validity_; }
  std::span<int64_t> mutable_int64s();
  std::span<double> mutable_float64s();
  std::span<uint8_t> mutable_bools();
  std::span<uint32_t> mutable_codes();
  /// Replaces the dictionary; codes must already index into it.
  void set_dictionary(StringDictionary dictionary);
  /// Makes a kString column plain: row r's text is bytes[offsets[r],
  /// offsets[r + 1]), so `offsets` has size() + 1 entries, ascending from 0
  /// (null rows: empty). Validity must already be set.
  void set_plain_strings(RowVector<char> bytes, RowVector<uint64_t> offsets);

 private:
  void CheckType(bool ok, const char* accessor) const;

  std::string name_;
  ColumnType type_;
  RowVector<uint8_t> validity_;
  // Only the vector for type_ is used.
  RowVector<int64_t> int64s_;
  RowVector<double> float64s_;
  RowVector<uint8_t> bools_;
  RowVector<uint32_t> codes_;
  StringDictionary dictionary_;
  bool plain_ = false;  // kString without a dictionary
  RowVector<char> plain_bytes_;
  RowVector<uint64_t> plain_offsets_;
};

/// A column's name and type: what two chunks of one file have in common.
struct Field {
  std::string name;
  ColumnType type;
  bool operator==(const Field&) const = default;
};

class Table {
 public:
  size_t num_rows() const { return columns_.empty() ? 0 : columns_.front().size(); }
  size_t num_columns() const { return columns_.size(); }
  const std::vector<Column>& columns() const { return columns_; }
  const Column& column(size_t index) const { return columns_[index]; }
  /// The column named `name`, or nullptr.
  const Column* Find(std::string_view name) const;
  std::vector<Field> schema() const;

  /// Adds a column; it must have as many rows as the columns already added
  /// and a name not yet used (otherwise throws kInternal).
  void AddColumn(Column column);

 private:
  std::vector<Column> columns_;
};

}  // namespace leanops::table
