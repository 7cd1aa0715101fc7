// A byte automaton for the small regexes suites put on IDs and codes
// (`^C[0-9]+$`, `^[A-Z]{2}-\d{4}$`, `[a-z]`): a sequence of ASCII literals
// and ASCII classes with greedy quantifiers, optionally anchored by `^` and
// `$`. PCRE2's JIT costs a couple of hundred instructions per call on a
// short ID; a table-driven DFA costs a few per byte, and a plain ID column
// is searched once per row.
//
// It gives PCRE2's answer (as Regex configures it: UTF, LF newline, no UCP)
// for every pattern it accepts; anything else (groups, alternation, '.',
// lazy or possessive quantifiers, negated classes, \s, non-ASCII, flags) is
// refused and left to PCRE2. Why ASCII suffices: every accepted atom matches
// one ASCII byte, and a UTF-8 continuation or lead byte is never ASCII, so a
// match over bytes is a match over characters. `$` matches at the end or
// before a final '\n', as in PCRE2 and Python's re; no atom matches '\n'.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace leanops::validate {

class SimpleRegex {
 public:
  /// The automaton for `pattern` (already known to be valid for PCRE2), or
  /// nullopt when the pattern is outside the subset above.
  static std::optional<SimpleRegex> Compile(std::string_view pattern);

  /// Whether the pattern matches anywhere in `text` (Python's re.search).
  bool Search(std::string_view text) const {
    if (anchored_end_ && !text.empty() && text.back() == '\n') text.remove_suffix(1);
    // States are kept as their row's offset in the table (state * 256).
    uint32_t row = start_ * 256;
    const uint16_t* next = next_.data();
    for (unsigned char byte : text) {
      if (row <= kAccepted * 256) break;  // dead, or matched without `$`
      row = next[row + byte];
    }
    return accepting_[row / 256] != 0;
  }

 private:
  static constexpr uint32_t kDead = 0;
  static constexpr uint32_t kAccepted = 1;  // a sink; only without `$`

  bool anchored_end_ = false;
  uint32_t start_ = kDead;
  std::vector<uint16_t> next_;      // [state * 256 + byte]: the next state * 256
  std::vector<uint8_t> accepting_;  // by state
};

}  // namespace leanops::validate
