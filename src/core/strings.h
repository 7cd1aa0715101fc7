// Small string helpers shared across modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leanops {

/// Splits `text` at each `separator`. With `keep_empty` false, empty pieces
/// (from doubled, leading or trailing separators) are dropped. A trailing
/// separator never yields a final empty piece ("a\n" -> {"a"}).
std::vector<std::string> Split(std::string_view text, char separator, bool keep_empty);

/// Percent-encodes `text` as RFC 3986 (and AWS SigV4) ask: the unreserved
/// characters (letters, digits, - _ . ~) stay, every other byte becomes %XX
/// in upper-case hex; with `keep_slashes`, '/' stays too, for paths.
std::string PercentEncode(std::string_view text, bool keep_slashes = false);

}  // namespace leanops
