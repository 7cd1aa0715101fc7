#include "table/csv_plain_rows.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <vector>

#ifdef __SSE2__
#include <immintrin.h>
#endif

namespace leanops::table {

namespace {

std::atomic<bool> allow_avx2{true};

#ifdef __SSE2__

// A window's bytes to begin with: small enough that its lists stay in the
// L1 cache, large enough that the row cut at its end (read again by the
// next) costs little. A row longer than a window doubles it.
constexpr uint64_t kWindowBytes = 4096;
// Rows longer than this are left to the scanner (the lists take 8 bytes per
// byte of the window).
constexpr uint64_t kMaxWindowBytes = uint64_t{1} << 20;

// The stops (delimiters and line feeds) and line feeds of a window, as
// offsets from the piece's start. stops[0] is the offset just before the
// window's first row, so that field c of a row whose stops start at k is
// (stops[k + c - 1], stops[k + c]) for every c, the first field included.
// One per thread, kept: TokenizeRows calls SplitPlainRows again after each
// row the scanner reads, so it must cost nothing to set up.
struct StopLists {
  /// Makes room for a window of `bytes` (AppendBits writes up to 64
  /// entries past the count it ends at).
  void Reserve(uint64_t bytes) {
    if (newlines.size() >= bytes + 64) return;
    stops.resize(1 + bytes + 64);
    newlines.resize(bytes + 64);
  }
  std::vector<uint32_t> stops;
  std::vector<uint32_t> newlines;
  size_t num_stops = 0;  // after stops[0]
  size_t num_newlines = 0;
};

// The bytes of a 64-byte block that matter to the fast path, as bits.
struct BlockMasks {
  uint64_t stops = 0;     // the delimiter or '\n'
  uint64_t newlines = 0;  // '\n'
  uint64_t special = 0;   // '"' or '\r': looked at closer when not zero
};

// Appends base + the index of each set bit of `bits` to out[*count...].
// kAlways entries are written whatever the number of bits (then as many
// again when there are more), so the usual block of a few stops costs no
// branch per stop; the count then skips the ones written past the last bit.
template <int kAlways>
[[gnu::always_inline]] inline void AppendBits(uint64_t bits, uint32_t base, uint32_t* out,
                                              size_t* count) {
  uint32_t* at = out + *count;
  const auto bits_set = static_cast<size_t>(std::popcount(bits));
#pragma GCC unroll 16
  for (int i = 0; i < kAlways; ++i) {
    at[i] = base + static_cast<uint32_t>(std::countr_zero(bits));
    bits &= bits - 1;
  }
  if (bits_set > kAlways) {
#pragma GCC unroll 16
    for (int i = kAlways; i < 2 * kAlways; ++i) {
      at[i] = base + static_cast<uint32_t>(std::countr_zero(bits));
      bits &= bits - 1;
    }
    for (size_t i = 2 * kAlways; i < bits_set; ++i) {
      at[i] = base + static_cast<uint32_t>(std::countr_zero(bits));
      bits &= bits - 1;
    }
  }
  *count += bits_set;
}

struct Sse2 {
  static uint64_t Equal(const char* data, char c) {
    const __m128i target = _mm_set1_epi8(c);
    uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i));
      mask |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, target)))}
              << (16 * i);
    }
    return mask;
  }
  static BlockMasks Masks(const char* data, char delimiter) {
    const __m128i delimiters = _mm_set1_epi8(delimiter);
    const __m128i newlines = _mm_set1_epi8('\n');
    const __m128i quotes = _mm_set1_epi8('"');
    const __m128i returns = _mm_set1_epi8('\r');
    BlockMasks masks;
    __m128i special = _mm_setzero_si128();
    for (int i = 0; i < 4; ++i) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i));
      __m128i newline = _mm_cmpeq_epi8(bytes, newlines);
      __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters), newline);
      special = _mm_or_si128(
          special, _mm_or_si128(_mm_cmpeq_epi8(bytes, quotes), _mm_cmpeq_epi8(bytes, returns)));
      masks.stops |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(stop))} << (16 * i);
      masks.newlines |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(newline))} << (16 * i);
    }
    masks.special = static_cast<uint32_t>(_mm_movemask_epi8(special));
    return masks;
  }
};

#if defined(__x86_64__) && defined(__GNUC__)
#define LEANOPS_HAVE_AVX2_PATH 1
// Compiled for AVX2 whatever the build's baseline; only called when the CPU
// has it (HaveAvx2).
struct Avx2 {
  [[gnu::target("avx2")]] static uint64_t Equal(const char* data, char c) {
    const __m256i target = _mm256_set1_epi8(c);
    __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data));
    __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + 32));
    return uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(low, target)))} |
           uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(high, target)))}
               << 32;
  }
  [[gnu::target("avx2")]] static BlockMasks Masks(const char* data, char delimiter) {
    const __m256i delimiters = _mm256_set1_epi8(delimiter);
    const __m256i newlines = _mm256_set1_epi8('\n');
    const __m256i quotes = _mm256_set1_epi8('"');
    const __m256i returns = _mm256_set1_epi8('\r');
    BlockMasks masks;
    __m256i special = _mm256_setzero_si256();
    for (int i = 0; i < 2; ++i) {
      __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + 32 * i));
      __m256i newline = _mm256_cmpeq_epi8(bytes, newlines);
      __m256i stop = _mm256_or_si256(_mm256_cmpeq_epi8(bytes, delimiters), newline);
      special = _mm256_or_si256(special, _mm256_or_si256(_mm256_cmpeq_epi8(bytes, quotes),
                                                         _mm256_cmpeq_epi8(bytes, returns)));
      masks.stops |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(stop))} << (32 * i);
      masks.newlines |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(newline))} << (32 * i);
    }
    masks.special = static_cast<uint32_t>(_mm256_movemask_epi8(special));
    return masks;
  }
};
#endif

// Lists the stops of the 64-byte blocks from `from` (a row start) into
// `lists`, up to a window, the end of the piece, the last 64 bytes of the
// text, or a block holding a quote or a CR not followed by LF. Returns
// where it stopped. Not inlined into its callers (see ScanWindowAvx2).
template <typename Simd>
uint64_t ScanWindow(std::string_view text, char delimiter, uint64_t begin, uint64_t end,
                    uint64_t from, uint64_t window, StopLists* lists) {
  const char* data = text.data();
  const uint64_t size = text.size();
  const uint64_t limit = std::min(end, from + window);
  lists->Reserve(window);
  lists->stops[0] = static_cast<uint32_t>(from - begin - 1);  // wraps for from == begin: fine
  lists->num_stops = 0;
  lists->num_newlines = 0;
  uint64_t base = from;
  for (; base < limit && base + 64 <= size && base + 64 - begin <= kMaxPieceBytes; base += 64) {
    BlockMasks masks = Simd::Masks(data + base, delimiter);
    if (masks.special != 0) {
      if (Simd::Equal(data + base, '"') != 0) break;
      uint64_t returns = Simd::Equal(data + base, '\r');
      uint64_t next_is_newline =
          (masks.newlines >> 1) |
          (base + 64 < size && data[base + 64] == '\n' ? uint64_t{1} << 63 : 0);
      if ((returns & ~next_is_newline) != 0) break;  // a lone CR ends a row: the scanner's job
    }
    if (end - base < 64) {
      const uint64_t before_end = (uint64_t{1} << (end - base)) - 1;
      masks.stops &= before_end;
      masks.newlines &= before_end;
    }
    const auto offset = static_cast<uint32_t>(base - begin);
    // Rows are usually longer than 8 bytes and fields than 1.
    AppendBits<8>(masks.stops, offset, lists->stops.data() + 1, &lists->num_stops);
    AppendBits<2>(masks.newlines, offset, lists->newlines.data(), &lists->num_newlines);
  }
  return base;
}

uint64_t ScanWindowSse2(std::string_view text, char delimiter, uint64_t begin, uint64_t end,
                        uint64_t from, uint64_t window, StopLists* lists) {
  return ScanWindow<Sse2>(text, delimiter, begin, end, from, window, lists);
}

#ifdef LEANOPS_HAVE_AVX2_PATH
// `flatten` inlines ScanWindow<Avx2> and the intrinsics into this AVX2
// function; a template cannot carry the target attribute itself.
[[gnu::target("avx2,bmi,popcnt"), gnu::flatten]] uint64_t ScanWindowAvx2(
    std::string_view text, char delimiter, uint64_t begin, uint64_t end, uint64_t from,
    uint64_t window, StopLists* lists) {
  return ScanWindow<Avx2>(text, delimiter, begin, end, from, window, lists);
}
#endif

#endif  // __SSE2__

}  // namespace

bool HaveAvx2() {
#ifdef LEANOPS_HAVE_AVX2_PATH
  static const bool have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                           __builtin_cpu_supports("popcnt");
  return have;
#else
  return false;
#endif
}

bool AllowAvx2ForTesting(bool allow) { return allow_avx2.exchange(allow); }

void SplitPlainRows(std::string_view text, char delimiter, uint64_t begin, uint64_t end,
                    std::span<const uint32_t> kept, TokenizedPiece* piece, uint64_t* pos) {
#ifdef __SSE2__
  if (piece->columns.empty()) return;
  auto scan = ScanWindowSse2;
#ifdef LEANOPS_HAVE_AVX2_PATH
  if (HaveAvx2() && allow_avx2.load(std::memory_order_relaxed)) scan = ScanWindowAvx2;
#endif
  const char* piece_text = text.data() + begin;
  const size_t num_columns = piece->columns.size();
  const uint32_t last_column = static_cast<uint32_t>(num_columns - 1);
  std::vector<CellSpan>* columns = piece->columns.data();
  static thread_local StopLists lists;
  uint64_t window = kWindowBytes;
  uint64_t row_start = *pos;
  while (row_start < end) {
    const uint64_t window_start = row_start;
    const uint64_t scanned = scan(text, delimiter, begin, end, window_start, window, &lists);
    // Row r's stops are stops[k, k + n) (k from 1); it is a row of n fields
    // exactly when its last stop is its line feed: the row before ended at
    // the line feed before, so none of the others is one.
    const uint32_t* stops = lists.stops.data();
    size_t k = 1;
    size_t taken = 0;
    bool regular = true;
    for (size_t r = 0; r < lists.num_newlines; ++r) {
      const size_t row_end = k + num_columns - 1;
      if (row_end > lists.num_stops || stops[row_end] != lists.newlines[r]) {
        regular = false;  // a blank line or a ragged row
        break;
      }
      // A CR before the line feed is not part of the last field.
      uint32_t content_end = stops[row_end];
      if (content_end != stops[row_end - 1] + 1 && piece_text[content_end - 1] == '\r') {
        --content_end;
      }
      if (num_columns == 1 && content_end == stops[k - 1] + 1) {  // a blank line
        regular = false;
        break;
      }
      for (uint32_t c : kept) {
        const uint32_t field_begin = stops[k + c - 1] + 1;
        const uint32_t field_end = c == last_column ? content_end : stops[k + c];
        columns[c].emplace_back(field_begin, field_end - field_begin, false);
      }
      ++taken;
      k = row_end + 1;
      row_start = begin + lists.newlines[r] + 1;
    }
    piece->rows += taken;
    // The next window starts at the row cut by this one's end; any other
    // reason to stop scanning is left to the scanner.
    if (!regular || scanned != window_start + window) break;
    if (taken == 0) {  // a row longer than the window
      if (window >= kMaxWindowBytes) break;
      window *= 2;
    }
  }
  *pos = row_start;
#else
  (void)text, (void)delimiter, (void)begin, (void)end, (void)kept, (void)piece, (void)pos;
#endif
}

}  // namespace leanops::table
