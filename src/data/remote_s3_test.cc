// Tests of the S3 remote against a real S3 server with strict SigV4 checks:
//   envs=$(bash ../shared/services/s3.sh start) && eval "$envs"
// Without LEANOPS_S3_ENDPOINT the server tests skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/md5.h"
#include "core/parallel.h"
#include "data/remote.h"

namespace leanops {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Counts sleeps instead of sleeping, so retry tests run instantly.
class FakeClock : public Clock {
 public:
  int64_t NowMs() override { return now_ms; }
  void SleepMs(int64_t ms) override {
    sleeps.push_back(ms);
    now_ms += ms;
  }
  int64_t now_ms = 0;
  std::vector<int64_t> sleeps;
};

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
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

class S3RemoteTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("leanops-s3-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Skips the test unless a server is configured.
  bool HaveServer() {
    if (Env("LEANOPS_S3_ENDPOINT").empty()) return false;
    return true;
  }

  // A config for a prefix of its own, so tests never see each other's objects.
  RemoteConfig Config(const std::string& prefix_override = "unique") {
    static int counter = 0;
    std::string prefix = prefix_override;
    if (prefix == "unique") {
      auto now = std::chrono::system_clock::now().time_since_epoch().count();
      prefix = "leanops-tests/" +
               std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
               std::to_string(getpid()) + "-" + std::to_string(now) + "-" +
               std::to_string(++counter);
    }
    std::string bucket = Env("LEANOPS_S3_BUCKET").empty() ? "leanops" : Env("LEANOPS_S3_BUCKET");
    RemoteConfig config;
    config.name = "s3test";
    config.url = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
    config.options = {{"endpointurl", Env("LEANOPS_S3_ENDPOINT")},
                      {"access_key_id", Env("LEANOPS_S3_ACCESS_KEY")},
                      {"secret_access_key", Env("LEANOPS_S3_SECRET_KEY")},
                      {"region", Env("LEANOPS_S3_REGION")}};
    return config;
  }

  // Writes `data` to a local file and returns its oid (the md5, as DVC).
  std::string Put(Remote& remote, const std::string& data, const std::string& suffix = "") {
    std::string oid = Md5Hex(data) + suffix;
    std::string path = (dir_ / ("up-" + oid)).string();
    WriteFile(path, data);
    remote.Upload(path, oid);
    return oid;
  }

  fs::path dir_;
  FakeClock clock_;
};

#define REQUIRE_SERVER()                                          \
  if (!HaveServer()) {                                            \
    GTEST_SKIP() << "LEANOPS_S3_ENDPOINT unset: run s3.sh start"; \
  }

TEST_F(S3RemoteTest, ParsesUrlAndOptions) {
  RemoteConfig config{"r",
                      "s3://bucket/some/prefix/",
                      {{"access_key_id", "k"}, {"secret_access_key", "s"}, {"jobs", "3"}}};
  auto remote = OpenS3Remote(config, clock_);
  EXPECT_EQ(remote->Describe(), "s3://bucket/some/prefix");
  EXPECT_EQ(remote->Jobs(), 3);
  config.options.erase("jobs");
  int jobs = OpenS3Remote(config, clock_)->Jobs();
  EXPECT_GE(jobs, 1);
  EXPECT_LE(jobs, 16);
  config.options["jobs"] = "many";
  EXPECT_THROW(OpenS3Remote(config, clock_), Error);
  config.options.erase("jobs");
  config.url = "s3://";
  EXPECT_THROW(OpenS3Remote(config, clock_), Error);
}

TEST_F(S3RemoteTest, MissingCredentialsIsDataError) {
  ScopedEnv key("AWS_ACCESS_KEY_ID", nullptr), secret("AWS_SECRET_ACCESS_KEY", nullptr);
  ScopedEnv file("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "no-such-file").c_str());
  try {
    OpenS3Remote(RemoteConfig{"r", "s3://bucket/p", {}}, clock_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("access_key_id"), std::string::npos) << e.what();
  }
  // The environment is the fallback.
  ScopedEnv key2("AWS_ACCESS_KEY_ID", "k"), secret2("AWS_SECRET_ACCESS_KEY", "s");
  EXPECT_NO_THROW(OpenS3Remote(RemoteConfig{"r", "s3://bucket/p", {}}, clock_));
}

// The shared credentials file is the last fallback, by profile.
TEST_F(S3RemoteTest, SharedCredentialsFileByProfile) {
  REQUIRE_SERVER();
  std::string path = (dir_ / "credentials").string();
  {
    std::ofstream out(path);
    out << "[default]\naws_access_key_id = " << Env("LEANOPS_S3_ACCESS_KEY")
        << "\naws_secret_access_key = " << Env("LEANOPS_S3_SECRET_KEY")
        << "\n[wrong]\naws_access_key_id = " << Env("LEANOPS_S3_ACCESS_KEY")
        << "\naws_secret_access_key = not-the-secret\n";
  }
  ScopedEnv key("AWS_ACCESS_KEY_ID", nullptr), secret("AWS_SECRET_ACCESS_KEY", nullptr);
  ScopedEnv file("AWS_SHARED_CREDENTIALS_FILE", path.c_str());
  RemoteConfig config = Config();
  config.options.erase("access_key_id");
  config.options.erase("secret_access_key");
  auto remote = OpenS3Remote(config, clock_);
  Put(*remote, "from the credentials file", "");
  config.options["profile"] = "wrong";
  auto wrong = OpenS3Remote(config, clock_);
  try {
    Put(*wrong, "rejected", "");
    FAIL() << "a wrong secret from the file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SignatureDoesNotMatch"), std::string::npos) << e.what();
  }
}

TEST_F(S3RemoteTest, UploadContainsDownloadRoundTrip) {
  REQUIRE_SERVER();
  auto remote = OpenS3Remote(Config(), clock_);
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  std::vector<std::string> contents = {"", "hello\n", big, "[{\"md5\": \"x\"}]"};
  std::vector<std::string> oids;
  for (size_t i = 0; i < contents.size(); ++i)
    oids.push_back(Put(*remote, contents[i], i == 3 ? ".dir" : ""));
  std::string absent = Md5Hex("not uploaded");
  std::vector<std::string> query = oids;
  query.push_back(absent);
  EXPECT_EQ(remote->Contains(query), std::vector<bool>({true, true, true, true, false}));
  for (size_t i = 0; i < contents.size(); ++i) {
    std::string dest = (dir_ / ("down-" + oids[i])).string();
    remote->Download(oids[i], dest);
    EXPECT_TRUE(ReadFile(dest) == contents[i]) << oids[i];
  }
  remote->Remove(oids);
}

TEST_F(S3RemoteTest, MultipartUploadRoundTrip) {
  REQUIRE_SERVER();
  auto remote = OpenS3Remote(Config(), clock_);
  std::string data((64 << 20) + 12345, '\0');  // just above the multipart threshold
  for (size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>(i >> 12);
  std::string oid = Put(*remote, data);
  EXPECT_EQ(remote->Contains({oid}), std::vector<bool>{true});
  std::string dest = (dir_ / "down-big").string();
  remote->Download(oid, dest);
  EXPECT_EQ(fs::file_size(dest), data.size());
  EXPECT_EQ(Md5Hex(ReadFile(dest)), oid);
  remote->Remove({oid});
}

TEST_F(S3RemoteTest, ContainsManyOidsFromParallelUploads) {
  REQUIRE_SERVER();
  auto remote = OpenS3Remote(Config(), clock_);
  const size_t kCount = 70;  // above the HEAD limit: Contains lists the prefix
  std::vector<std::string> oids(kCount);
  ParallelFor(kCount, 8, [&](size_t i) {
    std::string data = "object " + std::to_string(i);
    oids[i] = Md5Hex(data);
    std::string path = (dir_ / ("up-" + oids[i])).string();
    WriteFile(path, data);
    remote->Upload(path, oids[i]);
  });
  std::vector<std::string> query = oids;
  for (int i = 0; i < 10; ++i) query.push_back(Md5Hex("absent " + std::to_string(i)));
  std::vector<bool> expected(kCount, true);
  expected.resize(kCount + 10, false);
  EXPECT_EQ(remote->Contains(query), expected);
  // The same answers through HEAD requests.
  EXPECT_EQ(remote->Contains({oids[0], query.back()}), std::vector<bool>({true, false}));
  remote->Remove(oids);
  EXPECT_EQ(remote->Contains(query), std::vector<bool>(kCount + 10, false));
}

TEST_F(S3RemoteTest, ListAndRemove) {
  REQUIRE_SERVER();
  RemoteConfig config = Config();
  auto remote = OpenS3Remote(config, clock_);
  EXPECT_TRUE(remote->List().empty());
  std::vector<std::string> oids = {Put(*remote, "a"), Put(*remote, "b"), Put(*remote, "c", ".dir")};
  // A remote one level up sees none of these as its own objects.
  RemoteConfig parent = config;
  parent.url = config.url.substr(0, config.url.rfind('/'));
  auto above = OpenS3Remote(parent, clock_)->List();
  for (const std::string& oid : oids)
    EXPECT_EQ(std::count(above.begin(), above.end(), oid), 0) << oid;

  std::vector<std::string> listed = remote->List();
  std::sort(listed.begin(), listed.end());
  std::vector<std::string> expected = oids;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);

  remote->Remove({oids[0], oids[2], Md5Hex("never stored")});  // a missing one is no error
  EXPECT_EQ(remote->List(), std::vector<std::string>{oids[1]});
  EXPECT_EQ(remote->Contains(oids), std::vector<bool>({false, true, false}));
  remote->Remove({oids[1]});
  EXPECT_TRUE(remote->List().empty());
}

TEST_F(S3RemoteTest, MissingObjectIsDataError) {
  REQUIRE_SERVER();
  RemoteConfig config = Config();
  auto remote = OpenS3Remote(config, clock_);
  std::string oid = Md5Hex("missing");
  std::string dest = (dir_ / "missing").string();
  try {
    remote->Download(oid, dest);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData) << e.what();
    EXPECT_NE(std::string(e.what()).find(oid), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(remote->Describe()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_TRUE(clock_.sleeps.empty());
}

TEST_F(S3RemoteTest, WrongSecretIsIOErrorWithS3Code) {
  REQUIRE_SERVER();
  RemoteConfig config = Config();
  config.options["secret_access_key"] = "wrong-secret";
  auto remote = OpenS3Remote(config, clock_);
  std::string path = (dir_ / "file").string();
  WriteFile(path, "data");
  try {
    remote->Upload(path, Md5Hex("data"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO) << e.what();
    EXPECT_NE(std::string(e.what()).find("SignatureDoesNotMatch"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  EXPECT_TRUE(clock_.sleeps.empty());  // a 403 is not retried
}

TEST_F(S3RemoteTest, UnreachableEndpointRetriesThenIOError) {
  RemoteConfig config{
      "r",
      "s3://bucket/p",
      {{"endpointurl", "http://127.0.0.1:1"}, {"access_key_id", "k"}, {"secret_access_key", "s"}}};
  auto remote = OpenS3Remote(config, clock_);
  try {
    remote->Download(Md5Hex("x"), (dir_ / "x").string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO) << e.what();
    EXPECT_NE(std::string(e.what()).find("s3://bucket/p"), std::string::npos) << e.what();
  }
  EXPECT_EQ(clock_.sleeps, std::vector<int64_t>({200, 400, 800, 1600}));
}

}  // namespace
}  // namespace leanops
