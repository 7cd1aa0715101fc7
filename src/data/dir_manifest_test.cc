// Tests that directory manifests are byte-identical to what DVC writes with
//   json.dumps(sorted(entries, key=relpath), sort_keys=True)
// Every expected string below was written by hand following those rules and
// checked with python3 (see the command in each comment).
#include "data/dir_manifest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace leanops {
namespace {

// md5 of "foo", "bar", "abc", "" (RFC 1321 / `printf %s foo | md5sum`).
constexpr char kFoo[] = "acbd18db4cc2f85cedef654fccc4a4d8";
constexpr char kBar[] = "37b51d194a7513e45b56f6524f2d51f2";
constexpr char kAbc[] = "900150983cd24fb0d6963f7d28e17f72";
constexpr char kEmpty[] = "d41d8cd98f00b204e9800998ecf8427e";

std::string Json(const std::string& s) {
  std::string out;
  AppendPythonJsonString(s, &out);
  return out;
}

TEST(DirManifestTest, SortsByRelpathWithPythonSeparators) {
  // Input deliberately unsorted; "a.txt" < "a/x.txt" because '.' (0x2e) < '/' (0x2f).
  std::string bytes = SerializeManifest({{"b.txt", kBar}, {"a/x.txt", kFoo}, {"a.txt", kAbc}});
  EXPECT_EQ(bytes,
            "[{\"md5\": \"900150983cd24fb0d6963f7d28e17f72\", \"relpath\": \"a.txt\"}, "
            "{\"md5\": \"acbd18db4cc2f85cedef654fccc4a4d8\", \"relpath\": \"a/x.txt\"}, "
            "{\"md5\": \"37b51d194a7513e45b56f6524f2d51f2\", \"relpath\": \"b.txt\"}]");
  // python3: hashlib.md5(json.dumps(sorted(entries, key=...), sort_keys=True).encode())
  EXPECT_EQ(ManifestOid(bytes), "de4884381af07967f33318b31ba17f7f.dir");
}

TEST(DirManifestTest, EmptyManifest) {
  EXPECT_EQ(SerializeManifest({}), "[]");
  // python3 -c 'import hashlib;print(hashlib.md5(b"[]").hexdigest())'
  EXPECT_EQ(ManifestOid("[]"), "d751713988987e9331980363e24189ce.dir");
}

TEST(DirManifestTest, SingleEntryMatchesHeaderExample) {
  EXPECT_EQ(SerializeManifest({{"a/b.txt", kFoo}}),
            "[{\"md5\": \"acbd18db4cc2f85cedef654fccc4a4d8\", \"relpath\": \"a/b.txt\"}]");
}

TEST(DirManifestTest, NonAsciiIsEscapedLowerCaseWithSurrogatePairs) {
  // "café/😀.txt": é = U+00E9, 😀 = U+1F600 = \ud83d\ude00 in UTF-16.
  // python3: json.dumps([{"md5": ..., "relpath": "caf\u00e9/\U0001F600.txt"}], sort_keys=True)
  EXPECT_EQ(SerializeManifest({{"caf\xc3\xa9/\xf0\x9f\x98\x80.txt", kEmpty}}),
            "[{\"md5\": \"d41d8cd98f00b204e9800998ecf8427e\", "
            "\"relpath\": \"caf\\u00e9/\\ud83d\\ude00.txt\"}]");
  // U+4E2D (3-byte UTF-8) and U+FFFD.
  EXPECT_EQ(Json("\xe4\xb8\xad\xef\xbf\xbd"), "\"\\u4e2d\\ufffd\"");
}

TEST(DirManifestTest, EscapesQuotesBackslashAndControlCharacters) {
  // python3: json.dumps("q\"b\\c\n\t\x01\x7f") == '"q\\"b\\\\c\\n\\t\\u0001\\u007f"'
  EXPECT_EQ(Json("q\"b\\c\n\t\x01\x7f"), "\"q\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
  EXPECT_EQ(Json("\r\b\f\x1f"), "\"\\r\\b\\f\\u001f\"");
  // '/' is not escaped by Python's json.
  EXPECT_EQ(Json("a/b"), "\"a/b\"");
  EXPECT_EQ(Json(""), "\"\"");
}

TEST(DirManifestTest, InvalidUtf8BytesBecomeSurrogateEscapes) {
  // os.fsdecode(b"bad\xffname") == "bad\udcffname"; json.dumps writes "\udcff".
  EXPECT_EQ(SerializeManifest({{"bad\xffname", kEmpty}}),
            "[{\"md5\": \"d41d8cd98f00b204e9800998ecf8427e\", \"relpath\": \"bad\\udcffname\"}]");
  // A lone continuation byte, a truncated sequence, an overlong encoding and
  // an encoded surrogate are each undecodable byte by byte.
  EXPECT_EQ(Json("\x80"), "\"\\udc80\"");
  EXPECT_EQ(Json("\xc3"), "\"\\udcc3\"");
  EXPECT_EQ(Json("\xc0\xaf"), "\"\\udcc0\\udcaf\"");
  EXPECT_EQ(Json("\xed\xa0\x80"), "\"\\udced\\udca0\\udc80\"");
}

// DVC sorts relpaths as Python str (code points, with undecodable bytes as
// U+DC80..U+DCFF), which differs from UTF-8 byte order when a name holds an
// undecodable byte and another a character >= U+0800:
//   python3: sorted(map(os.fsdecode, [b"\xe4\xb8\xad.txt", b"\x80.txt"]))
//            == ["\u4e2d.txt", "\udc80.txt"]   (bytes order is the reverse)
//   md5 of the json.dumps(...) of that order: b5462f968a2631076892dfd391b7c29a
TEST(DirManifestTest, SortMatchesPythonWithUndecodableBytes) {
  std::string bytes = SerializeManifest({{"\xe4\xb8\xad.txt", kEmpty}, {"\x80.txt", kEmpty}});
  EXPECT_EQ(bytes,
            "[{\"md5\": \"d41d8cd98f00b204e9800998ecf8427e\", \"relpath\": \"\\u4e2d.txt\"}, "
            "{\"md5\": \"d41d8cd98f00b204e9800998ecf8427e\", \"relpath\": \"\\udc80.txt\"}]");
  EXPECT_EQ(ManifestOid(bytes), "b5462f968a2631076892dfd391b7c29a.dir");
}

TEST(DirManifestTest, ManifestOidIsMd5OfBytesPlusDir) {
  // python3 -c 'import hashlib;print(hashlib.md5(b"abc").hexdigest())'
  EXPECT_EQ(ManifestOid("abc"), std::string(kAbc) + ".dir");
}

TEST(DirManifestTest, ParseRoundTrip) {
  std::vector<ManifestEntry> entries = {{"z", kFoo},
                                        {"a/b/c.txt", kBar},
                                        {"caf\xc3\xa9/\xf0\x9f\x98\x80", kAbc},
                                        {"q\"b\\c\n\t\x01", kEmpty}};
  std::string bytes = SerializeManifest(entries);
  std::vector<ManifestEntry> parsed = ParseManifest(bytes, "test");
  ASSERT_EQ(parsed.size(), 4u);
  // Parsed in the serialised (sorted) order.
  EXPECT_EQ(parsed[0].relpath, "a/b/c.txt");
  EXPECT_EQ(parsed[0].md5, kBar);
  EXPECT_EQ(parsed[1].relpath, "caf\xc3\xa9/\xf0\x9f\x98\x80");
  EXPECT_EQ(parsed[1].md5, kAbc);
  EXPECT_EQ(parsed[2].relpath, "q\"b\\c\n\t\x01");
  EXPECT_EQ(parsed[3].relpath, "z");
  EXPECT_EQ(SerializeManifest(parsed), bytes);
}

TEST(DirManifestTest, ParseAcceptsExtraKeysAndOtherWhitespace) {
  // DVC with_meta manifests may carry more keys; compact JSON is valid too.
  std::vector<ManifestEntry> parsed = ParseManifest(
      "[{\"md5\":\"acbd18db4cc2f85cedef654fccc4a4d8\",\"relpath\":\"x\",\"size\":3}]", "t");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].relpath, "x");
  EXPECT_EQ(parsed[0].md5, kFoo);
  EXPECT_TRUE(ParseManifest("[]", "t").empty());
}

// A manifest DVC (or SerializeManifest) wrote for a non-UTF-8 file name holds
// "\udcff", a lone surrogate that general JSON parsers refuse; it must read
// back as the original byte.
TEST(DirManifestTest, ParseSurrogateEscapedName) {
  std::string bytes = SerializeManifest({{"bad\xffname", kEmpty}});
  std::vector<ManifestEntry> parsed = ParseManifest(bytes, "test");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].relpath, "bad\xffname");
}

void ExpectDataError(const std::string& bytes, const std::string& fragment) {
  try {
    ParseManifest(bytes, "obj123.dir");
    ADD_FAILURE() << "no error for: " << bytes;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData) << bytes;
    std::string message = e.what();
    EXPECT_NE(message.find("obj123.dir"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(DirManifestTest, ParseErrors) {
  ExpectDataError("{\"md5\": \"x\", \"relpath\": \"y\"}", "not a JSON list");
  ExpectDataError("\"just a string\"", "not a JSON list");
  ExpectDataError("[{\"md5\": \"x\"", "not valid JSON");
  ExpectDataError("", "not valid JSON");
  ExpectDataError("[1]", "without string");
  ExpectDataError("[{\"relpath\": \"a\"}]", "without string");
  ExpectDataError("[{\"md5\": 5, \"relpath\": \"a\"}]", "without string");
}

TEST(DirManifestTest, ParseRejectsUnsafeRelpaths) {
  for (const char* relpath : {"../x", "..", "/etc/passwd", "a/../../x", ""}) {
    std::string bytes =
        "[{\"md5\": \"" + std::string(kFoo) + "\", \"relpath\": " + Json(relpath) + "}]";
    ExpectDataError(bytes, relpath[0] ? "unsafe relpath" : "");
  }
}

}  // namespace
}  // namespace leanops
