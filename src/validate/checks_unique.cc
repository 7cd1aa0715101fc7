// expect_column_values_to_be_unique: every occurrence of a value that occurs
// more than once is unexpected, the first occurrence included (GX's
// semantics: pandas' duplicated(keep=False)).
//
// Uniqueness needs every value seen so far, across chunks. Keeping values
// would make memory follow the file, so each value is kept as a 64-bit hash
// with the file row of its first occurrence: 16 bytes per distinct value in
// an open-addressing table at most 3/4 full. Two different values with the
// same 64-bit hash would count as a repeat; for n distinct values the chance
// is about n^2 / 2^65 (3e-8 for a million values). Strings reuse the hash
// their dictionary computed when the chunk was read.
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>

#include "validate/cells.h"
#include "validate/check.h"

namespace leanops::validate {
namespace {

using table::Column;
using table::ColumnType;

// A number's hash: equal numbers (0.0 and -0.0, every NaN) hash alike.
uint64_t NumberHash(double value) {
  if (value == 0) value = 0;
  if (std::isnan(value)) value = std::numeric_limits<double>::quiet_NaN();
  uint64_t x = std::bit_cast<uint64_t>(value);
  // splitmix64's finaliser, so that nearby numbers spread over the table.
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Frees what FirstRows::Allocate mapped.
struct UnmapSlots {
  size_t bytes = 0;
  void operator()(void* slots) const { ::munmap(slots, bytes); }
};

// Hash -> first row, open addressing with linear probing. A hash's home
// slot is its fraction of the capacity ((hash * capacity) >> 64), so the
// capacity need not be a power of two: a table sized for its expected
// values is not rounded up to almost twice that.
class FirstRows {
 public:
  struct Slot {
    uint64_t hash = 0;
    uint64_t row_plus_one = 0;  // 0: empty
  };

  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[Home(hash)]); }

  /// The slot of `hash`; a fresh one (row_plus_one == 0) when not seen yet.
  Slot& Find(uint64_t hash) {
    for (size_t i = Home(hash);; i = i + 1 == capacity_ ? 0 : i + 1) {
      Slot& slot = slots_[i];
      if (slot.row_plus_one == 0 || slot.hash == hash) return slot;
    }
  }
  /// Makes room for `more` new values, keeping the table at most 3/4 full
  /// (linear probing with 64-bit hashes stays short at that load). Growing,
  /// it at least doubles, so that adding a chunk at a time moves each value
  /// a bounded number of times.
  void Reserve(size_t more) {
    if ((size_ + more) * 4 <= capacity_ * 3) return;
    SlotArray old = std::move(slots_);
    const size_t old_capacity = capacity_;
    capacity_ = std::max({size_t{1024}, (size_ + more) * 4 / 3 + 1, capacity_ * 2});
    slots_ = Allocate(capacity_);
    for (size_t i = 0; i < old_capacity; ++i) {
      if (old[i].row_plus_one != 0) Find(old[i].hash) = old[i];
    }
  }
  void Added() { ++size_; }
  size_t size() const { return size_; }

 private:
  // Zeroed slots straight from the kernel: a million distinct values take
  // 16 MiB or more, touched at random, so the pages are asked to be huge
  // (a TLB miss and a page fault per 2 MiB, not per 4 KiB), and they are
  // not cleared twice (the kernel hands out zeroed pages).
  using SlotArray = std::unique_ptr<Slot[], UnmapSlots>;

  static SlotArray Allocate(size_t count) {
    const size_t bytes = count * sizeof(Slot);
    void* memory =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    ::madvise(memory, bytes, MADV_HUGEPAGE);
    return SlotArray(static_cast<Slot*>(memory), UnmapSlots{bytes});
  }

  size_t Home(uint64_t hash) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(hash) * capacity_) >> 64);
  }

  SlotArray slots_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

class UniqueCheck : public Check {
 public:
  explicit UniqueCheck(const Expectation& e)
      : column_(e.kwargs.at("column").get<std::string>()), mostly_(e.kwargs.value("mostly", 1.0)) {}

  void ExpectRows(size_t rows) override { expected_rows_ = rows; }

  void Add(const table::Table& chunk, size_t first_row) override {
    const Column& column = RequireColumn(chunk, column_);
    const size_t rows = column.size();
    const bool first_chunk = element_count_ == 0;
    element_count_ += rows;
    missing_count_ += column.null_count();
    first_rows_.Reserve(rows);
    AddRows(column, first_row);
    // Growing the table a chunk at a time would move every value seen so
    // far again at each doubling: after the first chunk, make room at once
    // for the values the rest of the file will likely add, at this chunk's
    // share of new values.
    if (first_chunk && expected_rows_ > element_count_ && element_count_ > 0) {
      const double new_share =
          static_cast<double>(first_rows_.size()) / static_cast<double>(element_count_);
      first_rows_.Reserve(static_cast<size_t>(
          new_share * static_cast<double>(expected_rows_ - element_count_) * 1.05));
    }
  }

  bool Finish(Json& result) override {
    // Rows of repeated values: the first occurrences and every repeat, in
    // file order.
    std::vector<std::pair<size_t, uint64_t>> rows = repeat_rows_;
    for (const auto& [hash, repeated] : repeated_) rows.emplace_back(repeated.first_row, hash);
    std::sort(rows.begin(), rows.end());
    Json partial = Json::array(), partial_index = Json::array();
    for (size_t i = 0; i < rows.size() && i < kPartialUnexpectedCount; ++i) {
      partial.push_back(repeated_.at(rows[i].second).value);
      partial_index.push_back(rows[i].first);
    }
    const bool holds =
        FinishMapCounts({element_count_, missing_count_, rows.size()}, mostly_, false, result);
    result["partial_unexpected_list"] = std::move(partial);
    result["partial_unexpected_index_list"] = std::move(partial_index);
    // The most repeated values first; ties in file order.
    std::vector<const Repeated*> by_count;
    for (const auto& [hash, repeated] : repeated_) by_count.push_back(&repeated);
    std::sort(by_count.begin(), by_count.end(), [](const Repeated* a, const Repeated* b) {
      return a->count != b->count ? a->count > b->count : a->first_row < b->first_row;
    });
    Json list = Json::array();
    for (size_t i = 0; i < by_count.size() && i < kPartialUnexpectedCount; ++i) {
      list.push_back({{"value", by_count[i]->value}, {"count", by_count[i]->count}});
    }
    result["partial_unexpected_counts"] = std::move(list);
    return holds;
  }

 private:
  // Looks up the chunk's non-null values, recording new ones and repeats.
  void AddRows(const Column& column, size_t first_row) {
    const size_t rows = column.size();
    auto validity = column.validity();
    // Hash a batch of rows and prefetch their slots, then look them up: the
    // table outgrows the cache, so this overlaps the misses.
    constexpr size_t kBatch = 16;
    uint64_t hashes[kBatch];
    for (size_t start = 0; start < rows; start += kBatch) {
      const size_t count = std::min(kBatch, rows - start);
      for (size_t k = 0; k < count; ++k) {
        hashes[k] = validity[start + k] ? HashOf(column, start + k) : 0;
        first_rows_.Prefetch(hashes[k]);
      }
      for (size_t k = 0; k < count; ++k) {
        const size_t row = start + k;
        if (!validity[row]) continue;
        FirstRows::Slot& slot = first_rows_.Find(hashes[k]);
        if (slot.row_plus_one == 0) {
          slot = {hashes[k], first_row + row + 1};
          first_rows_.Added();
          continue;
        }
        Repeated& repeated = repeated_[hashes[k]];
        if (repeated.count == 0) {
          repeated = {slot.row_plus_one - 1, 1, CellJson(column, row)};
        }
        ++repeated.count;
        repeat_rows_.emplace_back(first_row + row, hashes[k]);
      }
    }
  }

  // A value seen more than once: where it first occurred, how often, and
  // the value itself for the result.
  struct Repeated {
    size_t first_row = 0;
    size_t count = 0;
    Json value;
  };

  static uint64_t HashOf(const Column& column, size_t row) {
    if (column.type() != ColumnType::kString) return NumberHash(CellNumber(column, row));
    return column.StringHash(row);
  }

  std::string column_;
  double mostly_;
  size_t expected_rows_ = 0;
  size_t element_count_ = 0, missing_count_ = 0;
  FirstRows first_rows_;
  std::unordered_map<uint64_t, Repeated> repeated_;
  std::vector<std::pair<size_t, uint64_t>> repeat_rows_;  // (file row, hash) of every repeat
};

}  // namespace

std::unique_ptr<Check> MakeUniqueCheck(const Expectation& expectation) {
  return std::make_unique<UniqueCheck>(expectation);
}

}  // namespace leanops::validate
