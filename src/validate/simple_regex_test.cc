#include "validate/simple_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <gtest/gtest.h>
#include <pcre2.h>

#include <random>
#include <string>
#include <vector>

#include "validate/regex.h"

namespace leanops::validate {
namespace {

// PCRE2 compiled as Regex compiles it, matched by its interpreter: the
// reference SimpleRegex must agree with.
class Reference {
 public:
  explicit Reference(const std::string& pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF,
                          &error, &offset, nullptr);
    data_ = pcre2_match_data_create(4, nullptr);
  }
  ~Reference() {
    pcre2_match_data_free(data_);
    pcre2_code_free(code_);
  }
  bool ok() const { return code_ != nullptr; }
  bool Search(std::string_view text) const {
    return pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data_,
                       nullptr) >= 0;
  }

 private:
  pcre2_code* code_ = nullptr;
  pcre2_match_data* data_ = nullptr;
};

TEST(SimpleRegexTest, TakesSequencesOfAsciiClassesOnly) {
  for (const char* pattern :
       {"^C[0-9]+$", "^C\\d{1,4}$", "[a-z]", "", "^$", "^", "$", "^[A-Z]{2}-\\d{4}$", "x*",
        "^[-a]b?$", "^[a-]\\.$", "^\\w+@\\w+$", "^[\\d\\-]{3,}$", "a{0}", "^ab{2,}c"}) {
    EXPECT_TRUE(SimpleRegex::Compile(pattern).has_value()) << pattern;
  }
  for (const char* pattern :
       {"(a)",     "a|b",  ".",   "^a.b$",       "a+?",     "a++",   "a*?",    "[^a]",  "\\s",
        "(?i)abc", "a$b",  "a^",  "[[:alpha:]]", "\\bC",    "é",     "[é]",    "a{,3}", "a{3",
        "a{99}",   "[]a]", "\\n", "a{2}{3}",     "(*CR)a$", "\\x41", "[a-\\d]"}) {
    EXPECT_FALSE(SimpleRegex::Compile(pattern).has_value()) << pattern;
  }
}

TEST(SimpleRegexTest, AgreesWithPcre2) {
  const std::vector<std::string> patterns = {"^C[0-9]+$",
                                             "^C\\d{1,4}$",
                                             "[a-z]",
                                             "",
                                             "^$",
                                             "$",
                                             "^",
                                             "C[0-9]",
                                             "[0-9]+$",
                                             "^C",
                                             "^[A-Z]{2}-\\d{4}$",
                                             "x*",
                                             "^[-a]b?$",
                                             "^[a-]\\.$",
                                             "^\\w+@\\w+$",
                                             "^[\\d\\-]{3,}$",
                                             "a{0}",
                                             "^ab{2,}c",
                                             "^a*a$",
                                             "^[ab]*b[ab]{2}$",
                                             "C\\d\\d$",
                                             "^\\$\\d+",
                                             "^a?$",
                                             "b?$",
                                             "^C[0-9]*[A-Z]?$"};
  // Short strings over an alphabet with the patterns' bytes, line breaks and
  // a two-byte UTF-8 character.
  const std::vector<std::string> alphabet = {"C", "a",  "b",  "x",        "0", "7", "-", ".", "@",
                                             "_", "\n", "\r", "\xC3\xA9", " ", "$", "Z", "c"};
  std::mt19937 random(5);
  std::vector<std::string> subjects = {"",        "\n",        "C1",    "C123\n",    "C123\r\n",
                                       "C123\r",  "C123\n\n",  "\nC12", "C\xC3\xA9", "C0000001",
                                       "AB-1234", "AB-1234\n", "a@b",   "abbc",      "ab"};
  for (int i = 0; i < 3000; ++i) {
    std::string subject;
    size_t length = random() % 9;
    for (size_t k = 0; k < length; ++k) subject += alphabet[random() % alphabet.size()];
    subjects.push_back(subject);
  }
  for (const std::string& pattern : patterns) {
    std::optional<SimpleRegex> simple = SimpleRegex::Compile(pattern);
    ASSERT_TRUE(simple.has_value()) << pattern;
    Reference reference(pattern);
    ASSERT_TRUE(reference.ok()) << pattern;
    for (const std::string& subject : subjects) {
      EXPECT_EQ(simple->Search(subject), reference.Search(subject))
          << "pattern " << pattern << " subject \"" << subject << "\"";
    }
  }
}

TEST(SimpleRegexTest, RegexUsesItWithTheSameAnswers) {
  Regex id("^C[0-9]+$", "test");
  EXPECT_TRUE(id.Search("C0000001"));
  EXPECT_TRUE(id.Search("C1\n"));
  EXPECT_FALSE(id.Search("C1\n\n"));
  EXPECT_FALSE(id.Search("C"));
  EXPECT_FALSE(id.Search("c1"));
  EXPECT_FALSE(id.Search("C1x"));
}

}  // namespace
}  // namespace leanops::validate
