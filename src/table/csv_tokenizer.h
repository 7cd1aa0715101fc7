// The syntax layer of the CSV reader (RFC 4180): where rows and fields are.
//
// Fields are separated by a one-byte delimiter, rows end with LF or CRLF (a
// lone CR too, as Python's csv module does). A field that starts with '"' is
// quoted: it runs to the next '"' not doubled, may hold delimiters and line
// breaks, and writes '"' as '""'. A '"' anywhere else is an error. Lines
// with no bytes at all are skipped, as pandas does.
//
// Nothing here converts values or allocates per field: a field is recorded as
// a span of the file, and the typed layer (csv_reader.cc) reads it later.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanops::table {

/// Where one field's text lies: `offset()` bytes after the start of its
/// piece, inside the quotes when it was quoted.
class CellSpan {
 public:
  CellSpan(uint32_t offset, uint32_t length, bool has_doubled_quotes)
      : offset_(offset), length_and_flag_(length | (has_doubled_quotes ? kDoubledQuotes : 0)) {}
  uint32_t offset() const { return offset_; }
  uint32_t length() const { return length_and_flag_ & ~kDoubledQuotes; }
  /// Whether the text holds '""' pairs that stand for one '"' each.
  bool has_doubled_quotes() const { return (length_and_flag_ & kDoubledQuotes) != 0; }

 private:
  static constexpr uint32_t kDoubledQuotes = 1u << 31;
  uint32_t offset_;
  uint32_t length_and_flag_;
};

/// The largest piece TokenizeRows takes (CellSpan offsets are 31-bit).
inline constexpr uint64_t kMaxPieceBytes = uint64_t{1} << 30;

/// A syntax error: the byte offset in the file where it is and what it is.
struct SyntaxFailure {
  uint64_t offset = 0;
  std::string message;
};

/// The rows of one byte range of a file, split into fields column by column.
struct TokenizedPiece {
  uint64_t begin = 0;  // file offset the piece's spans are relative to
  uint64_t end = 0;    // file offset where its last row ended (with no failure)
  size_t rows = 0;
  std::vector<std::vector<CellSpan>> columns;  // columns[column][row]
  /// Set at the first syntax error; the rows before it are complete.
  std::optional<SyntaxFailure> failure;
};

/// Splits the rows that start in [begin, end) of `text` (the whole file) into
/// `num_columns` fields each, into `piece` (whose buffers are reused: a
/// parser tokenizing many ranges allocates only for the first); a row with
/// another count is an error. [begin, end) must start at a row start and be
/// at most kMaxPieceBytes. With `keep_columns` (one flag per column), only
/// the flagged columns' fields are recorded; the others' lists stay empty.
void TokenizeRows(std::string_view text, uint64_t begin, uint64_t end, size_t num_columns,
                  char delimiter, TokenizedPiece* piece,
                  const std::vector<uint8_t>* keep_columns = nullptr);

/// Reads the row at `*pos` (skipping blank lines before it) into `fields`,
/// unescaped, and moves `*pos` past it. Returns the syntax error, if any.
/// For the header row, whose field count is not known yet.
std::optional<SyntaxFailure> ReadOneRow(std::string_view text, uint64_t* pos, char delimiter,
                                        std::vector<std::string>* fields);

/// Cuts the rows starting in [begin, target_end) (extended to the end of the
/// row that target_end falls in, if any) into at most `pieces` ranges, each
/// starting at a row start. A '\n' ends a row exactly when the number of
/// '"' before it (from `begin`, a row start) is even; the quotes are counted
/// on `jobs` threads. Returns the boundaries: front() is begin, back() the end
/// of the last row; consecutive boundaries differ.
std::vector<uint64_t> SplitAtRowBoundaries(std::string_view text, uint64_t begin,
                                           uint64_t target_end, size_t pieces, int jobs);

/// SplitAtRowBoundaries without counting quotes: it cuts just after the
/// first '\n' at or after each target, which is a row start unless a quoted
/// field holding a line break spans the target. So the cuts are a guess the
/// caller checks: they are all right when each piece's rows, tokenized from
/// the piece before's end, end at the next cut (TokenizedPiece::end), or past
/// it over blank lines only (the next piece skips them too). Most files quote
/// no line breaks, and the guess saves a pass over the text.
std::vector<uint64_t> GuessRowBoundaries(std::string_view text, uint64_t begin, uint64_t target_end,
                                         size_t pieces);

/// The text of a field of the piece starting at `piece_text`: a view of the
/// file, or its unescaped copy in `scratch` when it has doubled quotes.
inline std::string_view CellText(const char* piece_text, CellSpan cell, std::string* scratch) {
  std::string_view raw(piece_text + cell.offset(), cell.length());
  if (!cell.has_doubled_quotes()) return raw;
  scratch->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    scratch->push_back(raw[i]);
    if (raw[i] == '"') ++i;  // the second quote of a pair
  }
  return *scratch;
}

}  // namespace leanops::table
