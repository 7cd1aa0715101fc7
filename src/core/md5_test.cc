// Tests of Md5 / Md5Hex / IsMd5Hex against the RFC 1321 appendix A.5 test suite.
#include "core/md5.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace leanops {
namespace {

// RFC 1321, A.5 "Test suite": MD5 ("...") = ...
const std::vector<std::pair<std::string, std::string>>& Rfc1321Vectors() {
  static const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  return vectors;
}

TEST(Md5Test, Rfc1321VectorsOneShot) {
  for (const auto& [input, expected] : Rfc1321Vectors())
    EXPECT_EQ(Md5Hex(input), expected) << "input: \"" << input << "\"";
}

TEST(Md5Test, Rfc1321VectorsIncremental) {
  for (const auto& [input, expected] : Rfc1321Vectors()) {
    Md5 md5;
    for (char c : input) md5.Update(&c, 1);
    EXPECT_EQ(md5.HexDigest(), expected) << "input: \"" << input << "\"";
  }
}

TEST(Md5Test, IncrementalEqualsOneShotForEverySplit) {
  // Long enough to span several 64-byte MD5 blocks, with binary bytes and NULs.
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>((i * 37 + 11) & 0xff));
  const std::string expected = Md5Hex(data);
  for (size_t split = 0; split <= data.size(); split += 7) {
    Md5 md5;
    md5.Update(data.data(), split);
    md5.Update(data.data() + split, data.size() - split);
    EXPECT_EQ(md5.HexDigest(), expected) << "split at " << split;
  }
  // Empty updates do not change the digest.
  Md5 md5;
  md5.Update(data.data(), 0);
  md5.Update(data.data(), data.size());
  md5.Update(data.data(), 0);
  EXPECT_EQ(md5.HexDigest(), expected);
}

TEST(Md5Test, EmbeddedNulIsHashed) {
  // python3 -c 'import hashlib;print(hashlib.md5(b"a\0b").hexdigest())'
  EXPECT_EQ(Md5Hex(std::string("a\0b", 3)), "70350f6027bce3713f6b76473084309b");
  EXPECT_NE(Md5Hex(std::string("a\0b", 3)), Md5Hex("a"));
}

TEST(Md5Test, DigestIsLowerCaseHex) {
  for (const auto& [input, expected] : Rfc1321Vectors()) {
    (void)expected;
    EXPECT_TRUE(IsMd5Hex(Md5Hex(input)));
  }
}

TEST(Md5Test, IsMd5Hex) {
  EXPECT_TRUE(IsMd5Hex("d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_TRUE(IsMd5Hex("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsMd5Hex(""));
  EXPECT_FALSE(IsMd5Hex("d41d8cd98f00b204e9800998ecf8427"));    // 31 chars
  EXPECT_FALSE(IsMd5Hex("d41d8cd98f00b204e9800998ecf8427e0"));  // 33 chars
  EXPECT_FALSE(IsMd5Hex("D41D8CD98F00B204E9800998ECF8427E"));   // upper case
  EXPECT_FALSE(IsMd5Hex("g41d8cd98f00b204e9800998ecf8427e"));   // not hex
  EXPECT_FALSE(IsMd5Hex("d41d8cd98f00b204e9800998ecf8427e.dir"));
  EXPECT_FALSE(IsMd5Hex("d41d8cd98f00b204 e9800998ecf8427e"));
  EXPECT_FALSE(IsMd5Hex(std::string("d41d8cd98f00b204e9800998ecf8427\0", 32)));
}

}  // namespace
}  // namespace leanops
