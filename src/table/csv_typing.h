// The typed layer of the CSV reader: inferring a column's type from its
// fields and converting fields into a Column, one tokenized piece at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "table/csv_tokenizer.h"
#include "table/table.h"

namespace leanops::table {

/// The narrowest type (see WidenType) reading every non-empty field of
/// `cells`, whose offsets are relative to `piece_text`; nullopt when all are
/// empty.
std::optional<ColumnType> InferType(const char* piece_text, const std::vector<CellSpan>& cells);

/// A field that does not read as its column's type, or a string that is not
/// UTF-8: where (file offset) and what (without the column's name).
struct ValueFailure {
  uint64_t offset = 0;
  std::string message;
};

/// Writes `cells` (of the piece at file offset `piece_begin`) into rows
/// [first_row, first_row + cells.size()) of `column`, which must already
/// have those rows; each row's value and validity is written (an empty
/// field is null, with value 0). String values are interned into
/// `dictionary` (the codes written index into it) and checked to be UTF-8.
/// Stops at the first field that fails.
std::optional<ValueFailure> ConvertCells(std::string_view text, uint64_t piece_begin,
                                         const std::vector<CellSpan>& cells, size_t first_row,
                                         Column* column, StringDictionary* dictionary);

/// Writes the string `cells` of the piece at file offset `piece_begin` as
/// plain text (see Column::set_plain_strings): appends each value to
/// `bytes` and sets ends[i] to where value i ends in `bytes`, and
/// validity[i] to whether the field is non-empty. Checks every value is UTF-8.
std::optional<ValueFailure> ConvertPlainStrings(std::string_view text, uint64_t piece_begin,
                                                const std::vector<CellSpan>& cells,
                                                std::span<uint64_t> ends,
                                                std::span<uint8_t> validity, std::string* bytes);

/// Sets validity[i] to whether field i is non-empty, for each field of `cells` (a column read
/// for presence only).
void MarkPresent(const std::vector<CellSpan>& cells, std::span<uint8_t> validity);

/// Whether the first fields of `cells` (of the piece at `piece_text`) are
/// mostly distinct, so that a dictionary would cost more than it saves.
bool LooksMostlyDistinct(const char* piece_text, const std::vector<CellSpan>& cells);

/// The offset of the first byte of `text` that is not part of a valid UTF-8
/// sequence (overlong forms and surrogates are invalid), or nullopt.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

}  // namespace leanops::table
