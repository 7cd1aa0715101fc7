// Text for HTML pages that leanops writes (plots, validation reports).
#pragma once

#include <string>
#include <string_view>

namespace leanops {

/// `text` with &, <, >, " and ' escaped, safe in element text and in quoted
/// attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace leanops
