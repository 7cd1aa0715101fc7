// A compiled regular expression for expectations, on PCRE2 (with its JIT
// compiler when the platform has one). Suites come from Great Expectations,
// whose pandas backend uses Python's re; PCRE2's syntax agrees with it on
// what suites use. Values are UTF-8 (the CSV reader checks), so patterns are
// compiled in UTF mode and matched without re-checking the subject.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace leanops::validate {

class Regex {
 public:
  /// Compiles `pattern`; throws kData naming `expectation`, the pattern and
  /// PCRE2's message (with the offset) when it is invalid.
  Regex(const std::string& pattern, const std::string& expectation);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  /// Whether the pattern matches anywhere in `text` (Python's re.search).
  /// Not thread-safe: one Regex per thread.
  bool Search(std::string_view text);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace leanops::validate
