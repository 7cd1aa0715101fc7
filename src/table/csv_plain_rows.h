// The tokenizer's fast path (internal to csv_tokenizer.cc): rows without
// quotes, split from bit masks of 64 bytes at a time, with no per-byte work
// and no branch per field.
//
// It works in windows of a few KiB (doubled for a longer row), in two steps. The first finds the
// positions of every delimiter and line feed of the window's bytes, as
// lists (SIMD compares, then the bits of each mask written out branch-free).
// The second reads them row by row: a row of n fields is n stops, of which
// only the last is a line feed, so row r's fields are stops [k, k + n) when
// stop k + n - 1 is the row's line feed; a row that breaks this (a blank
// line, a ragged row) ends the fast path there. The SIMD step has an AVX2
// form, chosen at run time, and an SSE2 one; both give the same lists.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "table/csv_tokenizer.h"

namespace leanops::table {

/// Splits the complete rows from `*pos` (a row start) and moves `*pos` past
/// them, recording the fields of the columns in `kept` (ascending indexes)
/// into `piece` (whose `columns` has one list per column of the file).
/// Stops, leaving the row to the field-by-field scanner, at a quote, a lone
/// CR, a blank line, a row with the wrong number of fields or the last 64
/// bytes of the text. [begin, end) is the piece TokenizeRows reads.
void SplitPlainRows(std::string_view text, char delimiter, uint64_t begin, uint64_t end,
                    std::span<const uint32_t> kept, TokenizedPiece* piece, uint64_t* pos);

/// For tests: whether SplitPlainRows may use AVX2 when the CPU has it (the
/// default); returns the previous setting. Results are the same either way.
bool AllowAvx2ForTesting(bool allow);
/// Whether this CPU and build have the AVX2 path.
bool HaveAvx2();

}  // namespace leanops::table
