#include "core/strings.h"

namespace leanops {

std::vector<std::string> Split(std::string_view text, char separator, bool keep_empty) {
  std::vector<std::string> pieces;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(separator, pos);
    if (end == std::string_view::npos) end = text.size();
    if (keep_empty || end > pos) pieces.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return pieces;
}

}  // namespace leanops
