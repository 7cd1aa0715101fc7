#include "table/string_dictionary.h"

#include <bit>
#include <functional>

#include "core/error.h"

namespace leanops::table {

uint64_t StringDictionary::Hash(std::string_view value) {
  return std::hash<std::string_view>{}(value);
}

size_t StringDictionary::SlotOf(std::string_view value, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  uint32_t hash_high = static_cast<uint32_t>(hash >> 32);
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const Slot& entry = slots_[slot];
    if (entry.code_plus_one == 0) return slot;
    if (entry.hash_high == hash_high && values_[entry.code_plus_one - 1] == value) return slot;
  }
}

std::optional<uint32_t> StringDictionary::Find(std::string_view value) const {
  if (slots_.empty()) return std::nullopt;
  uint32_t entry = slots_[SlotOf(value, Hash(value))].code_plus_one;
  if (entry == 0) return std::nullopt;
  return entry - 1;
}

uint32_t StringDictionary::Intern(std::string_view value, uint64_t hash) {
  // Keep the table at most half full so probe chains stay short.
  if ((values_.size() + 1) * 2 > slots_.size()) Grow();
  size_t slot = SlotOf(value, hash);
  if (slots_[slot].code_plus_one != 0) return slots_[slot].code_plus_one - 1;
  if (values_.size() >= UINT32_MAX - 1)
    ThrowData("more than {} distinct strings in a column", UINT32_MAX - 1);
  uint32_t code = static_cast<uint32_t>(values_.size());
  values_.emplace_back(value);
  hashes_.push_back(hash);
  slots_[slot] = {code + 1, static_cast<uint32_t>(hash >> 32)};
  return code;
}

void StringDictionary::Reserve(size_t count) {
  values_.reserve(count);
  hashes_.reserve(count);
  if (count * 2 > slots_.size()) Rehash(std::bit_ceil(count * 2));
}

void StringDictionary::Grow() { Rehash(slots_.empty() ? 64 : slots_.size() * 2); }

void StringDictionary::Rehash(size_t capacity) {
  slots_.assign(capacity, Slot{});
  size_t mask = capacity - 1;
  for (uint32_t code = 0; code < values_.size(); ++code) {
    size_t slot = hashes_[code] & mask;
    while (slots_[slot].code_plus_one != 0) slot = (slot + 1) & mask;
    slots_[slot] = {code + 1, static_cast<uint32_t>(hashes_[code] >> 32)};
  }
}

}  // namespace leanops::table
