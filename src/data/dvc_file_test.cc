// Tests of .dvc pointer files: parsing DVC 2/3 layouts and writing DVC 3's
// exact bytes (key order of dvc/output.py Output.dumpd: md5, size, nfiles,
// isexec, hash, path, then annotations).
#include "data/dvc_file.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace leanops {
namespace {

// What `dvc add foo` (foo = "foo") writes with DVC 3.
constexpr char kFilePointer[] =
    "outs:\n"
    "- md5: acbd18db4cc2f85cedef654fccc4a4d8\n"
    "  size: 3\n"
    "  hash: md5\n"
    "  path: foo\n";

constexpr char kDirPointer[] =
    "outs:\n"
    "- md5: de4884381af07967f33318b31ba17f7f.dir\n"
    "  size: 9\n"
    "  nfiles: 3\n"
    "  hash: md5\n"
    "  path: data\n";

TEST(DvcFileTest, ParsesFilePointer) {
  DvcFile file = ParseDvcFile(kFilePointer, "/r/foo.dvc");
  EXPECT_EQ(file.path, "/r/foo.dvc");
  ASSERT_EQ(file.outs.size(), 1u);
  const DvcOut& out = file.outs[0];
  EXPECT_EQ(out.path, "foo");
  EXPECT_EQ(out.md5, "acbd18db4cc2f85cedef654fccc4a4d8");
  EXPECT_EQ(out.size, 3u);
  EXPECT_EQ(out.nfiles, std::nullopt);
  EXPECT_FALSE(out.isexec);
  EXPECT_FALSE(out.legacy_hash);
  EXPECT_TRUE(out.cache);
  EXPECT_FALSE(out.is_dir());
  EXPECT_EQ(out.extra.size(), 0u);
  EXPECT_EQ(file.extra.size(), 0u);
}

TEST(DvcFileTest, ParsesDirPointer) {
  DvcFile file = ParseDvcFile(kDirPointer, "/r/data.dvc");
  ASSERT_EQ(file.outs.size(), 1u);
  EXPECT_TRUE(file.outs[0].is_dir());
  EXPECT_EQ(file.outs[0].md5, "de4884381af07967f33318b31ba17f7f.dir");
  EXPECT_EQ(file.outs[0].size, 9u);
  EXPECT_EQ(file.outs[0].nfiles, 3u);
}

TEST(DvcFileTest, Md5IsLowerCasedAndEmptyMd5IsNull) {
  DvcFile file = ParseDvcFile(
      "outs:\n- md5: ACBD18DB4CC2F85CEDEF654FCCC4A4D8\n  path: a\n- md5:\n  path: b\n", "x.dvc");
  ASSERT_EQ(file.outs.size(), 2u);
  EXPECT_EQ(file.outs[0].md5, "acbd18db4cc2f85cedef654fccc4a4d8");
  EXPECT_EQ(file.outs[1].md5, "");
}

TEST(DvcFileTest, SerializeFileAndDirExactly) {
  EXPECT_EQ(SerializeDvcFile(ParseDvcFile(kFilePointer, "foo.dvc")), kFilePointer);
  EXPECT_EQ(SerializeDvcFile(ParseDvcFile(kDirPointer, "data.dvc")), kDirPointer);

  // Built from scratch, the same bytes.
  DvcFile file;
  file.path = "foo.dvc";
  DvcOut out;
  out.path = "foo";
  out.md5 = "acbd18db4cc2f85cedef654fccc4a4d8";
  out.size = 3;
  file.outs.push_back(out);
  EXPECT_EQ(SerializeDvcFile(file), kFilePointer);
}

TEST(DvcFileTest, SerializeIsexecAndEmptyFile) {
  DvcFile file;
  file.path = "run.sh.dvc";
  DvcOut out;
  out.path = "run.sh";
  out.md5 = "d41d8cd98f00b204e9800998ecf8427e";  // md5 of ""
  out.size = 0;
  out.isexec = true;
  file.outs.push_back(out);
  const std::string expected =
      "outs:\n"
      "- md5: d41d8cd98f00b204e9800998ecf8427e\n"
      "  size: 0\n"
      "  isexec: true\n"
      "  hash: md5\n"
      "  path: run.sh\n";
  EXPECT_EQ(SerializeDvcFile(file), expected);
  DvcFile back = ParseDvcFile(expected, "run.sh.dvc");
  EXPECT_TRUE(back.outs[0].isexec);
  EXPECT_EQ(back.outs[0].size, 0u);
}

TEST(DvcFileTest, LegacyEntryStaysLegacy) {
  // DVC 2.x: no `hash: md5` (md5-dos2unix).
  const std::string legacy =
      "outs:\n"
      "- md5: acbd18db4cc2f85cedef654fccc4a4d8\n"
      "  size: 3\n"
      "  path: foo\n";
  DvcFile file = ParseDvcFile(legacy, "foo.dvc");
  EXPECT_TRUE(file.outs[0].legacy_hash);
  EXPECT_EQ(SerializeDvcFile(file), legacy);
}

TEST(DvcFileTest, UnknownKeysSurviveRoundTrip) {
  const std::string text =
      "outs:\n"
      "- md5: acbd18db4cc2f85cedef654fccc4a4d8\n"
      "  size: 3\n"
      "  hash: md5\n"
      "  path: foo\n"
      "  desc: training images\n"
      "  cache: false\n"
      "  meta:\n"
      "    owner: ana\n"
      "    tags: [a, b]\n"
      "frozen: true\n";
  DvcFile file = ParseDvcFile(text, "foo.dvc");
  const DvcOut& out = file.outs[0];
  EXPECT_FALSE(out.cache);
  EXPECT_EQ(out.extra["desc"].as<std::string>(), "training images");
  EXPECT_EQ(out.extra["meta"]["owner"].as<std::string>(), "ana");
  EXPECT_EQ(file.extra["frozen"].as<bool>(), true);

  std::string written = SerializeDvcFile(file);
  // The known keys come first, byte for byte, and the extras after `path`.
  EXPECT_EQ(written.rfind("outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n"
                          "  path: foo\n",
                          0),
            0u)
      << written;
  DvcFile back = ParseDvcFile(written, "foo.dvc");
  ASSERT_EQ(back.outs.size(), 1u);
  EXPECT_FALSE(back.outs[0].cache);
  EXPECT_EQ(back.outs[0].md5, out.md5);
  EXPECT_EQ(back.outs[0].extra["desc"].as<std::string>(), "training images");
  EXPECT_EQ(back.outs[0].extra["cache"].as<bool>(), false);
  EXPECT_EQ(back.outs[0].extra["meta"]["owner"].as<std::string>(), "ana");
  ASSERT_TRUE(back.outs[0].extra["meta"]["tags"].IsSequence());
  EXPECT_EQ(back.outs[0].extra["meta"]["tags"][1].as<std::string>(), "b");
  EXPECT_EQ(back.extra["frozen"].as<bool>(), true);
  // Writing again changes nothing.
  EXPECT_EQ(SerializeDvcFile(back), written);
}

TEST(DvcFileTest, PathNeedingQuotesIsQuotedAndReadBack) {
  DvcFile file;
  file.path = "x.dvc";
  DvcOut out;
  out.path = "my data: #1";
  out.md5 = "acbd18db4cc2f85cedef654fccc4a4d8";
  out.size = 3;
  file.outs.push_back(out);
  DvcFile back = ParseDvcFile(SerializeDvcFile(file), "x.dvc");
  EXPECT_EQ(back.outs[0].path, "my data: #1");
}

void ExpectError(const std::string& text, const std::string& fragment) {
  try {
    ParseDvcFile(text, "/repo/sub/foo.dvc");
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(DvcFileTest, MalformedYamlNamesPathAndLine) {
  ExpectError("outs:\n- md5: abc\n  path: [unclosed\n", "/repo/sub/foo.dvc:");
  // A sequence item where a mapping key is expected, on line 4.
  ExpectError("outs:\n- md5: abc\n  path: foo\n  - stray\n", "/repo/sub/foo.dvc:4:");
  // A tab may not indent YAML; line 2.
  ExpectError("outs:\n\t- path: foo\n", "/repo/sub/foo.dvc:2:");
}

TEST(DvcFileTest, FieldErrors) {
  ExpectError("outs:\n- md5: abc\n  size: 3\n",
              "/repo/sub/foo.dvc:2: an entry of 'outs' has no 'path'");
  ExpectError("outs:\n- md5: abc\n  size: three\n  path: foo\n",
              "/repo/sub/foo.dvc:3: 'size' must be a non-negative integer");
  ExpectError("outs:\n- path: foo\n  size: -1\n", "/repo/sub/foo.dvc:3: 'size'");
  ExpectError("outs:\n- path: foo\n  nfiles: [1]\n", "/repo/sub/foo.dvc:3: 'nfiles'");
  ExpectError("outs:\n- path: foo\n  isexec: maybe\n", "/repo/sub/foo.dvc:3: 'isexec'");
  ExpectError("outs:\n- path: foo\n  hash: sha256\n", "unsupported hash 'sha256'");
  ExpectError("outs:\n- path: [a, b]\n", "'path' must be a string");
  ExpectError("outs: foo\n", "'outs' must be a list");
  ExpectError("outs:\n- just a string\n", "must be a mapping");
  ExpectError("- a\n- b\n", "/repo/sub/foo.dvc:1: expected a mapping");
  ExpectError("outs: []\n", "no 'outs' entries");
  ExpectError("", "/repo/sub/foo.dvc:1");
}

TEST(DvcFileTest, AbsolutePathsAreRejected) {
  ExpectError("outs:\n- path: /etc/passwd\n", "is absolute");
}

// DVC writes "../data" for a pointer kept elsewhere (dvc add --file); it
// parses, and Repo::LoadPointer checks it resolves inside the repository.
TEST(DvcFileTest, ParentRelativePathParses) {
  DvcFile file = ParseDvcFile("outs:\n- path: ../data\n", "/repo/sub/foo.dvc");
  EXPECT_EQ(file.outs[0].path, "../data");
}

// A non-scalar `hash:` is a data error naming file and line, not an internal one.
TEST(DvcFileTest, NonScalarHashIsDataError) {
  ExpectError("outs:\n- path: foo\n  hash: [md5]\n", "/repo/sub/foo.dvc:3");
}

}  // namespace
}  // namespace leanops
