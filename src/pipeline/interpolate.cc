#include "pipeline/interpolate.h"

#include <cctype>

#include "core/error.h"

namespace leanops {
namespace {

// One `${...}` occurrence in a string.
struct Match {
  size_t begin = 0;  // index of '$'
  size_t end = 0;    // one past '}'
  std::string expr;  // between the braces, trimmed
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Finds the next unescaped `${`, starting at `from`. Escaped occurrences are
// left for the caller to unescape.
size_t FindOpen(const std::string& text, size_t from) {
  for (size_t i = text.find("${", from); i != std::string::npos; i = text.find("${", i + 1)) {
    if (i > 0 && text[i - 1] == '\\') continue;
    return i;
  }
  return std::string::npos;
}

std::vector<Match> FindMatches(const std::string& text, const std::string& where) {
  std::vector<Match> matches;
  size_t pos = 0;
  while ((pos = FindOpen(text, pos)) != std::string::npos) {
    size_t close = text.find('}', pos + 2);
    if (close == std::string::npos) ThrowData("{}: unterminated '${{' in '{}'", where, text);
    Match m{pos, close + 1, Trim(text.substr(pos + 2, close - pos - 2))};
    if (m.expr.empty()) ThrowData("{}: empty '${{}}' in '{}'", where, text);
    matches.push_back(m);
    pos = close + 1;
  }
  return matches;
}

// Resolves a dotted/indexed name: "a.b", "list[0]", "a.0".
const Json& Lookup(const std::string& expr, const Json& context, const std::string& where) {
  const Json* node = &context;
  size_t i = 0;
  auto fail = [&]() -> const Json& {
    ThrowData("{}: could not find '{}' in the variables (params.yaml, vars, item/key)", where,
              expr);
  };
  while (i < expr.size()) {
    std::string key;
    if (expr[i] == '[') {
      size_t close = expr.find(']', i);
      if (close == std::string::npos) ThrowData("{}: malformed expression '{}'", where, expr);
      key = Trim(expr.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      size_t stop = expr.find_first_of(".[", i);
      if (stop == std::string::npos) stop = expr.size();
      key = expr.substr(i, stop - i);
      i = stop;
    }
    if (i < expr.size() && expr[i] == '.') ++i;
    if (key.empty()) ThrowData("{}: malformed expression '{}'", where, expr);
    if (node->is_object()) {
      auto it = node->find(key);
      if (it == node->end()) return fail();
      node = &*it;
    } else if (node->is_array()) {
      bool digits = std::all_of(key.begin(), key.end(), [](char c) { return std::isdigit(c); });
      if (!digits) return fail();
      size_t index = std::stoul(key);
      if (index >= node->size()) return fail();
      node = &(*node)[index];
    } else {
      return fail();
    }
  }
  return *node;
}

std::string Unescape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && text.compare(i + 1, 2, "${") == 0) continue;
    out += text[i];
  }
  return out;
}

}  // namespace

bool HasInterpolation(const std::string& text) { return FindOpen(text, 0) != std::string::npos; }

std::string FormatScalar(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_null()) return "None";
  if (value.is_number_float()) return FormatPythonFloat(value.get<double>());
  return value.dump();
}

Json Interpolate(const std::string& text, const Json& context, const std::string& where) {
  std::vector<Match> matches = FindMatches(text, where);
  if (matches.empty()) return Json(Unescape(text));
  if (matches.size() == 1 && matches[0].begin == 0 && matches[0].end == text.size())
    return Lookup(matches[0].expr, context, where);
  std::string out;
  size_t pos = 0;
  for (const Match& m : matches) {
    out += Unescape(text.substr(pos, m.begin - pos));
    const Json& value = Lookup(m.expr, context, where);
    if (value.is_structured())
      ThrowData("{}: '${{{}}}' is a {} and cannot be part of a string", where, m.expr,
                value.is_array() ? "list" : "dict");
    out += FormatScalar(value);
    pos = m.end;
  }
  out += Unescape(text.substr(pos));
  return Json(out);
}

std::string InterpolateString(const std::string& text, const Json& context,
                              const std::string& where) {
  Json value = Interpolate(text, context, where);
  if (value.is_structured())
    ThrowData("{}: '{}' must be a string, not a {}", where, text,
              value.is_array() ? "list" : "dict");
  return FormatScalar(value);
}

void MergeVars(Json& context, const Json& more, const std::string& source) {
  if (!more.is_object()) ThrowData("{}: variables must be a mapping", source);
  for (auto it = more.begin(); it != more.end(); ++it) {
    if (context.contains(it.key()))
      ThrowData("{}: cannot redefine variable '{}'", source, it.key());
    context[it.key()] = it.value();
  }
}

}  // namespace leanops
