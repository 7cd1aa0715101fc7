#include "pipeline/params_file.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <toml.hpp>

#include "core/error.h"

namespace leanops {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------- YAML scalars
//
// The implicit resolvers of ruamel.yaml for YAML 1.2 (ruamel/yaml/resolver.py),
// tried in the same order: bool, float, int, null. Timestamps stay strings
// (DVC would build datetime objects, which no params comparison needs).

const std::regex& BoolRe() {
  static const std::regex re("true|True|TRUE|false|False|FALSE");
  return re;
}
const std::regex& FloatRe() {
  static const std::regex re(
      "[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?"
      "|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
      "|[-+]?\\.[0-9_]+([eE][-+][0-9]+)?"
      "|[-+]?\\.(inf|Inf|INF)"
      "|\\.(nan|NaN|NAN)");
  return re;
}
const std::regex& IntRe() {
  static const std::regex re(
      "[-+]?0b[0-1_]+"
      "|[-+]?0o?[0-7_]+"
      "|[-+]?[0-9_]+"
      "|[-+]?0x[0-9a-fA-F_]+");
  return re;
}
// Only to quote such strings when writing: read back, they stay strings.
const std::regex& TimestampRe() {
  static const std::regex re(
      "[0-9]{4}-[0-9]{2}-[0-9]{2}"
      "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
      "([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?");
  return re;
}
const std::regex& NullRe() {
  static const std::regex re("~|null|Null|NULL|");
  return re;
}

// ruamel's construct_yaml_float: underscores dropped, case folded, then
// Python's float().
std::optional<Json> MakeFloat(const std::string& text) {
  std::string s;
  for (char c : text)
    if (c != '_') s += c;
  s = Lower(s);
  double sign = 1;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') sign = -1;
    s.erase(0, 1);
  }
  if (s == ".inf") return Json(sign * std::numeric_limits<double>::infinity());
  if (s == ".nan") return Json(std::numeric_limits<double>::quiet_NaN());
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  return Json(sign * value);
}

// ruamel's construct_yaml_int for YAML 1.2: 0b, 0o, 0x prefixes; a leading
// zero is decimal (Python's int("017") == 17). Values beyond 64 bits become
// floats rather than failing.
std::optional<Json> MakeInt(const std::string& text) {
  std::string s;
  for (char c : text)
    if (c != '_') s += c;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'o' || s[1] == 'x')) {
    base = s[1] == 'b' ? 2 : s[1] == 'o' ? 8 : 16;
    s.erase(0, 2);
  }
  if (s.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ptr != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Python has big integers; a double keeps the magnitude.
    double value = 0;
    for (char c : s) {
      int digit =
          std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
      value = value * base + digit;
    }
    return Json(negative ? -value : value);
  }
  if (!negative) {
    if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return Json(static_cast<int64_t>(magnitude));
    return Json(magnitude);
  }
  if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return Json(-static_cast<int64_t>(magnitude));
  if (magnitude == static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1)
    return Json(std::numeric_limits<int64_t>::min());
  return Json(-static_cast<double>(magnitude));
}

Json ResolvePlain(const std::string& text) {
  if (std::regex_match(text, BoolRe())) return Json(text[0] == 't' || text[0] == 'T');
  if (!text.empty() && std::string_view("-+0123456789.").find(text[0]) != std::string::npos) {
    if (std::regex_match(text, FloatRe()))
      if (auto value = MakeFloat(text)) return *value;
    if (std::regex_match(text, IntRe()))
      if (auto value = MakeInt(text)) return *value;
  }
  if (std::regex_match(text, NullRe())) return Json(nullptr);
  return Json(text);
}

// A scalar with an explicit standard tag (`!!int 3`); unknown tags keep the text.
Json ResolveTagged(const std::string& tag, const std::string& text) {
  static const std::string kPrefix = "tag:yaml.org,2002:";
  if (tag.rfind(kPrefix, 0) != 0) return Json(text);
  std::string type = tag.substr(kPrefix.size());
  if (type == "bool" && std::regex_match(text, BoolRe()))
    return Json(text[0] == 't' || text[0] == 'T');
  if (type == "int")
    if (auto value = MakeInt(text)) return *value;
  if (type == "float") {
    if (auto value = MakeFloat(text)) return *value;
    if (auto value = MakeInt(text)) return Json(value->get<double>());
  }
  if (type == "null") return Json(nullptr);
  return Json(text);
}

// The key of a mapping entry as text: JSON keys are strings.
std::string KeyText(const YAML::Node& key) {
  if (key.IsScalar()) return key.Scalar();
  if (key.IsNull()) return "null";
  return YAML::Dump(key);
}

// Rejects duplicate keys, as ruamel's loader does (yaml-cpp keeps both).
void CheckDuplicates(const YAML::Node& node, const std::string& name) {
  if (node.IsMap()) {
    std::map<std::string, int> seen;
    for (const auto& kv : node) {
      std::string key = KeyText(kv.first);
      if (!seen.emplace(key, 0).second)
        ThrowData("{}:{}: duplicate key '{}'", name, kv.first.Mark().line + 1, key);
      CheckDuplicates(kv.second, name);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) CheckDuplicates(item, name);
  }
}

// ---------------------------------------------------------------- JSON, TOML

std::pair<size_t, size_t> LineColumn(const std::string& text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

Json ParseJsonText(const std::string& text, const std::string& name) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // nlohmann's message starts "[json.exception.parse_error.101] parse error
    // at line L, column C: "; keep what follows.
    std::string what = e.what();
    size_t colon = what.find(": ");
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    auto [line, column] = LineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    ThrowData("{}:{}:{}: invalid JSON: {}", name, line, column, reason);
  }
}

using TomlValue = toml::value;

std::string TomlDatetimeText(const TomlValue& value) {
  std::ostringstream out;
  switch (value.type()) {
    case toml::value_t::offset_datetime:
      out << value.as_offset_datetime();
      break;
    case toml::value_t::local_datetime:
      out << value.as_local_datetime();
      break;
    case toml::value_t::local_date:
      out << value.as_local_date();
      break;
    default:
      out << value.as_local_time();
      break;
  }
  return out.str();
}

// toml11 keeps tables in an unordered_map; the file's order (what Python's
// parsers keep) is recovered from each value's position in the source.
Json TomlToJson(const TomlValue& value) {
  switch (value.type()) {
    case toml::value_t::boolean:
      return Json(value.as_boolean());
    case toml::value_t::integer:
      return Json(static_cast<int64_t>(value.as_integer()));
    case toml::value_t::floating:
      return Json(value.as_floating());
    case toml::value_t::string:
      return Json(value.as_string().str);
    case toml::value_t::array: {
      Json out = Json::array();
      for (const TomlValue& item : value.as_array()) out.push_back(TomlToJson(item));
      return out;
    }
    case toml::value_t::table: {
      std::vector<std::pair<std::tuple<size_t, size_t, std::string>, const TomlValue*>> entries;
      for (const auto& [key, item] : value.as_table()) {
        toml::source_location loc = item.location();
        entries.push_back({{loc.line(), loc.column(), key}, &item});
      }
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      Json out = Json::object();
      for (const auto& [pos, item] : entries) out[std::get<2>(pos)] = TomlToJson(*item);
      return out;
    }
    case toml::value_t::empty:
      return Json(nullptr);
    default:
      return Json(TomlDatetimeText(value));
  }
}

Json ParseTomlText(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  try {
    return TomlToJson(toml::parse(in, name));
  } catch (const toml::syntax_error& e) {
    // toml11's message is several lines ("[error] ...", then the source
    // quoted with carets); the first line says what is wrong.
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    if (what.rfind("[error] ", 0) == 0) what.erase(0, 8);
    ThrowData("{}:{}: invalid TOML: {}", name, e.location().line(), what);
  } catch (const toml::exception& e) {
    std::string what = e.what();
    ThrowData("{}: invalid TOML: {}", name, what.substr(0, what.find('\n')));
  }
}

// ---------------------------------------------------------------- emitting YAML

// Whether ruamel's emitter (analyze_scalar) would write `s` as a plain
// scalar in block context: no leading/trailing space, no line breaks or
// special characters, no indicator at the start, no ": " or " #" inside.
bool PlainAllowed(const std::string& s) {
  if (s.empty()) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  static const std::string kLeading = "#,[]{}&*!|>'\"%@`";
  if (kLeading.find(s.front()) != std::string::npos) return false;
  auto followed_by_space = [&](size_t i) { return i + 1 >= s.size() || s[i + 1] == ' '; };
  if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && followed_by_space(0))
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;  // line breaks, tabs, control characters
    if (s[i] == ':' && followed_by_space(i)) return false;
    if (s[i] == '#' && i > 0 && s[i - 1] == ' ') return false;
  }
  return true;
}

// Whether ruamel's resolver reads plain `s` back as a string (not a bool,
// number, null, timestamp, merge key `<<` or value key `=`).
bool ResolvesAsString(const std::string& s) {
  return ResolvePlain(s).is_string() && !std::regex_match(s, TimestampRe()) && s != "<<" &&
         s != "=";
}

bool HasControlCharacters(const std::string& s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
  return false;
}

void EmitString(YAML::Emitter& emitter, const std::string& s) {
  // A plain scalar is only written when it reads back as this string; else
  // quoted as ruamel chooses: double quotes for text with a quote, a line
  // break or a control character (escaped), single quotes otherwise.
  if (PlainAllowed(s) && ResolvesAsString(s)) {
    emitter << s;
  } else if (s.find('\'') != std::string::npos || s.find('\n') != std::string::npos ||
             HasControlCharacters(s)) {
    emitter << YAML::DoubleQuoted << s;
  } else {
    emitter << YAML::SingleQuoted << s;
  }
}

// ---------------------------------------------------------------- Python repr

void AppendPythonString(std::string& out, const std::string& s) {
  // repr(str): single quotes unless the text has a ' and no ".
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += quote;
}

}  // namespace

Json ParseParamsText(const std::string& text, const std::string& name) {
  std::string lower = Lower(name);
  if (EndsWith(lower, ".json")) return ParseJsonText(text, name);
  if (EndsWith(lower, ".toml")) return ParseTomlText(text, name);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    ThrowData("{}:{}:{}: invalid YAML: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  CheckDuplicates(root, name);
  return YamlToJson(root);
}

std::optional<Json> LoadParamsFile(FileSystem& fs, const std::string& abs_path,
                                   const std::string& display) {
  FileInfo info = fs.StatFollow(abs_path);
  if (!info.exists()) return std::nullopt;
  if (info.is_dir()) ThrowData("{}: is a directory, not a parameters file", display);
  return ParseParamsText(fs.ReadFile(abs_path), display);
}

Json YamlToJson(const YAML::Node& node) {
  if (!node || node.IsNull()) return Json(nullptr);
  if (node.IsScalar()) {
    const std::string& tag = node.Tag();
    // "?" is a plain scalar as parsed, "" one built in code; "!" is quoted
    // or a block scalar (| or >), always a string.
    if (tag == "?" || tag.empty()) return ResolvePlain(node.Scalar());
    if (tag == "!") return Json(node.Scalar());
    return ResolveTagged(tag, node.Scalar());
  }
  if (node.IsSequence()) {
    Json out = Json::array();
    for (const YAML::Node& item : node) out.push_back(YamlToJson(item));
    return out;
  }
  Json out = Json::object();
  // Merge keys (`<<: *defaults`) first, so the mapping's own keys win, as
  // ruamel's SafeConstructor does.
  for (const auto& kv : node) {
    if (!(kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<")) continue;
    std::vector<YAML::Node> sources;
    if (kv.second.IsSequence()) {
      for (const YAML::Node& item : kv.second) sources.push_back(item);
    } else {
      sources.push_back(kv.second);
    }
    for (const YAML::Node& source : sources) {
      if (!source.IsMap()) continue;
      Json merged = YamlToJson(source);
      for (auto& [key, value] : merged.items())
        if (!out.contains(key)) out[key] = value;
    }
  }
  for (const auto& kv : node) {
    if (kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<") continue;
    out[KeyText(kv.first)] = YamlToJson(kv.second);
  }
  return out;
}

const Json* FindDotted(const Json& root, const std::string& dotted) {
  if (root.is_object()) {
    if (auto it = root.find(dotted); it != root.end()) return &*it;
    // Split at each dot in turn: "a.b.c" is a/b.c, then a.b/c.
    for (size_t dot = dotted.find('.'); dot != std::string::npos; dot = dotted.find('.', dot + 1)) {
      auto it = root.find(dotted.substr(0, dot));
      if (it == root.end()) continue;
      if (const Json* found = FindDotted(*it, dotted.substr(dot + 1))) return found;
    }
    return nullptr;
  }
  if (root.is_array()) {
    size_t dot = dotted.find('.');
    std::string head = dotted.substr(0, dot);
    size_t index = 0;
    auto [ptr, ec] = std::from_chars(head.data(), head.data() + head.size(), index);
    if (head.empty() || ec != std::errc() || ptr != head.data() + head.size()) return nullptr;
    if (index >= root.size()) return nullptr;
    if (dot == std::string::npos) return &root[index];
    return FindDotted(root[index], dotted.substr(dot + 1));
  }
  return nullptr;
}

std::vector<std::pair<std::string, Json>> FlattenParams(const Json& root) {
  std::vector<std::pair<std::string, Json>> out;
  if (!root.is_object()) {
    if (!root.is_null()) out.emplace_back("", root);
    return out;
  }
  // Depth first in file order; an empty mapping has no leaves (flatten_dict
  // drops it too).
  std::function<void(const std::string&, const Json&)> walk = [&](const std::string& prefix,
                                                                  const Json& node) {
    for (const auto& [key, value] : node.items()) {
      std::string path = prefix.empty() ? key : prefix + "." + key;
      if (value.is_object()) {
        walk(path, value);
      } else {
        out.emplace_back(path, value);
      }
    }
  };
  walk("", root);
  return out;
}

void EmitYamlValue(YAML::Emitter& emitter, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      emitter << YAML::LowerNull << YAML::Null;
      break;
    case Json::value_t::boolean:
      emitter << (value.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::number_integer:
      emitter << std::to_string(value.get<int64_t>());
      break;
    case Json::value_t::number_unsigned:
      emitter << std::to_string(value.get<uint64_t>());
      break;
    case Json::value_t::number_float:
      emitter << FormatYamlFloat(value.get<double>());
      break;
    case Json::value_t::string:
      EmitString(emitter, value.get<std::string>());
      break;
    case Json::value_t::array:
      if (value.empty()) {
        emitter << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      emitter << YAML::BeginSeq;
      for (const Json& item : value) EmitYamlValue(emitter, item);
      emitter << YAML::EndSeq;
      break;
    case Json::value_t::object:
      if (value.empty()) {
        emitter << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      emitter << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        emitter << YAML::Key;
        EmitString(emitter, key);
        emitter << YAML::Value;
        EmitYamlValue(emitter, item);
      }
      emitter << YAML::EndMap;
      break;
    default:
      emitter << YAML::LowerNull << YAML::Null;
      break;
  }
}

std::string FormatPythonFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits (what Python's repr uses), then Python's
  // layout: positional for exponents -4..15, else d.ddde+XX.
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, result.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
      out += digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
             digits.substr(static_cast<size_t>(exponent) + 1);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out;
}

std::string FormatYamlFloat(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  return FormatPythonFloat(value);
}

std::string PythonRepr(const Json& value) {
  std::string out;
  switch (value.type()) {
    case Json::value_t::null:
      return "None";
    case Json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case Json::value_t::number_integer:
      return std::to_string(value.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(value.get<uint64_t>());
    case Json::value_t::number_float:
      return FormatPythonFloat(value.get<double>());
    case Json::value_t::string:
      AppendPythonString(out, value.get<std::string>());
      return out;
    case Json::value_t::array:
      out = "[";
      for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + PythonRepr(value[i]);
      return out + "]";
    case Json::value_t::object: {
      out = "{";
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        AppendPythonString(out, key);
        out += ": " + PythonRepr(item);
      }
      return out + "}";
    }
    default:
      return "None";
  }
}

std::string PythonStr(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return PythonRepr(value);
}

}  // namespace leanops
