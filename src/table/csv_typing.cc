#include "table/csv_typing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_set>

#include "table/value_parsing.h"

namespace leanops::table {

namespace {

// The value as an error message shows it: long values shortened.
std::string Shown(std::string_view value) {
  constexpr size_t kMax = 40;
  if (value.size() <= kMax) return std::string(value);
  return std::string(value.substr(0, kMax)) + "...";
}

// The loop shared by the fixed-width types: `parse(text, &value)` reads one
// field into the value array.
template <typename T, typename Parse>
std::optional<ValueFailure> ConvertFixed(std::string_view text, uint64_t piece_begin,
                                         const std::vector<CellSpan>& cells, size_t first_row,
                                         ColumnType type, std::span<T> values,
                                         std::span<uint8_t> validity, Parse parse) {
  const char* piece_text = text.data() + piece_begin;
  std::string scratch;
  for (size_t i = 0; i < cells.size(); ++i) {
    CellSpan cell = cells[i];
    if (cell.length() == 0) {
      values[first_row + i] = T{};
      validity[first_row + i] = 0;
      continue;
    }
    std::string_view field = CellText(piece_text, cell, &scratch);
    if (!parse(field, &values[first_row + i])) {
      return ValueFailure{
          piece_begin + cell.offset(),
          fmt::format("cannot read '{}' as {}", Shown(field), ColumnTypeName(type))};
    }
    validity[first_row + i] = 1;
  }
  return std::nullopt;
}

std::optional<ValueFailure> ConvertStrings(std::string_view text, uint64_t piece_begin,
                                           const std::vector<CellSpan>& cells, size_t first_row,
                                           Column* column, StringDictionary* dictionary) {
  const char* piece_text = text.data() + piece_begin;
  std::span<uint32_t> codes = column->mutable_codes();
  std::span<uint8_t> validity = column->mutable_validity();
  // Batches of values: hash all and prefetch their slots, then intern.
  constexpr size_t kBatch = 16;
  std::array<std::string, kBatch> scratch;
  std::array<std::string_view, kBatch> values;
  std::array<uint64_t, kBatch> hashes;
  for (size_t start = 0; start < cells.size(); start += kBatch) {
    size_t count = std::min(kBatch, cells.size() - start);
    for (size_t k = 0; k < count; ++k) {
      values[k] = CellText(piece_text, cells[start + k], &scratch[k]);
      hashes[k] = StringDictionary::Hash(values[k]);
      dictionary->Prefetch(hashes[k]);
    }
    for (size_t k = 0; k < count; ++k) {
      CellSpan cell = cells[start + k];
      if (cell.length() == 0) {
        codes[first_row + start + k] = 0;
        validity[first_row + start + k] = 0;
        continue;
      }
      size_t known = dictionary->size();
      uint32_t code = dictionary->Intern(values[k], hashes[k]);
      // Only a new distinct value needs checking. Doubled quotes are ASCII,
      // so the raw field has its invalid bytes where the value has them.
      if (dictionary->size() != known) {
        std::string_view raw(piece_text + cell.offset(), cell.length());
        if (std::optional<size_t> bad = FindInvalidUtf8(raw)) {
          return ValueFailure{
              piece_begin + cell.offset() + *bad,
              fmt::format("invalid UTF-8: byte 0x{:02x}", static_cast<unsigned char>(raw[*bad]))};
        }
      }
      codes[first_row + start + k] = code;
      validity[first_row + start + k] = 1;
    }
  }
  return std::nullopt;
}

bool IsAscii(std::string_view text) {
  uint64_t high_bits = 0;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    high_bits |= word;
  }
  for (; i < text.size(); ++i) high_bits |= static_cast<unsigned char>(text[i]);
  return (high_bits & 0x8080808080808080ULL) == 0;
}

}  // namespace

std::optional<ValueFailure> ConvertPlainStrings(std::string_view text, uint64_t piece_begin,
                                                const std::vector<CellSpan>& cells,
                                                std::span<uint64_t> ends,
                                                std::span<uint8_t> validity, std::string* bytes) {
  const char* piece_text = text.data() + piece_begin;
  const size_t start = bytes->size();
  std::string scratch;
  for (size_t i = 0; i < cells.size(); ++i) {
    CellSpan cell = cells[i];
    if (cell.length() != 0) bytes->append(CellText(piece_text, cell, &scratch));
    validity[i] = cell.length() != 0;
    ends[i] = bytes->size();
  }
  // ASCII text is valid UTF-8: one pass over all the values settles the
  // common case. Otherwise each value is checked on its own (two invalid
  // halves of a character in adjacent values must not pass together). The
  // raw field is checked: doubled quotes are ASCII, so it has its invalid
  // bytes where the value has them.
  if (IsAscii(std::string_view(*bytes).substr(start))) return std::nullopt;
  for (CellSpan cell : cells) {
    std::string_view raw(piece_text + cell.offset(), cell.length());
    if (std::optional<size_t> bad = FindInvalidUtf8(raw)) {
      return ValueFailure{
          piece_begin + cell.offset() + *bad,
          fmt::format("invalid UTF-8: byte 0x{:02x}", static_cast<unsigned char>(raw[*bad]))};
    }
  }
  return std::nullopt;
}

void MarkPresent(const std::vector<CellSpan>& cells, std::span<uint8_t> validity) {
  for (size_t i = 0; i < cells.size(); ++i) validity[i] = cells[i].length() != 0;
}

bool LooksMostlyDistinct(const char* piece_text, const std::vector<CellSpan>& cells) {
  // A sample big enough to tell IDs from categories, small enough to cost
  // nothing next to reading the column.
  constexpr size_t kSample = 4096, kMinSample = 1024;
  std::unordered_set<std::string_view> distinct;
  size_t sampled = 0;
  for (size_t i = 0; i < cells.size() && sampled < kSample; ++i) {
    if (cells[i].length() == 0) continue;
    ++sampled;
    distinct.emplace(piece_text + cells[i].offset(), cells[i].length());
  }
  return sampled >= kMinSample && distinct.size() * 2 > sampled;
}

std::optional<ColumnType> InferType(const char* piece_text, const std::vector<CellSpan>& cells) {
  std::optional<ColumnType> type;
  std::string scratch;
  for (CellSpan cell : cells) {
    if (cell.length() == 0) continue;
    std::string_view field = CellText(piece_text, cell, &scratch);
    if (!type) {
      type = NarrowestType(field);
    } else if (!Fits(*type, field)) {
      type = WidenType(*type, NarrowestType(field));
    }
    if (*type == ColumnType::kString) break;  // nothing is wider
  }
  return type;
}

std::optional<ValueFailure> ConvertCells(std::string_view text, uint64_t piece_begin,
                                         const std::vector<CellSpan>& cells, size_t first_row,
                                         Column* column, StringDictionary* dictionary) {
  ColumnType type = column->type();
  std::span<uint8_t> validity = column->mutable_validity();
  switch (type) {
    case ColumnType::kInt64:
      return ConvertFixed(text, piece_begin, cells, first_row, type, column->mutable_int64s(),
                          validity, ParseInt64);
    case ColumnType::kDate:
      return ConvertFixed(text, piece_begin, cells, first_row, type, column->mutable_int64s(),
                          validity, ParseDate);
    case ColumnType::kTimestamp:
      return ConvertFixed(text, piece_begin, cells, first_row, type, column->mutable_int64s(),
                          validity, ParseTimestamp);
    case ColumnType::kFloat64:
      return ConvertFixed(text, piece_begin, cells, first_row, type, column->mutable_float64s(),
                          validity, ParseFloat64);
    case ColumnType::kBool:
      return ConvertFixed(text, piece_begin, cells, first_row, type, column->mutable_bools(),
                          validity, [](std::string_view field, uint8_t* value) {
                            bool b;
                            if (!ParseBool(field, &b)) return false;
                            *value = b ? 1 : 0;
                            return true;
                          });
    case ColumnType::kString:
      return ConvertStrings(text, piece_begin, cells, first_row, column, dictionary);
  }
  return std::nullopt;
}

std::optional<size_t> FindInvalidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    // ASCII runs, eight bytes at a time.
    if (i + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, bytes + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    unsigned char min_second = 0x80, max_second = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) min_second = 0xa0;  // overlong
      if (lead == 0xed) max_second = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) min_second = 0x90;  // overlong
      if (lead == 0xf4) max_second = 0x8f;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + 1 >= size || bytes[i + 1] < min_second || bytes[i + 1] > max_second) return i;
    for (size_t k = 2; k < length; ++k) {
      if (i + k >= size || (bytes[i + k] & 0xc0) != 0x80) return i;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace leanops::table
