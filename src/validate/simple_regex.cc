#include "validate/simple_regex.h"

#include <bitset>
#include <cstring>
#include <unordered_map>

namespace leanops::validate {
namespace {

using ByteSet = std::bitset<256>;

enum class Repeat : uint8_t { kOne, kOptional, kStar };

// One position of the pattern: a byte it takes, and how often.
struct Item {
  ByteSet bytes;
  Repeat repeat = Repeat::kOne;
};

// A state of the automaton is a set of positions (bit j: items before j are
// matched), so at most 63 items; the DFA is capped to keep its table in L1.
constexpr size_t kMaxItems = 48;
constexpr size_t kMaxStates = 64;   // so that state * 256 fits the table's uint16
constexpr unsigned kMaxCount = 16;  // the largest n or m in {n,m}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A literal outside a class that PCRE2 reads as itself without flags.
bool IsPlainLiteral(char c) { return IsAsciiAlnum(c) || std::strchr("_-:,@/=% ", c) != nullptr; }

// ASCII punctuation: after a backslash it stands for itself in PCRE2.
bool IsEscapablePunct(char c) { return c > ' ' && c < 0x7f && !IsAsciiAlnum(c); }

ByteSet Range(char first, char last) {
  ByteSet set;
  for (int c = first; c <= last; ++c) set.set(static_cast<unsigned char>(c));
  return set;
}

// \d and \w without PCRE2_UCP are ASCII only.
std::optional<ByteSet> ShorthandClass(char c) {
  if (c == 'd') return Range('0', '9');
  if (c == 'w') return Range('0', '9') | Range('a', 'z') | Range('A', 'Z') | Range('_', '_');
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(std::string_view pattern) : p_(pattern) {}

  // The items of the pattern between its anchors, or nullopt if outside
  // the subset.
  std::optional<std::vector<Item>> Parse(bool* anchored_start, bool* anchored_end) {
    *anchored_start = Eat('^');
    *anchored_end = false;
    std::vector<Item> items;
    while (i_ < p_.size()) {
      if (p_[i_] == '$' && i_ + 1 == p_.size()) {
        *anchored_end = true;
        ++i_;
        break;
      }
      std::optional<ByteSet> atom = Atom();
      if (!atom) return std::nullopt;
      if (!Quantified(*atom, &items) || items.size() > kMaxItems) return std::nullopt;
    }
    return items;
  }

 private:
  bool Eat(char c) {
    if (i_ < p_.size() && p_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  std::optional<ByteSet> Atom() {
    char c = p_[i_++];
    if (c == '[') return Class();
    if (c == '\\') {
      if (i_ == p_.size()) return std::nullopt;
      char e = p_[i_++];
      if (std::optional<ByteSet> shorthand = ShorthandClass(e)) return shorthand;
      if (IsEscapablePunct(e)) return Range(e, e);
      return std::nullopt;
    }
    if (IsPlainLiteral(c)) return Range(c, c);
    return std::nullopt;
  }

  std::optional<ByteSet> Class() {
    ByteSet set;
    if (i_ < p_.size() && (p_[i_] == '^' || p_[i_] == ']')) return std::nullopt;
    while (i_ < p_.size() && p_[i_] != ']') {
      char c = p_[i_++];
      if (c == '[' || c < ' ' || c >= 0x7f) return std::nullopt;
      if (c == '\\') {
        if (i_ == p_.size()) return std::nullopt;
        char e = p_[i_++];
        if (std::optional<ByteSet> shorthand = ShorthandClass(e)) {
          set |= *shorthand;
          continue;
        }
        if (!IsEscapablePunct(e)) return std::nullopt;
        c = e;
      } else if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        char last = p_[i_ + 1];
        if (last == '\\' || last == '[' || last < c || last >= 0x7f) return std::nullopt;
        set |= Range(c, last);
        i_ += 2;
        continue;
      }
      set.set(static_cast<unsigned char>(c));
    }
    if (!Eat(']') || set.none()) return std::nullopt;
    return set;
  }

  // Reads a decimal count of at most kMaxCount.
  std::optional<unsigned> Count() {
    size_t start = i_;
    unsigned n = 0;
    while (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9' && i_ - start < 3) {
      n = n * 10 + static_cast<unsigned>(p_[i_++] - '0');
    }
    if (i_ == start || n > kMaxCount) return std::nullopt;
    return n;
  }

  // Appends `atom` with the quantifier that follows it, expanded: a{2,4}
  // is a a a? a?, a+ is a a*.
  bool Quantified(const ByteSet& atom, std::vector<Item>* items) {
    unsigned min = 1, max = 1;
    bool unbounded = false;
    if (Eat('*')) {
      min = 0;
      unbounded = true;
    } else if (Eat('+')) {
      unbounded = true;
    } else if (Eat('?')) {
      min = 0;
    } else if (Eat('{')) {
      std::optional<unsigned> n = Count();
      if (!n) return false;
      min = max = *n;
      if (Eat(',')) {
        if (i_ < p_.size() && p_[i_] == '}') {
          unbounded = true;
        } else {
          std::optional<unsigned> m = Count();
          if (!m || *m < *n) return false;
          max = *m;
        }
      }
      if (!Eat('}')) return false;
    }
    // Lazy and possessive forms, and quantified quantifiers, go to PCRE2.
    if (i_ < p_.size() && (p_[i_] == '?' || p_[i_] == '+' || p_[i_] == '*' || p_[i_] == '{')) {
      return false;
    }
    for (unsigned k = 0; k < min; ++k) items->push_back({atom, Repeat::kOne});
    if (unbounded) {
      items->push_back({atom, Repeat::kStar});
    } else {
      for (unsigned k = min; k < max; ++k) items->push_back({atom, Repeat::kOptional});
    }
    return items->size() <= kMaxItems;
  }

  std::string_view p_;
  size_t i_ = 0;
};

// The positions reachable from `set` without reading a byte.
uint64_t Closure(const std::vector<Item>& items, uint64_t set) {
  for (size_t j = 0; j < items.size(); ++j) {
    if ((set >> j & 1) && items[j].repeat != Repeat::kOne) set |= uint64_t{1} << (j + 1);
  }
  return set;
}

uint64_t Step(const std::vector<Item>& items, uint64_t set, unsigned char byte) {
  uint64_t next = 0;
  for (size_t j = 0; j < items.size(); ++j) {
    if (!(set >> j & 1) || !items[j].bytes.test(byte)) continue;
    next |= uint64_t{1} << (items[j].repeat == Repeat::kStar ? j : j + 1);
  }
  return Closure(items, next);
}

}  // namespace

std::optional<SimpleRegex> SimpleRegex::Compile(std::string_view pattern) {
  bool anchored_start = false, anchored_end = false;
  std::optional<std::vector<Item>> parsed = Parser(pattern).Parse(&anchored_start, &anchored_end);
  if (!parsed) return std::nullopt;
  std::vector<Item> items;
  // A search may start at any byte: a leading "any byte, any number of
  // times". (Matches start at ASCII bytes, which are character starts.)
  if (!anchored_start) items.push_back({ByteSet().set(), Repeat::kStar});
  items.insert(items.end(), parsed->begin(), parsed->end());
  const uint64_t final_bit = uint64_t{1} << items.size();

  SimpleRegex regex;
  regex.anchored_end_ = anchored_end;
  std::vector<uint64_t> sets = {0, final_bit};  // kDead, kAccepted
  std::unordered_map<uint64_t, uint32_t> index;
  // Without `$`, reaching the end of the items is a match whatever follows.
  auto state_of = [&](uint64_t set) -> std::optional<uint32_t> {
    if (set == 0) return kDead;
    if (!anchored_end && (set & final_bit)) return kAccepted;
    auto [it, added] = index.emplace(set, static_cast<uint32_t>(sets.size()));
    if (added) {
      if (sets.size() == kMaxStates) return std::nullopt;
      sets.push_back(set);
    }
    return it->second;
  };
  std::optional<uint32_t> start = state_of(Closure(items, 1));
  if (!start) return std::nullopt;
  regex.start_ = *start;
  // Sinks loop on themselves; the other states are filled in order of
  // discovery (sets grows while this runs).
  regex.next_.assign(256 * 2, 0);
  std::fill(regex.next_.begin() + 256, regex.next_.end(), kAccepted * 256);
  for (size_t state = 2; state < sets.size(); ++state) {
    regex.next_.resize((state + 1) * 256);
    for (unsigned byte = 0; byte < 256; ++byte) {
      std::optional<uint32_t> to = state_of(Step(items, sets[state], static_cast<uint8_t>(byte)));
      if (!to) return std::nullopt;
      regex.next_[state * 256 + byte] = static_cast<uint16_t>(*to * 256);
    }
  }
  regex.accepting_.resize(sets.size());
  for (size_t state = 0; state < sets.size(); ++state) {
    regex.accepting_[state] = (sets[state] & final_bit) != 0;
  }
  return regex;
}

}  // namespace leanops::validate
