// The distinct values of a string column, each with a dense code.
//
// String columns store one uint32 code per row and the distinct values once,
// which makes categorical columns (plan, region, contract) small and lets
// other modules count, compare and group values by code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanops::table {

class StringDictionary {
 public:
  /// The code of `value`, adding it (with the next code) when it is new.
  uint32_t Intern(std::string_view value) { return Intern(value, Hash(value)); }
  /// Intern with the value's Hash computed by the caller.
  uint32_t Intern(std::string_view value, uint64_t hash);

  // For interning many values: a large dictionary does not fit in cache, so
  // hashing a batch of values and prefetching their slots before interning
  // them overlaps the cache misses instead of paying them one by one.
  static uint64_t Hash(std::string_view value);
  /// The Hash of values()[code], kept from when it was interned.
  uint64_t HashOf(uint32_t code) const { return hashes_[code]; }
  /// Makes room for `count` values in all, so adding them never rehashes.
  void Reserve(size_t count);
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  /// The code of `value`, or nullopt when it is not in the dictionary.
  std::optional<uint32_t> Find(std::string_view value) const;

  /// Distinct values in code order: values()[code].
  const std::vector<std::string>& values() const { return values_; }
  size_t size() const { return values_.size(); }

 private:
  // Open addressing with linear probing. A slot holds code + 1 (0 = empty)
  // and the high half of the value's hash, so a probe compares text only on
  // a likely match and touches one cache line in the common case.
  struct Slot {
    uint32_t code_plus_one = 0;
    uint32_t hash_high = 0;
  };
  size_t SlotOf(std::string_view value, uint64_t hash) const;
  void Grow();
  void Rehash(size_t capacity);  // a power of two

  std::vector<std::string> values_;
  std::vector<uint64_t> hashes_;  // by code, for growing without rehashing text
  std::vector<Slot> slots_;
};

}  // namespace leanops::table
