#include "validate/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <optional>

#include "core/error.h"
#include "validate/simple_regex.h"

namespace leanops::validate {

struct Regex::State {
  ~State() {
    pcre2_match_data_free(match_data);
    pcre2_code_free(code);
  }
  pcre2_code* code = nullptr;
  pcre2_match_data* match_data = nullptr;
  bool jit = false;
  // The same answers without a call into PCRE2, for the simple patterns of
  // IDs and codes (searched once per row of a plain column).
  std::optional<SimpleRegex> simple;
};

Regex::Regex(const std::string& pattern, const std::string& expectation)
    : state_(std::make_unique<State>()) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  state_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               PCRE2_UTF, &error, &error_offset, nullptr);
  if (state_->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    ThrowData("{}: invalid regex '{}': {} at offset {}", expectation, pattern,
              reinterpret_cast<const char*>(message), error_offset);
  }
  // Without a JIT (an unsupported CPU, or memory that may not be made
  // executable) the interpreter gives the same answers, more slowly.
  state_->jit = pcre2_jit_compile(state_->code, PCRE2_JIT_COMPLETE) == 0;
  state_->match_data = pcre2_match_data_create_from_pattern(state_->code, nullptr);
  if (state_->match_data == nullptr) ThrowData("{}: out of memory compiling a regex", expectation);
  // SimpleRegex's `$` assumes LF newlines (the build's default; a pattern
  // may not change it, as SimpleRegex refuses (*...) verbs).
  uint32_t newline = 0;
  if (pcre2_pattern_info(state_->code, PCRE2_INFO_NEWLINE, &newline) == 0 &&
      newline == PCRE2_NEWLINE_LF) {
    state_->simple = SimpleRegex::Compile(pattern);
  }
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

bool Regex::Search(std::string_view text) {
  if (state_->simple) return state_->simple->Search(text);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc = state_->jit ? pcre2_jit_match(state_->code, subject, text.size(), 0, 0,
                                         state_->match_data, nullptr)
                       : pcre2_match(state_->code, subject, text.size(), 0, PCRE2_NO_UTF_CHECK,
                                     state_->match_data, nullptr);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  // Resource limits (backtracking or depth) on a pathological pattern.
  PCRE2_UCHAR message[256];
  pcre2_get_error_message(rc, message, sizeof(message));
  ThrowData("regex match failed: {}", reinterpret_cast<const char*>(message));
}

}  // namespace leanops::validate
