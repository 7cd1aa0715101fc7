#include "pipeline/yaml_text.h"

#include <cctype>

namespace leanops {
namespace {

constexpr size_t kBestWidth = 80;  // ruamel's default `width`

// ruamel's write_plain / write_single_quoted line folding: after a word, a
// single space becomes a line break when the column is already past the
// best width. Runs of spaces are never broken, nor (in quoted text) a space
// at either end.
std::string Fold(const std::string& text, size_t column, size_t indent, bool quoted) {
  std::string out;
  size_t start = quoted ? 1 : 0;  // quoted: keep the opening quote attached
  size_t finish = quoted ? text.size() - 1 : text.size();
  out += text.substr(0, start);
  column += start;
  size_t i = start;
  while (i < finish) {
    size_t space = text.find(' ', i);
    if (space == std::string::npos || space >= finish) {
      out += text.substr(i, finish - i);
      column += finish - i;
      break;
    }
    out += text.substr(i, space - i);
    column += space - i;
    size_t after = text.find_first_not_of(' ', space);
    if (after == std::string::npos || after > finish) after = finish;
    bool single = after == space + 1;
    bool at_edge = quoted && (space == start || after == finish);
    if (single && !at_edge && after < finish && column > kBestWidth) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else {
      out += text.substr(space, after - space);
      column += after - space;
    }
    i = after;
  }
  out += text.substr(finish);
  return out;
}

// Strings that are plain in YAML and read back as strings under any
// resolver: a letter, '/' or '_' first, then only path-like characters, and
// not a bare word that YAML could read as a boolean or null. Most paths and
// names are; they skip building an emitter (a lock file has thousands).
bool ObviouslyPlain(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  unsigned char first = s[0];
  if (!std::isalpha(first) && first != '/' && first != '_') return false;
  bool word = true;
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (c == '/' || c == '_' || c == '.' || c == '-') {
      word = false;
      continue;
    }
    return false;
  }
  return !(word && s.size() <= 5);  // true, False, null, yes, no, on, off, y, n ...
}

}  // namespace

std::string YamlScalarText(const Json& value) {
  if (value.is_string() && ObviouslyPlain(value.get_ref<const std::string&>()))
    return value.get<std::string>();
  YAML::Emitter emitter;
  EmitYamlValue(emitter, value);
  return emitter.c_str();
}

std::string YamlLine(const std::string& prefix, const Json& value, size_t indent) {
  if (value.is_null()) return prefix + "\n";
  std::string text = YamlScalarText(value);
  if (!value.is_string() || text.find('\n') != std::string::npos) return prefix + " " + text + "\n";
  bool quoted = text.size() >= 2 && text.front() == '\'' && text.back() == '\'';
  bool plain = text.front() != '"' && !quoted;
  if (!plain && !quoted) return prefix + " " + text + "\n";
  return prefix + " " + Fold(text, prefix.size() + 1, indent, quoted) + "\n";
}

}  // namespace leanops
