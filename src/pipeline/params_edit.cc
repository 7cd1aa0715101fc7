#include "pipeline/params_edit.h"

#include <yaml-cpp/yaml.h>

#include <optional>

#include "core/strings.h"
#include "pipeline/yaml_text.h"

namespace leanops {
namespace {

struct Line {
  std::string text;
  size_t indent = 0;
  bool blank = true;  // empty or a comment only
};

std::vector<Line> SplitLines(const std::string& text) {
  std::vector<Line> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    Line line;
    line.text = text.substr(at, end - at);
    line.indent = line.text.find_first_not_of(' ');
    line.blank = line.indent == std::string::npos || line.text[line.indent] == '#';
    if (line.indent == std::string::npos) line.indent = 0;
    lines.push_back(std::move(line));
    at = end + 1;
  }
  return lines;
}

// The line of `key:` among the children of the block [begin, end) whose
// children are indented more than `parent_indent` (-1 for the top level).
struct Found {
  size_t line;
  size_t indent;
};

std::optional<size_t> ChildIndent(const std::vector<Line>& lines, size_t begin, size_t end,
                                  long parent_indent) {
  for (size_t i = begin; i < end; ++i)
    if (!lines[i].blank) {
      if (static_cast<long>(lines[i].indent) > parent_indent) return lines[i].indent;
      return std::nullopt;
    }
  return std::nullopt;
}

std::optional<size_t> FindKey(const std::vector<Line>& lines, size_t begin, size_t end,
                              size_t indent, const std::string& key) {
  for (size_t i = begin; i < end; ++i) {
    const Line& l = lines[i];
    if (l.blank || l.indent != indent) continue;
    std::string_view rest = std::string_view(l.text).substr(indent);
    if (rest.starts_with(key) && rest.size() > key.size() && rest[key.size()] == ':' &&
        (rest.size() == key.size() + 1 || rest[key.size() + 1] == ' '))
      return i;
  }
  return std::nullopt;
}

// The end of the block of line `at` (the next non-blank line indented no
// deeper), within [at, end).
size_t BlockEnd(const std::vector<Line>& lines, size_t at, size_t end) {
  size_t last = at + 1;
  for (size_t i = at + 1; i < end; ++i) {
    if (lines[i].blank) continue;
    if (lines[i].indent <= lines[at].indent) return last;
    last = i + 1;
  }
  return last;
}

// The value text after "key:" with its comment split off.
std::pair<std::string, std::string> ValueAndComment(const std::string& after_colon) {
  size_t hash = after_colon.find(" #");
  if (hash == std::string::npos) return {after_colon, ""};
  // The comment keeps the spaces that align it.
  while (hash > 0 && after_colon[hash - 1] == ' ') --hash;
  return {after_colon.substr(0, hash), after_colon.substr(hash)};
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Sets one key in place; false when the layout needs a full rewrite.
bool SetInPlace(std::vector<Line>& lines, const std::vector<std::string>& keys, const Json& value) {
  size_t begin = 0, end = lines.size();
  long parent_indent = -1;
  for (size_t k = 0; k < keys.size(); ++k) {
    std::optional<size_t> indent = ChildIndent(lines, begin, end, parent_indent);
    size_t child = indent.value_or(parent_indent < 0 ? 0 : static_cast<size_t>(parent_indent + 2));
    std::optional<size_t> at = indent ? FindKey(lines, begin, end, child, keys[k]) : std::nullopt;
    if (!at) {
      // Missing: add it (with any missing mappings below it) at the block's end.
      std::vector<Line> added;
      for (size_t j = k; j < keys.size(); ++j) {
        Line l;
        l.indent = child + 2 * (j - k);
        l.blank = false;
        l.text = std::string(l.indent, ' ') + keys[j] + ":";
        if (j + 1 == keys.size()) l.text += " " + YamlScalarText(value);
        added.push_back(std::move(l));
      }
      lines.insert(lines.begin() + static_cast<long>(end), added.begin(), added.end());
      return true;
    }
    const Line& line = lines[*at];
    std::string after = line.text.substr(line.indent + keys[k].size() + 1);
    auto [text, comment] = ValueAndComment(after);
    std::string existing = Trim(text);
    if (k + 1 == keys.size()) {
      if (!existing.empty() &&
          (existing[0] == '{' || existing[0] == '[' || existing[0] == '|' || existing[0] == '>'))
        return false;
      if (existing.empty() && BlockEnd(lines, *at, end) > *at + 1) return false;  // a mapping
      lines[*at].text =
          std::string(line.indent, ' ') + keys[k] + ": " + YamlScalarText(value) + comment;
      return true;
    }
    if (!existing.empty()) return false;  // flow style or a scalar where a mapping goes
    parent_indent = static_cast<long>(line.indent);
    begin = *at + 1;
    end = BlockEnd(lines, *at, end);
  }
  return false;
}

// The document `text` holds, with `values` set.
Json WithValues(const std::string& text, const std::vector<std::pair<std::string, Json>>& values,
                const std::string& name) {
  Json document = Trim(text).empty() ? Json::object() : ParseParamsText(text, name);
  for (const auto& [dotted, value] : values) {
    Json* at = &document;
    for (const std::string& key : Split(dotted, '.', true)) {
      if (!at->is_object()) *at = Json::object();
      at = &(*at)[key];
    }
    *at = value;
  }
  return document;
}

std::string Rewrite(const std::string& text,
                    const std::vector<std::pair<std::string, Json>>& values,
                    const std::string& name) {
  Json document = WithValues(text, values, name);
  YAML::Emitter out;
  EmitYamlValue(out, document);
  return std::string(out.c_str()) + "\n";
}

}  // namespace

std::string SetYamlValues(const std::string& text,
                          const std::vector<std::pair<std::string, Json>>& values,
                          const std::string& name) {
  std::vector<Line> lines = SplitLines(text);
  for (const auto& [dotted, value] : values) {
    if (!SetInPlace(lines, Split(dotted, '.', true), value)) return Rewrite(text, values, name);
  }
  std::string out;
  for (const Line& l : lines) out += l.text + "\n";
  // The edit must read back as the intended document.
  if (ParseParamsText(out, name) != WithValues(text, values, name))
    return Rewrite(text, values, name);
  return out;
}

}  // namespace leanops
