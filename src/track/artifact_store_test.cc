// Tests of the artifact stores. The behaviour every store shares runs against
// a local folder and, when a server is configured, against S3:
//   envs=$(bash ../shared/services/s3.sh start) && eval "$envs"
// Without LEANOPS_S3_ENDPOINT the S3 cases skip.
#include "track/artifact_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/file_system.h"
#include "track/api_error.h"

namespace leanops::track {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ScopedEnv(const char* name, const std::string& value) : ScopedEnv(name, value.c_str()) {}
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The API error code of what `fn` throws, or "no error".
template <typename Fn>
std::string CodeOf(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return "no error";
}

std::string Describe(const std::vector<ArtifactFile>& files) {
  std::string out;
  for (const ArtifactFile& f : files)
    out += f.path + (f.is_dir ? "/" : ":" + std::to_string(f.file_size)) + " ";
  return out;
}

// A scratch folder per test.
class ArtifactTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("leanops-artifact-test-" + std::to_string(getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A local file holding `data`.
  std::string Local(const std::string& data) {
    std::string path = (dir_ / ("local-" + std::to_string(++files_))).string();
    WriteFile(path, data);
    return path;
  }

  fs::path dir_;
  int files_ = 0;
};

// Points the AWS settings the S3 store reads at the test server.
class S3Environment {
 public:
  S3Environment()
      : endpoint_("AWS_ENDPOINT_URL", Env("LEANOPS_S3_ENDPOINT")),
        endpoint_s3_("AWS_ENDPOINT_URL_S3", nullptr),
        key_("AWS_ACCESS_KEY_ID", Env("LEANOPS_S3_ACCESS_KEY")),
        secret_("AWS_SECRET_ACCESS_KEY", Env("LEANOPS_S3_SECRET_KEY")),
        region_("AWS_DEFAULT_REGION", Env("LEANOPS_S3_REGION")),
        region2_("AWS_REGION", nullptr) {}

 private:
  ScopedEnv endpoint_, endpoint_s3_, key_, secret_, region_, region2_;
};

// A prefix no other test or run uses.
std::string UniqueS3Uri(const std::string& tag) {
  static int counter = 0;
  std::string bucket = Env("LEANOPS_S3_BUCKET").empty() ? "leanops" : Env("LEANOPS_S3_BUCKET");
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return "s3://" + bucket + "/leanops-tests/artifacts-" + tag + "-" + std::to_string(getpid()) +
         "-" + std::to_string(now) + "-" + std::to_string(++counter);
}

// ---------------------------------------------------------------------------
// What every store does, on a local folder and on S3.

class ArtifactStoreContract : public ArtifactTest, public testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ArtifactTest::SetUp();
    if (GetParam() == "s3") {
      if (Env("LEANOPS_S3_ENDPOINT").empty())
        GTEST_SKIP() << "LEANOPS_S3_ENDPOINT unset: run s3.sh start";
      s3_env_.emplace();
      std::string tag = testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(tag.begin(), tag.end(), '/', '-');
      store_ = OpenArtifactStore(UniqueS3Uri(tag));
    } else {
      store_ = OpenArtifactStore((dir_ / "root").string());
    }
  }
  void TearDown() override {
    if (store_) store_->Delete("");
    store_.reset();
    s3_env_.reset();
    ArtifactTest::TearDown();
  }

  std::string Download(const std::string& path) {
    std::string dest = (dir_ / "downloaded").string();
    store_->Download(path, dest);
    return ReadFile(dest);
  }

  std::optional<S3Environment> s3_env_;
  std::unique_ptr<ArtifactStore> store_;
};

TEST_P(ArtifactStoreContract, UploadListDownloadNested) {
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  store_->Upload(Local("params"), "params.json");
  store_->Upload(Local("weights"), "model/weights.bin");
  store_->Upload(Local(big), "model/data/big.bin");
  store_->Upload(Local(""), "model/data/empty");

  EXPECT_EQ(Describe(store_->List("")), "model/ params.json:6 ");
  EXPECT_EQ(Describe(store_->List("model")), "model/data/ model/weights.bin:7 ");
  EXPECT_EQ(Describe(store_->List("model/data")), "model/data/big.bin:300000 model/data/empty:0 ");
  // The same directory however its path is spelled.
  EXPECT_EQ(Describe(store_->List("./model//data/")), Describe(store_->List("model/data")));

  EXPECT_EQ(Download("params.json"), "params");
  EXPECT_TRUE(Download("model/data/big.bin") == big);
  EXPECT_EQ(Download("model/data/empty"), "");
  EXPECT_EQ(Download("./model//weights.bin"), "weights");
}

TEST_P(ArtifactStoreContract, UploadReplacesAndDownloadOverwrites) {
  store_->Upload(Local("first version"), "a.txt");
  store_->Upload(Local("second"), "a.txt");
  EXPECT_EQ(Describe(store_->List("")), "a.txt:6 ");
  std::string dest = (dir_ / "dest").string();
  WriteFile(dest, "old local contents that are longer");
  store_->Download("a.txt", dest);
  EXPECT_EQ(ReadFile(dest), "second");
  // Nothing but the destination is left beside it.
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_FALSE(IsTempName(entry.path().filename().string())) << entry.path();
}

TEST_P(ArtifactStoreContract, ListIsSortedByPath) {
  for (const char* name : {"b", "a0", "C", "a/x", "_", "a.txt"}) store_->Upload(Local(name), name);
  EXPECT_EQ(Describe(store_->List("")), "C:1 _:1 a/ a.txt:5 a0:2 b:1 ");
}

TEST_P(ArtifactStoreContract, MissingDirectoryListsEmpty) {
  EXPECT_TRUE(store_->List("").empty());  // nothing uploaded yet
  EXPECT_TRUE(store_->List("no/such/dir").empty());
  store_->Upload(Local("x"), "dir/file");
  EXPECT_TRUE(store_->List("nope").empty());
  EXPECT_TRUE(store_->List("di").empty());        // a prefix of a name is not a directory
  EXPECT_TRUE(store_->List("dir/file").empty());  // a file has no children
}

TEST_P(ArtifactStoreContract, DownloadOfMissingIsNotFound) {
  store_->Upload(Local("x"), "dir/file");
  std::string dest = (dir_ / "dest").string();
  for (const char* missing : {"nope", "dir/nope", "dir/file/below", "di"}) {
    try {
      store_->Download(missing, dest);
      FAIL() << missing << ": no error";
    } catch (const Error& e) {
      EXPECT_STREQ(e.code(), kNotFound) << e.what();
      EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dest)) << missing;
  }
  EXPECT_EQ(CodeOf([&] { store_->Download("dir", dest); }), kNotFound);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_FALSE(IsTempName(entry.path().filename().string())) << entry.path();
}

TEST_P(ArtifactStoreContract, DeleteFileDirectoryAndMissing) {
  store_->Upload(Local("1"), "keep.txt");
  store_->Upload(Local("2"), "model/a");
  store_->Upload(Local("3"), "model/sub/b");
  store_->Upload(Local("4"), "model/sub/deeper/c");
  store_->Upload(Local("5"), "model2/d");  // shares a prefix with "model"
  store_->Upload(Local("6"), "model.txt");

  store_->Delete("model/a");
  EXPECT_EQ(Describe(store_->List("model")), "model/sub/ ");
  store_->Delete("model");  // a directory: everything under it
  EXPECT_TRUE(store_->List("model").empty());
  EXPECT_TRUE(store_->List("model/sub").empty());
  EXPECT_EQ(Describe(store_->List("")), "keep.txt:1 model.txt:1 model2/ ");
  EXPECT_EQ(Describe(store_->List("model2")), "model2/d:1 ");

  EXPECT_NO_THROW(store_->Delete("model"));  // missing is not an error
  EXPECT_NO_THROW(store_->Delete("never/there"));
  store_->Delete("");
  EXPECT_TRUE(store_->List("").empty());
}

TEST_P(ArtifactStoreContract, TraversalIsRejectedByEveryOperation) {
  store_->Upload(Local("x"), "inside/file");
  std::string local = Local("payload"), dest = (dir_ / "dest").string();
  for (const char* path : {"..", "../x", "inside/../../x", "/etc/passwd", "a\\..\\x"}) {
    EXPECT_EQ(CodeOf([&] { store_->Upload(local, path); }), kInvalidParameter) << path;
    EXPECT_EQ(CodeOf([&] { store_->Download(path, dest); }), kInvalidParameter) << path;
    EXPECT_EQ(CodeOf([&] { store_->List(path); }), kInvalidParameter) << path;
    EXPECT_EQ(CodeOf([&] { store_->Delete(path); }), kInvalidParameter) << path;
    EXPECT_EQ(CodeOf([&] { store_->LocalPath(path); }), kInvalidParameter) << path;
  }
  EXPECT_EQ(Describe(store_->List("")), "inside/ ");
  EXPECT_EQ(Describe(store_->List("inside")), "inside/file:1 ");
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

TEST_P(ArtifactStoreContract, UploadingToTheRootIsInvalid) {
  EXPECT_EQ(CodeOf([&] { store_->Upload(Local("x"), ""); }), kInvalidParameter);
  EXPECT_EQ(CodeOf([&] { store_->Upload(Local("x"), "./"); }), kInvalidParameter);
}

INSTANTIATE_TEST_SUITE_P(Stores, ArtifactStoreContract, testing::Values("local", "s3"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// ---------------------------------------------------------------------------
// Paths and URIs.

TEST(ArtifactPathTest, Normalises) {
  EXPECT_EQ(CheckArtifactPath(""), "");
  EXPECT_EQ(CheckArtifactPath("."), "");
  EXPECT_EQ(CheckArtifactPath("./"), "");
  EXPECT_EQ(CheckArtifactPath("a"), "a");
  EXPECT_EQ(CheckArtifactPath("a//b/"), "a/b");
  EXPECT_EQ(CheckArtifactPath("./a"), "a");
  EXPECT_EQ(CheckArtifactPath("a/./b/."), "a/b");
  EXPECT_EQ(CheckArtifactPath("model/MLmodel"), "model/MLmodel");
  // Names that merely contain dots are names.
  EXPECT_EQ(CheckArtifactPath("..."), "...");
  EXPECT_EQ(CheckArtifactPath("..a/b.."), "..a/b..");
  EXPECT_EQ(CheckArtifactPath(".hidden/.x"), ".hidden/.x");
  EXPECT_EQ(CheckArtifactPath("a b/caf\xc3\xa9.txt"), "a b/caf\xc3\xa9.txt");
  // Percent escapes are not decoded here (callers decode URL paths first).
  EXPECT_EQ(CheckArtifactPath("%2e%2e/x"), "%2e%2e/x");
}

TEST(ArtifactPathTest, RejectsEveryTraversal) {
  const std::vector<std::string> bad = {
      "..",
      "../",
      "../x",
      "./..",
      "./../x",
      "a/..",
      "a/../b",
      "a/../../b",
      "a/b/../../..",
      "a//..//b",
      "a/./../../x",
      "x/../../../../etc/passwd",
      "/",
      "/etc/passwd",
      "//server/share",
      "/a/b",
      "a\\b",
      "..\\x",
      "\\\\server\\share",
      "a/..\\..\\x",
      "C:\\Windows",
      std::string("a\0b", 3),
      std::string("\0", 1),
      std::string("../\0", 4),
      std::string("ok/\0/../x", 9),
  };
  for (const std::string& path : bad) {
    try {
      CheckArtifactPath(path);
      ADD_FAILURE() << "accepted '" << path << "'";
    } catch (const Error& e) {
      EXPECT_STREQ(e.code(), kInvalidParameter) << path;
      EXPECT_EQ(e.kind(), ErrorKind::kData) << path;
      EXPECT_EQ(std::string(e.what()).find('\0'), std::string::npos);
    }
  }
}

TEST(ArtifactUriTest, Joins) {
  EXPECT_EQ(JoinArtifactUri("s3://b/p", "x/y"), "s3://b/p/x/y");
  EXPECT_EQ(JoinArtifactUri("s3://b/p/", "x"), "s3://b/p/x");
  EXPECT_EQ(JoinArtifactUri("s3://b/p", "/x"), "s3://b/p/x");
  EXPECT_EQ(JoinArtifactUri("file:///tmp/a", ""), "file:///tmp/a");
  EXPECT_EQ(JoinArtifactUri("file:///", "x"), "file:///x");
  EXPECT_EQ(JoinArtifactUri("/abs/dir", "model/MLmodel"), "/abs/dir/model/MLmodel");
  EXPECT_EQ(JoinArtifactUri("mlflow-artifacts:/1/abc/artifacts", "m"),
            "mlflow-artifacts:/1/abc/artifacts/m");
}

TEST(ArtifactUriTest, UnsupportedSchemesAreInvalidAndNamed) {
  for (const char* uri :
       {"mlflow-artifacts:/0/abc/artifacts", "mlflow-artifacts://host/0/a", "gs://bucket/x",
        "http://host/x", "hdfs:/x", "dbfs:/databricks/x", "runs:/abc/model", "s3://",
        "s3:///prefix", "file://otherhost/tmp/x", "file:///tmp/x#frag", "file:///tmp/%zz"}) {
    try {
      OpenArtifactStore(uri);
      ADD_FAILURE() << "opened '" << uri << "'";
    } catch (const Error& e) {
      EXPECT_STREQ(e.code(), kInvalidParameter) << uri;
      EXPECT_NE(std::string(e.what()).find(uri), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(CodeOf([] { OpenArtifactStore(""); }), kInvalidParameter);
}

// ---------------------------------------------------------------------------
// The local store.

using LocalArtifactStoreTest = ArtifactTest;

TEST_F(LocalArtifactStoreTest, FileUrisNameTheSameFolder) {
  std::string root = (dir_ / "my root").string();
  auto plain = OpenArtifactStore(root);
  plain->Upload(Local("data"), "m/f");
  std::string encoded = root.substr(0, root.rfind('/')) + "/my%20root";
  for (const std::string& uri :
       {"file://" + root, "file://" + encoded, "file://localhost" + root, "file:" + root + "/"}) {
    auto store = OpenArtifactStore(uri);
    EXPECT_EQ(store->Uri(), uri);
    EXPECT_EQ(Describe(store->List("m")), "m/f:4 ") << uri;
    EXPECT_EQ(store->LocalPath("m/f"), root + "/m/f") << uri;
    EXPECT_EQ(store->LocalPath(""), root) << uri;
  }
  EXPECT_EQ(ReadFile(plain->LocalPath("./m//f")), "data");
}

TEST_F(LocalArtifactStoreTest, UploadLeavesOnlyTheFinalFile) {
  auto store = OpenArtifactStore((dir_ / "root").string());
  store->Upload(Local("a"), "d/x");
  store->Upload(Local("b"), "d/x");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_ / "root" / "d"))
    names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"x"});
  EXPECT_EQ(ReadFile((dir_ / "root/d/x").string()), "b");
}

TEST_F(LocalArtifactStoreTest, InFlightUploadsAreNotListed) {
  auto store = OpenArtifactStore((dir_ / "root").string());
  store->Upload(Local("a"), "x");
  WriteFile(TempNameFor((dir_ / "root" / "y").string()), "partial");
  EXPECT_EQ(Describe(store->List("")), "x:1 ");
}

TEST_F(LocalArtifactStoreTest, FailedUploadLeavesNothing) {
  auto store = OpenArtifactStore((dir_ / "root").string());
  try {
    store->Upload((dir_ / "no-such-file").string(), "d/x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO) << e.what();
    EXPECT_NE(std::string(e.what()).find("no-such-file"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(store->List("d").empty());
  EXPECT_TRUE(fs::is_empty(dir_ / "root" / "d"));
}

TEST_F(LocalArtifactStoreTest, SymlinksListAsWhatTheyPointTo) {
  auto store = OpenArtifactStore((dir_ / "root").string());
  store->Upload(Local("target!"), "real/file");
  fs::create_directory_symlink(dir_ / "root" / "real", dir_ / "root" / "linked-dir");
  fs::create_symlink(dir_ / "root" / "real" / "file", dir_ / "root" / "linked-file");
  fs::create_symlink(dir_ / "nowhere", dir_ / "root" / "dangling");
  EXPECT_EQ(Describe(store->List("")), "linked-dir/ linked-file:7 real/ ");
}

TEST_F(LocalArtifactStoreTest, PercentEncodedNamesStayLiteralInsideTheRoot) {
  auto store = OpenArtifactStore((dir_ / "root").string());
  store->Upload(Local("x"), "%2e%2e/x");
  EXPECT_TRUE(fs::exists(dir_ / "root" / "%2e%2e" / "x"));
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

// ---------------------------------------------------------------------------
// The S3 store.

TEST(S3ArtifactStoreTest, MissingCredentialsAreNamed) {
  ScopedEnv key("AWS_ACCESS_KEY_ID", nullptr), secret("AWS_SECRET_ACCESS_KEY", nullptr);
  ScopedEnv file("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/leanops/credentials");
  ScopedEnv profile("AWS_PROFILE", nullptr);
  try {
    OpenArtifactStore("s3://bucket/prefix");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("s3://bucket/prefix"), std::string::npos) << e.what();
  }
}

class S3ArtifactStoreServerTest : public ArtifactTest {
 protected:
  void SetUp() override {
    if (Env("LEANOPS_S3_ENDPOINT").empty())
      GTEST_SKIP() << "LEANOPS_S3_ENDPOINT unset: run s3.sh start";
    ArtifactTest::SetUp();
    env_.emplace();
  }
  std::optional<S3Environment> env_;
};

// The test server (s3rver 3.7) reports a common prefix only for a "directory"
// that directly holds an object, where S3 reports every one; each directory
// listed here holds a file so the test states S3's behaviour on both.
// Disabled: listing the parent of a store opened with a trailing slash finds no
// "run1/" on the test server; open until the cause (key or listing) is found.
TEST_F(S3ArtifactStoreServerTest, NestedStoresSeeEachOther) {
  std::string parent_uri = UniqueS3Uri("nested");
  auto child = OpenArtifactStore(parent_uri + "/run1/");
  EXPECT_EQ(child->Uri(), parent_uri + "/run1/");
  EXPECT_EQ(child->LocalPath("x"), "");
  child->Upload(Local("m"), "MLmodel");
  child->Upload(Local("w"), "data/weights");
  auto parent = OpenArtifactStore(parent_uri);
  EXPECT_EQ(Describe(parent->List("")), "run1/ ");
  EXPECT_EQ(Describe(parent->List("run1")), "run1/MLmodel:1 run1/data/ ");
  EXPECT_EQ(Describe(child->List("")), "MLmodel:1 data/ ");
  // A sibling prefix that starts with the same characters is a different store.
  auto sibling = OpenArtifactStore(parent_uri + "/run");
  EXPECT_TRUE(sibling->List("").empty());
  sibling->Delete("");
  EXPECT_EQ(Describe(child->List("data")), "data/weights:1 ");
  parent->Delete("");
  EXPECT_TRUE(child->List("").empty());
}

TEST_F(S3ArtifactStoreServerTest, WrongSecretIsIOErrorWithS3Code) {
  ScopedEnv wrong("AWS_SECRET_ACCESS_KEY", "wrong-secret");
  auto store = OpenArtifactStore(UniqueS3Uri("wrong"));
  try {
    store->Upload(Local("x"), "x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO) << e.what();
    EXPECT_NE(std::string(e.what()).find("SignatureDoesNotMatch"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace leanops::track
