// Tests of the ConfigObj-style INI reader/writer and the merged repo config.
#include "data/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

// What `dvc remote add -d storage s3://b/p` plus a few edits leave behind.
constexpr char kDvcConfig[] =
    "# written by dvc\n"
    "[core]\n"
    "    remote = storage\n"
    "    autostage = true\n"
    "\n"
    "['remote \"storage\"']\n"
    "    url = s3://b/p\n"
    "    ; a comment\n"
    "\tjobs=16\n"
    "[cache]\n"
    "    type = reflink,copy\n";

TEST(IniFileTest, ParsesDvcConfig) {
  IniFile ini = IniFile::Parse(kDvcConfig, "config");
  ASSERT_EQ(ini.sections().size(), 3u);
  EXPECT_EQ(ini.sections()[0].name, "core");
  EXPECT_EQ(ini.sections()[1].name, "remote \"storage\"");
  EXPECT_EQ(ini.sections()[2].name, "cache");
  EXPECT_EQ(ini.Get("core", "remote"), "storage");
  EXPECT_EQ(ini.Get("core", "autostage"), "true");
  EXPECT_EQ(ini.Get("remote \"storage\"", "url"), "s3://b/p");
  EXPECT_EQ(ini.Get("remote \"storage\"", "jobs"), "16");
  EXPECT_EQ(ini.Get("cache", "type"), "reflink,copy");
  EXPECT_EQ(ini.Get("cache", "missing"), std::nullopt);
  EXPECT_EQ(ini.Get("nosuch", "url"), std::nullopt);
  EXPECT_TRUE(ini.HasSection("remote \"storage\""));
  EXPECT_FALSE(ini.HasSection("remote \"other\""));
}

TEST(IniFileTest, ParsesQuotedHeadersAndValuesAndCrLf) {
  IniFile ini = IniFile::Parse(
      "[\"my section\"]\r\n    a = \"x # y\"\r\n    b = 'q'\r\n[plain]\n    c=d", "f");
  EXPECT_EQ(ini.Get("my section", "a"), "x # y");
  EXPECT_EQ(ini.Get("my section", "b"), "q");
  EXPECT_EQ(ini.Get("plain", "c"), "d");  // last line without a newline
}

TEST(IniFileTest, EmptyTextHasNoSections) {
  EXPECT_TRUE(IniFile::Parse("", "f").sections().empty());
  EXPECT_TRUE(IniFile::Parse("\n# only a comment\n", "f").sections().empty());
}

TEST(IniFileTest, SerializeUsesConfigObjLayout) {
  IniFile ini;
  ini.Set("core", "remote", "storage");
  ini.Set("remote \"storage\"", "url", "s3://b/p");
  EXPECT_EQ(ini.Serialize(),
            "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://b/p\n");
}

// DVC saves plain sections first and named ones ('remote "x"') last.
TEST(IniFileTest, SerializeParseRoundTrip) {
  IniFile ini = IniFile::Parse(kDvcConfig, "config");
  std::string text = ini.Serialize();
  EXPECT_EQ(text,
            "[core]\n    remote = storage\n    autostage = true\n"
            "[cache]\n    type = reflink,copy\n"
            "['remote \"storage\"']\n    url = s3://b/p\n    jobs = 16\n");
  EXPECT_EQ(IniFile::Parse(text, "again").Serialize(), text);
}

TEST(IniFileTest, SetUnsetRemoveSection) {
  IniFile ini = IniFile::Parse(kDvcConfig, "config");
  ini.Set("core", "remote", "other");  // replaces in place, keeping order
  ini.Set("core", "no_scm", "True");   // appends
  ini.Set("new", "k", "v");            // new section at the end
  EXPECT_EQ(ini.Get("core", "remote"), "other");
  ASSERT_EQ(ini.sections()[0].entries.size(), 3u);
  EXPECT_EQ(ini.sections()[0].entries[0].first, "remote");
  EXPECT_EQ(ini.sections()[0].entries[2].first, "no_scm");
  EXPECT_EQ(ini.sections().back().name, "new");

  EXPECT_TRUE(ini.Unset("core", "autostage"));
  EXPECT_FALSE(ini.Unset("core", "autostage"));
  EXPECT_FALSE(ini.Unset("nosuch", "x"));
  EXPECT_EQ(ini.Get("core", "autostage"), std::nullopt);

  // Unsetting the last key removes the section.
  EXPECT_TRUE(ini.Unset("cache", "type"));
  EXPECT_FALSE(ini.HasSection("cache"));

  ini.RemoveSection("remote \"storage\"");
  EXPECT_FALSE(ini.HasSection("remote \"storage\""));
  ini.RemoveSection("never there");  // no-op
  EXPECT_EQ(ini.Serialize(), "[core]\n    remote = other\n    no_scm = True\n[new]\n    k = v\n");
}

TEST(IniFileTest, ValuesNeedingQuotesAreQuoted) {
  IniFile ini;
  ini.Set("s", "hash", "a#b");
  ini.Set("s", "empty", "");
  std::string text = ini.Serialize();
  EXPECT_EQ(text, "[s]\n    hash = \"a#b\"\n    empty = \"\"\n");
  IniFile back = IniFile::Parse(text, "f");
  EXPECT_EQ(back.Get("s", "hash"), "a#b");
  EXPECT_EQ(back.Get("s", "empty"), "");
}

void ExpectParseError(const std::string& text, const std::string& location) {
  try {
    IniFile::Parse(text, "/repo/.dvc/config");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("/repo/.dvc/config:" + location), std::string::npos)
        << e.what();
  }
}

TEST(IniFileTest, MalformedLinesNameFileAndLine) {
  ExpectParseError("[core\n", "1");
  ExpectParseError("[core]\n    remote = x\n    no equals sign\n", "3");
  ExpectParseError("key = value\n", "1");          // outside any section
  ExpectParseError("# c\n\n[]\n", "3");            // empty name
  ExpectParseError("[core]\n    = value\n", "2");  // empty key
}

// ---- RepoConfig ---------------------------------------------------------

class RepoConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() /
           ("leanops-config-test-" + std::to_string(getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
  }
  void TearDown() override { stdfs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  RepoConfig Load() { return RepoConfig::Load(RealFs(), dir_.string()); }
  stdfs::path dir_;
};

TEST_F(RepoConfigTest, MissingFilesGiveDefaults) {
  RepoConfig config = Load();
  EXPECT_EQ(config.CacheLinkTypes(), std::vector<LinkType>{LinkType::kCopy});
  EXPECT_EQ(config.CacheDir(), dir_.string() + "/cache");
  EXPECT_EQ(config.DefaultRemote(), std::nullopt);
  EXPECT_TRUE(config.RemoteNames().empty());
}

TEST_F(RepoConfigTest, LocalOverridesRepoKeyByKey) {
  Write("config",
        "[core]\n    remote = a\n['remote \"a\"']\n    url = /repo-a\n    jobs = 4\n"
        "[cache]\n    dir = ../mycache\n");
  Write("config.local", "['remote \"a\"']\n    url = /local-a\n['remote \"b\"']\n    url = rel\n");
  RepoConfig config = Load();
  RemoteConfig a = config.Remote("a");
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.url, "/local-a");
  EXPECT_EQ(a.options.at("jobs"), "4");  // not overridden, still from config
  EXPECT_EQ(config.Get("core", "remote"), "a");
  EXPECT_EQ(config.RemoteNames(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(config.CacheDir(), dir_.string() + "/../mycache");
}

TEST_F(RepoConfigTest, CacheLinkTypes) {
  Write("config", "[cache]\n    type = reflink,copy\n");
  EXPECT_EQ(Load().CacheLinkTypes(), (std::vector<LinkType>{LinkType::kReflink, LinkType::kCopy}));
  Write("config", "[cache]\n    type = \"hardlink, symlink\"\n");
  EXPECT_EQ(Load().CacheLinkTypes(),
            (std::vector<LinkType>{LinkType::kHardlink, LinkType::kSymlink}));
  Write("config", "[cache]\n    type = reflink,floppy\n");
  try {
    Load().CacheLinkTypes();
    ADD_FAILURE() << "no error for cache.type floppy";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("floppy"), std::string::npos) << e.what();
  }
}

TEST_F(RepoConfigTest, EmptyRemoteNameUsesCoreRemote) {
  Write("config",
        "[core]\n    remote = second\n['remote \"first\"']\n    url = /one\n"
        "['remote \"second\"']\n    url = /two\n");
  RepoConfig config = Load();
  EXPECT_EQ(config.DefaultRemote(), "second");
  EXPECT_EQ(config.Remote("").url, "/two");
  EXPECT_EQ(config.Remote("first").url, "/one");
}

TEST_F(RepoConfigTest, RemoteErrors) {
  Write("config", "['remote \"alpha\"']\n    url = /a\n['remote \"beta\"']\n    url = /b\n");
  RepoConfig config = Load();
  try {
    config.Remote("gamma");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    std::string message = e.what();
    EXPECT_NE(message.find("gamma"), std::string::npos) << message;
    EXPECT_NE(message.find("alpha, beta"), std::string::npos) << message;
  }
  // No default remote.
  EXPECT_THROW(config.Remote(""), Error);
  // A remote without url.
  Write("config", "['remote \"nourl\"']\n    jobs = 2\n");
  EXPECT_THROW(Load().Remote("nourl"), Error);
}

TEST_F(RepoConfigTest, MalformedFileErrorNamesPathAndLine) {
  Write("config.local", "[core]\n    oops\n");
  try {
    Load();
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find(dir_.string() + "/config.local:2"), std::string::npos)
        << e.what();
  }
}

TEST_F(RepoConfigTest, SaveWritesLevelAtomically) {
  RepoConfig config = Load();
  config.Level(ConfigLevel::kRepo).Set(RepoConfig::RemoteSection("r"), "url", "/data/r");
  config.Level(ConfigLevel::kRepo).Set("core", "remote", "r");
  config.Save(ConfigLevel::kRepo);
  config.Level(ConfigLevel::kLocal).Set(RepoConfig::RemoteSection("r"), "url", "/secret");
  config.Save(ConfigLevel::kLocal);
  std::ifstream in(dir_ / "config");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "[core]\n    remote = r\n['remote \"r\"']\n    url = /data/r\n");
  RepoConfig reloaded = Load();
  EXPECT_EQ(reloaded.Remote("").url, "/secret");
  for (const auto& entry : stdfs::directory_iterator(dir_))
    EXPECT_FALSE(IsTempName(entry.path().filename().string())) << entry.path();
}

}  // namespace
}  // namespace leanops
