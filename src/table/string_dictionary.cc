#include "table/string_dictionary.h"

#include <bit>
#include <cstring>
#include <functional>

#include "core/error.h"

namespace leanops::table {

namespace {

// The 128-bit product of a and b, its halves XORed (wyhash's mixer).
uint64_t Mix(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

}  // namespace

uint64_t StringDictionary::Hash(std::string_view value) {
  // Most string cells are short (codes, IDs, categories) and every one is
  // hashed, so those of up to 16 bytes are mixed inline: two words that
  // together hold every byte (overlapping for lengths between), and the
  // length, so distinct values give distinct inputs to the mixer. A call
  // to std::hash's byte loop cost four times as much.
  const size_t size = value.size();
  if (size > 16) return std::hash<std::string_view>{}(value);
  const char* data = value.data();
  uint64_t a = 0, b = 0;
  if (size >= 8) {
    std::memcpy(&a, data, 8);
    std::memcpy(&b, data + size - 8, 8);
  } else if (size >= 4) {
    uint32_t low, high;
    std::memcpy(&low, data, 4);
    std::memcpy(&high, data + size - 4, 4);
    a = low;
    b = high;
  } else if (size > 0) {
    a = uint64_t{static_cast<unsigned char>(data[0])} << 16 |
        uint64_t{static_cast<unsigned char>(data[size / 2])} << 8 |
        static_cast<unsigned char>(data[size - 1]);
  }
  constexpr uint64_t kSeed0 = 0xa0761d6478bd642fULL, kSeed1 = 0xe7037ed1a0b428dbULL;
  return Mix(kSeed1 ^ size, Mix(a ^ kSeed1, b ^ kSeed0));
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
