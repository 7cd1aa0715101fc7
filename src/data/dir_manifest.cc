#include "data/dir_manifest.h"

#include <algorithm>

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

namespace {

// Python sorts str by code point, and an undecodable file-name byte b is the
// code point U+DC00+b there. For valid UTF-8, byte order already equals
// code point order, so only names with invalid bytes need decoding.
std::u32string PythonSortKey(const std::string& s) {
  std::u32string key;
  key.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t length = DecodeUtf8(s, i, &cp);
    if (length == 0) {
      key.push_back(0xDC00 + static_cast<unsigned char>(s[i]));
      ++i;
    } else {
      key.push_back(cp);
      i += length;
    }
  }
  return key;
}

bool IsValidUtf8(const std::string& s) {
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    size_t length = DecodeUtf8(s, i, &cp);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void SortLikePython(std::vector<ManifestEntry>& entries) {
  bool all_valid = true;
  for (const ManifestEntry& e : entries) all_valid &= IsValidUtf8(e.relpath);
  if (all_valid) {
    std::sort(entries.begin(), entries.end(),
              [](const ManifestEntry& a, const ManifestEntry& b) { return a.relpath < b.relpath; });
    return;
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const ManifestEntry& a, const ManifestEntry& b) {
                     return PythonSortKey(a.relpath) < PythonSortKey(b.relpath);
                   });
}

// A strict reader for exactly what SerializeManifest and DVC write: a list of
// objects whose values are strings (other value types are skipped). It
// exists because general JSON parsers reject the lone surrogates (\udcXX)
// that stand for undecodable file-name bytes.
class ManifestReader {
 public:
  ManifestReader(const std::string& text, const std::string& what) : text_(text), what_(what) {}

  std::vector<ManifestEntry> Read() {
    std::vector<ManifestEntry> entries;
    if (Peek() != '[') {
      if (pos_ >= text_.size()) Fail("the object is empty");
      ThrowData("directory manifest {} is not a JSON list", what_);
    }
    Expect('[');
    if (Peek() == ']') {
      ++pos_;
    } else {
      for (;;) {
        entries.push_back(ReadEntry());
        char c = Next();
        if (c == ']') break;
        if (c != ',') Fail("expected ',' or ']'");
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) Fail("trailing data");
    return entries;
  }

 private:
  ManifestEntry ReadEntry() {
    ManifestEntry entry;
    bool has_md5 = false;
    bool has_relpath = false;
    if (Peek() != '{') Missing();
    Expect('{');
    if (Peek() == '}') Missing();
    for (;;) {
      std::string key = ReadString();
      Expect(':');
      if (key == "md5" || key == "relpath") {
        if (Peek() != '"') Missing();
        (key == "md5" ? entry.md5 : entry.relpath) = ReadString();
        (key == "md5" ? has_md5 : has_relpath) = true;
      } else {
        SkipValue();  // other keys (meta of newer DVC versions) are not needed
      }
      char c = Next();
      if (c == '}') break;
      if (c != ',') Fail("expected ',' or '}'");
    }
    if (!has_md5 || !has_relpath) Missing();
    return entry;
  }

  std::string ReadString() {
    Expect('"');
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) Fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) Fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u':
          AppendCodeUnit(&out);
          break;
        default:
          Fail("bad escape");
      }
    }
  }

  void AppendCodeUnit(std::string* out) {
    uint32_t unit = ReadHex4();
    if (unit >= 0xD800 && unit <= 0xDBFF && text_.compare(pos_, 2, "\\u") == 0) {
      size_t save = pos_;
      pos_ += 2;
      uint32_t low = ReadHex4();
      if (low >= 0xDC00 && low <= 0xDFFF) {
        AppendUtf8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), out);
        return;
      }
      pos_ = save;
    }
    if (unit >= 0xDC80 && unit <= 0xDCFF) {
      out->push_back(static_cast<char>(unit - 0xDC00));  // surrogateescape'd byte
      return;
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) Fail("unpaired surrogate");
    AppendUtf8(unit, out);
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  uint32_t ReadHex4() {
    if (pos_ + 4 > text_.size()) Fail("short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        Fail("bad \\u escape");
    }
    return v;
  }

  // Skips any JSON value: a string, number, literal, list or object.
  void SkipValue() {
    char c = Peek();
    if (c == '"') {
      ReadString();
    } else if (c == '[' || c == '{') {
      char close = c == '[' ? ']' : '}';
      ++pos_;
      if (Peek() == close) {
        ++pos_;
        return;
      }
      for (;;) {
        if (close == '}') {
          ReadString();
          Expect(':');
        }
        SkipValue();
        char n = Next();
        if (n == close) return;
        if (n != ',') Fail("expected ','");
      }
    } else {
      size_t start = pos_;
      while (pos_ < text_.size() &&
             std::string_view("+-.0123456789eEtruefalsn").find(text_[pos_]) !=
                 std::string_view::npos)
        ++pos_;
      if (pos_ == start) Fail("unexpected character");
    }
  }

  [[noreturn]] void Missing() {
    ThrowData("directory manifest {} has an entry without string 'md5' and 'relpath'", what_);
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  char Next() {
    char c = Peek();
    if (pos_ < text_.size()) ++pos_;
    return c;
  }
  void Expect(char c) {
    if (Next() != c) Fail(std::string("expected '") + c + "'");
  }
  [[noreturn]] void Fail(const std::string& why) {
    ThrowData("directory manifest {} is not valid JSON at byte {}: {}", what_, pos_, why);
  }

  const std::string& text_;
  const std::string& what_;
  size_t pos_ = 0;
};

}  // namespace

std::string SerializeManifest(std::vector<ManifestEntry> entries) {
  SortLikePython(entries);
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
  std::vector<ManifestEntry> entries = ManifestReader(bytes, what).Read();
  for (const ManifestEntry& e : entries) {
    const std::string& relpath = e.relpath;
    bool unsafe = relpath.empty() || relpath[0] == '/' || relpath == ".." ||
                  relpath.rfind("../", 0) == 0 || relpath.find("/../") != std::string::npos ||
                  relpath.ends_with("/..");
    if (unsafe) ThrowData("directory manifest {} has an unsafe relpath '{}'", what, relpath);
  }
  return entries;
}

}  // namespace leanops
