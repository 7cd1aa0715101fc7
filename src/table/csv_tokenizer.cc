#include "table/csv_tokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/parallel.h"
#include "table/csv_plain_rows.h"

namespace leanops::table {

namespace {

enum class FieldEnd { kDelimiter, kRowEnd, kEndOfText };

struct ScannedField {
  uint64_t begin = 0;  // the text, inside the quotes when quoted
  uint64_t end = 0;
  bool doubled_quotes = false;
  FieldEnd terminator = FieldEnd::kEndOfText;
};

// Reads fields of one file; `stops` marks the bytes that end an unquoted field.
class FieldScanner {
 public:
  FieldScanner(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
    stops_.fill(false);
    for (char c : {delimiter, '"', '\n', '\r'}) stops_[static_cast<unsigned char>(c)] = true;
  }

  // The first byte at or after `p` that ends an unquoted field (or the size).
  // Fields are short, so testing 16 bytes at once saves both the per-byte
  // work and the mispredicted loop exit of a byte loop.
  [[gnu::always_inline]] uint64_t FindStop(uint64_t p) const {
    const char* data = text_.data();
    const uint64_t size = text_.size();
#ifdef __SSE2__
    const __m128i delimiters = _mm_set1_epi8(delimiter_);
    const __m128i quotes = _mm_set1_epi8('"');
    const __m128i newlines = _mm_set1_epi8('\n');
    const __m128i returns = _mm_set1_epi8('\r');
    while (p + 16 <= size) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + p));
      __m128i hits = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters), _mm_cmpeq_epi8(bytes, quotes)),
          _mm_or_si128(_mm_cmpeq_epi8(bytes, newlines), _mm_cmpeq_epi8(bytes, returns)));
      unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
      if (mask != 0) return p + static_cast<uint64_t>(__builtin_ctz(mask));
      p += 16;
    }
#endif
    while (p < size && !stops_[static_cast<unsigned char>(data[p])]) ++p;
    return p;
  }

  // Moves `*pos` past the blank lines starting there; false at the end of the text.
  bool SkipBlankLines(uint64_t* pos) const {
    uint64_t p = *pos;
    while (p < text_.size() && (text_[p] == '\n' || text_[p] == '\r')) ++p;
    *pos = p;
    return p < text_.size();
  }

  // Reads the field at `*pos` and its terminator, moving `*pos` past both.
  // Inlined: it runs once per field, and the call itself costs as much as a short field.
  [[gnu::always_inline]] bool Scan(uint64_t* pos, ScannedField* field,
                                   SyntaxFailure* failure) const {
    const char* data = text_.data();
    const uint64_t size = text_.size();
    uint64_t p = *pos;
    if (p < size && data[p] == '"') {
      uint64_t open = p;
      uint64_t from = p + 1;
      field->doubled_quotes = false;
      for (;;) {
        const void* quote = std::memchr(data + from, '"', size - from);
        if (quote == nullptr) {
          *failure = {open,
                      "unterminated quoted field: no closing '\"' before the end of the file"};
          return false;
        }
        uint64_t at = static_cast<uint64_t>(static_cast<const char*>(quote) - data);
        if (at + 1 < size && data[at + 1] == '"') {
          field->doubled_quotes = true;
          from = at + 2;
          continue;
        }
        field->begin = open + 1;
        field->end = at;
        p = at + 1;
        break;
      }
    } else {
      uint64_t start = p;
      p = FindStop(p);
      if (p < size && data[p] == '"') {
        *failure = {
            p, "'\"' inside an unquoted field (quote the whole field and write '\"' as '\"\"')"};
        return false;
      }
      field->begin = start;
      field->end = p;
      field->doubled_quotes = false;
    }
    if (p == size) {
      field->terminator = FieldEnd::kEndOfText;
    } else if (data[p] == delimiter_) {
      field->terminator = FieldEnd::kDelimiter;
      ++p;
    } else if (data[p] == '\n') {
      field->terminator = FieldEnd::kRowEnd;
      ++p;
    } else if (data[p] == '\r') {
      field->terminator = FieldEnd::kRowEnd;
      ++p;
      if (p < size && data[p] == '\n') ++p;
    } else {
      *failure = {p, fmt::format("unexpected '{}' after the closing '\"' of a quoted field",
                                 std::string_view(data + p, 1))};
      return false;
    }
    *pos = p;
    return true;
  }

 private:
  std::string_view text_;
  char delimiter_;
  std::array<bool, 256> stops_;
};

// The number of bytes equal to `c` in [begin, end). It runs over every
// byte of the file (to cut it at row boundaries), so 16 bytes at a time with
// SSE2: a compare gives -1 per match, subtracted into byte counters that are
// summed (psadbw) before they overflow; elsewhere eight at a time, where a
// byte equal to `c` becomes zero after the XOR, and the zero-byte test sets
// its high bit exactly for zero bytes.
uint64_t CountByte(const char* begin, const char* end, char c) {
  uint64_t count = 0;
  const char* p = begin;
#ifdef __SSE2__
  const __m128i target = _mm_set1_epi8(c);
  auto matches = [&](int i) {
    return _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p) + i), target);
  };
  while (end - p >= 16) {
    __m128i counters = _mm_setzero_si128();
    // 64 bytes a round (4 hits per counter) for at most 63 rounds.
    for (int i = 0; i < 63 && end - p >= 64; ++i, p += 64) {
      counters = _mm_sub_epi8(counters, _mm_add_epi8(_mm_add_epi8(matches(0), matches(1)),
                                                     _mm_add_epi8(matches(2), matches(3))));
    }
    for (; end - p >= 16 && end - p < 64; p += 16) counters = _mm_sub_epi8(counters, matches(0));
    __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
    count += static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  const uint64_t pattern = 0x0101010101010101ULL * static_cast<unsigned char>(c);
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  while (end - p >= 8) {
    // Per-byte counters of 0/1 hits overflow after 255 words.
    uint64_t lanes = 0;
    for (int i = 0; i < 255 && end - p >= 8; ++i, p += 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      uint64_t x = word ^ pattern;
      uint64_t zero_bytes = ~(((x & kLow7) + kLow7) | x | kLow7);
      lanes += zero_bytes >> 7;
    }
    // Add the eight byte counters (up to 8 * 255) in 16-bit lanes.
    uint64_t pairs = (lanes & 0x00ff00ff00ff00ffULL) + ((lanes >> 8) & 0x00ff00ff00ff00ffULL);
    count += (pairs * 0x0001000100010001ULL) >> 48;
  }
  for (; p < end; ++p) count += *p == c ? 1 : 0;
  return count;
}

// The first row start at or after `from`, given whether an odd number of
// quotes lies between the last row start and `from`.
uint64_t NextRowStart(std::string_view text, uint64_t from, bool odd_quotes) {
  const char* data = text.data();
  const uint64_t size = text.size();
  if (!odd_quotes && from > 0 && data[from - 1] == '\n') return from;
  uint64_t p = from;
  for (;;) {
    if (odd_quotes) {
      const void* quote = std::memchr(data + p, '"', size - p);
      if (quote == nullptr) return size;
      p = static_cast<uint64_t>(static_cast<const char*>(quote) - data) + 1;
      odd_quotes = false;
      continue;
    }
    const void* newline = std::memchr(data + p, '\n', size - p);
    uint64_t row_end =
        newline == nullptr ? size : static_cast<uint64_t>(static_cast<const char*>(newline) - data);
    const void* quote = std::memchr(data + p, '"', row_end - p);
    if (quote == nullptr) return newline == nullptr ? size : row_end + 1;
    p = static_cast<uint64_t>(static_cast<const char*>(quote) - data) + 1;
    odd_quotes = true;
  }
}

// An estimate of the rows in [begin, end) from the newlines of its first
// 8 KiB: enough to size a piece's field lists (which grow if it is short),
// and a small part of a block, where a larger sample was a tenth of the
// tokenizer's time.
size_t EstimateRows(std::string_view text, uint64_t begin, uint64_t end) {
  uint64_t sample_end = std::min(end, begin + (8u << 10));
  if (sample_end <= begin) return 0;
  uint64_t newlines = CountByte(text.data() + begin, text.data() + sample_end, '\n');
  double per_byte = static_cast<double>(newlines + 1) / static_cast<double>(sample_end - begin);
  return static_cast<size_t>(per_byte * static_cast<double>(end - begin) * 1.05) + 16;
}

}  // namespace

void TokenizeRows(std::string_view text, uint64_t begin, uint64_t end, size_t num_columns,
                  char delimiter, TokenizedPiece* piece, const std::vector<uint8_t>* keep_columns) {
  piece->begin = begin;
  piece->rows = 0;
  piece->failure.reset();
  piece->columns.resize(num_columns);
  std::vector<uint8_t> all;
  if (keep_columns == nullptr) all.assign(num_columns, 1);
  const uint8_t* keep = keep_columns ? keep_columns->data() : all.data();
  std::vector<uint32_t> kept;
  for (size_t c = 0; c < num_columns; ++c) {
    if (keep[c]) kept.push_back(static_cast<uint32_t>(c));
  }
  size_t expected_rows = EstimateRows(text, begin, end);
  for (size_t c = 0; c < num_columns; ++c) {
    piece->columns[c].clear();
    // With room to spare: a piece reused for a block with a few more rows
    // than its last one should not move (and page-fault) all its fields.
    if (keep[c] && piece->columns[c].capacity() < expected_rows) {
      piece->columns[c].reserve(expected_rows + expected_rows / 4);
    }
  }

  FieldScanner scanner(text, delimiter);
  auto fail = [&](SyntaxFailure failure) {
    for (size_t c = 0; c < num_columns; ++c) {
      if (keep[c]) piece->columns[c].resize(piece->rows, CellSpan(0, 0, false));
    }
    piece->failure = std::move(failure);
  };
  uint64_t pos = begin;
  ScannedField field;
  SyntaxFailure failure;
  while (pos < end) {
    SplitPlainRows(text, delimiter, begin, end, kept, piece, &pos);
    if (pos >= end) break;
    if (text[pos] == '\n' || text[pos] == '\r') {
      if (!scanner.SkipBlankLines(&pos)) break;
      continue;
    }
    uint64_t row_start = pos;
    size_t count = 0;
    do {
      if (!scanner.Scan(&pos, &field, &failure)) return fail(std::move(failure));
      if (field.end - begin > kMaxPieceBytes) return fail({row_start, "row longer than 1 GiB"});
      if (count < num_columns && keep[count]) {
        piece->columns[count].emplace_back(static_cast<uint32_t>(field.begin - begin),
                                           static_cast<uint32_t>(field.end - field.begin),
                                           field.doubled_quotes);
      }
      ++count;
    } while (field.terminator == FieldEnd::kDelimiter);
    if (count != num_columns) {
      return fail({row_start, fmt::format("expected {} fields, got {}", num_columns, count)});
    }
    ++piece->rows;
  }
  piece->end = pos;
}

std::optional<SyntaxFailure> ReadOneRow(std::string_view text, uint64_t* pos, char delimiter,
                                        std::vector<std::string>* fields) {
  FieldScanner scanner(text, delimiter);
  fields->clear();
  if (!scanner.SkipBlankLines(pos)) return std::nullopt;
  ScannedField field;
  SyntaxFailure failure;
  std::string scratch;
  do {
    if (!scanner.Scan(pos, &field, &failure)) return failure;
    CellSpan cell(0, static_cast<uint32_t>(field.end - field.begin), field.doubled_quotes);
    fields->emplace_back(CellText(text.data() + field.begin, cell, &scratch));
  } while (field.terminator == FieldEnd::kDelimiter);
  return std::nullopt;
}

namespace {

// `pieces` + 1 evenly spaced offsets from `begin` to `target_end` (clamped
// to the text), at least enough that each piece stays well under
// kMaxPieceBytes.
std::vector<uint64_t> EvenTargets(std::string_view text, uint64_t begin, uint64_t target_end,
                                  size_t pieces) {
  target_end = std::clamp<uint64_t>(target_end, begin, text.size());
  uint64_t span = target_end - begin;
  pieces = std::max<size_t>({pieces, 1, static_cast<size_t>(span / (kMaxPieceBytes / 2) + 1)});
  std::vector<uint64_t> targets(pieces + 1);
  for (size_t i = 0; i <= pieces; ++i) targets[i] = begin + span * i / pieces;
  return targets;
}

}  // namespace

std::vector<uint64_t> GuessRowBoundaries(std::string_view text, uint64_t begin, uint64_t target_end,
                                         size_t pieces) {
  std::vector<uint64_t> targets = EvenTargets(text, begin, target_end, pieces);
  const char* data = text.data();
  std::vector<uint64_t> bounds = {begin};
  for (size_t i = 1; i < targets.size(); ++i) {
    uint64_t from = std::max(targets[i], bounds.back());
    uint64_t bound = text.size();
    if (from < text.size() && from > 0 && data[from - 1] == '\n') {
      bound = from;
    } else if (from < text.size()) {
      const void* newline = std::memchr(data + from, '\n', text.size() - from);
      if (newline != nullptr)
        bound = static_cast<uint64_t>(static_cast<const char*>(newline) - data) + 1;
    }
    if (bound > bounds.back()) bounds.push_back(bound);
    if (bound == text.size()) break;
  }
  return bounds;
}

std::vector<uint64_t> SplitAtRowBoundaries(std::string_view text, uint64_t begin,
                                           uint64_t target_end, size_t pieces, int jobs) {
  std::vector<uint64_t> targets = EvenTargets(text, begin, target_end, pieces);
  pieces = targets.size() - 1;

  std::vector<uint64_t> quotes(pieces);
  ParallelFor(pieces, jobs, [&](size_t i) {
    quotes[i] = CountByte(text.data() + targets[i], text.data() + targets[i + 1], '"');
  });

  std::vector<uint64_t> bounds = {begin};
  uint64_t quotes_before = 0;
  for (size_t i = 1; i <= pieces; ++i) {
    quotes_before += quotes[i - 1];
    if (targets[i] <= bounds.back()) continue;  // a long row already covers this target
    uint64_t bound = targets[i] == text.size()
                         ? text.size()
                         : NextRowStart(text, targets[i], quotes_before % 2 == 1);
    if (bound > bounds.back()) bounds.push_back(bound);
  }
  return bounds;
}

}  // namespace leanops::table
