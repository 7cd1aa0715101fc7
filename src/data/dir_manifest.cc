#include "data/dir_manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/md5.h"

namespace leanops {
namespace {

void AppendEscapedUnit(uint32_t unit, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  char buffer[6] = {
      '\\',           'u', kHex[(unit >> 12) & 15], kHex[(unit >> 8) & 15], kHex[(unit >> 4) & 15],
      kHex[unit & 15]};
  out->append(buffer, 6);
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
size_t DecodeUtf8(const std::string& s, size_t i, uint32_t* code_point) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t length;
  uint32_t cp;
  if (c < 0x80) {
    *code_point = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    length = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *code_point = cp;
  return length;
}

}  // namespace

void AppendPythonJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t length = DecodeUtf8(s, i, &cp);
    if (length == 0) {
      // Python decodes undecodable file-name bytes with surrogateescape
      // (U+DC80..U+DCFF), which json.dumps writes as \udcXX.
      AppendEscapedUnit(0xDC00 + static_cast<unsigned char>(s[i]), out);
      ++i;
      continue;
    }
    i += length;
    switch (cp) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      case '\b':
        *out += "\\b";
        continue;
      case '\f':
        *out += "\\f";
        continue;
      default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0x10000)) {
      AppendEscapedUnit(cp, out);
    } else if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      AppendEscapedUnit(0xD800 + (v >> 10), out);
      AppendEscapedUnit(0xDC00 + (v & 0x3FF), out);
    } else {
      out->push_back(static_cast<char>(cp));
    }
  }
  out->push_back('"');
}

std::string SerializeManifest(std::vector<ManifestEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.relpath < b.relpath; });
  std::string out = "[";
  out.reserve(entries.size() * 80 + 2);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) out += ", ";
    out += "{\"md5\": ";
    AppendPythonJsonString(entries[i].md5, &out);
    out += ", \"relpath\": ";
    AppendPythonJsonString(entries[i].relpath, &out);
    out += "}";
  }
  out += "]";
  return out;
}

std::string ManifestOid(const std::string& manifest_bytes) {
  return Md5Hex(manifest_bytes) + ".dir";
}

std::vector<ManifestEntry> ParseManifest(const std::string& bytes, const std::string& what) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    ThrowData("directory manifest {} is not valid JSON: {}", what, e.what());
  }
  if (!json.is_array()) ThrowData("directory manifest {} is not a JSON list", what);
  std::vector<ManifestEntry> entries;
  entries.reserve(json.size());
  for (const auto& item : json) {
    if (!item.is_object() || !item.contains("relpath") || !item.contains("md5") ||
        !item["relpath"].is_string() || !item["md5"].is_string())
      ThrowData("directory manifest {} has an entry without string 'md5' and 'relpath'", what);
    std::string relpath = item["relpath"].get<std::string>();
    if (relpath.empty() || relpath[0] == '/' || relpath == ".." || relpath.rfind("../", 0) == 0 ||
        relpath.find("/../") != std::string::npos)
      ThrowData("directory manifest {} has an unsafe relpath '{}'", what, relpath);
    entries.push_back({relpath, item["md5"].get<std::string>()});
  }
  return entries;
}

}  // namespace leanops
