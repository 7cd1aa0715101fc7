// Tests of the repository lock. flock(2) locks belong to an open file
// description, so two RepoLock objects in one process conflict just like two
// processes do.
#include "core/lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "core/error.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

class LockTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (stdfs::temp_directory_path() /
            ("leanops-lock-test-" + std::to_string(getpid()) + "-" +
             testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    path_ = dir_ + "/lock";
  }
  void TearDown() override { stdfs::remove_all(dir_); }
  std::string Contents() {
    std::ifstream in(path_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  std::string dir_;
  std::string path_;
};

TEST_F(LockTest, HolderWritesPidAndCommand) {
  RepoLock lock(path_, "leanops add data", /*no_wait=*/true, nullptr);
  EXPECT_EQ(Contents(), std::to_string(getpid()) + " leanops add data\n");
}

TEST_F(LockTest, SecondLockWithNoWaitFailsNamingHolder) {
  RepoLock first(path_, "leanops add data", /*no_wait=*/true, nullptr);
  bool waited = false;
  try {
    RepoLock second(path_, "leanops gc", /*no_wait=*/true,
                    [&](const std::string&) { waited = true; });
    ADD_FAILURE() << "second lock acquired while the first is held";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    std::string message = e.what();
    EXPECT_NE(message.find(std::to_string(getpid())), std::string::npos) << message;
    EXPECT_NE(message.find("leanops add data"), std::string::npos) << message;
    EXPECT_NE(message.find(path_), std::string::npos) << message;
  }
  EXPECT_FALSE(waited);
  // The failed attempt did not disturb the holder's record.
  EXPECT_EQ(Contents(), std::to_string(getpid()) + " leanops add data\n");
}

TEST_F(LockTest, ReleasedOnDestruction) {
  { RepoLock first(path_, "one", /*no_wait=*/true, nullptr); }
  RepoLock second(path_, "two", /*no_wait=*/true, nullptr);
  EXPECT_EQ(Contents(), std::to_string(getpid()) + " two\n");
}

TEST_F(LockTest, WaitsAndReportsHolderOnce) {
  auto first = std::make_unique<RepoLock>(path_, "leanops push", /*no_wait=*/true, nullptr);
  std::atomic<bool> locking{false};
  std::thread releaser([&] {
    while (!locking) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    first.reset();
  });
  int calls = 0;
  std::string holder;
  auto start = std::chrono::steady_clock::now();
  locking = true;
  {
    RepoLock second(path_, "leanops fetch", /*no_wait=*/false, [&](const std::string& h) {
      ++calls;
      holder = h;
    });
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, std::chrono::milliseconds(150));
    EXPECT_EQ(Contents(), std::to_string(getpid()) + " leanops fetch\n");
  }
  releaser.join();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(holder.find(std::to_string(getpid())), std::string::npos) << holder;
  EXPECT_NE(holder.find("leanops push"), std::string::npos) << holder;
}

TEST_F(LockTest, NoCallbackWhenFree) {
  bool called = false;
  RepoLock lock(path_, "x", /*no_wait=*/false, [&](const std::string&) { called = true; });
  EXPECT_FALSE(called);
}

TEST_F(LockTest, UnopenablePathIsIoError) {
  try {
    RepoLock lock(dir_ + "/missing/lock", "x", true, nullptr);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("missing/lock"), std::string::npos) << e.what();
  }
}

TEST_F(LockTest, EmptyLockFileHolderIsDescribed) {
  // A lock file left by another tool (e.g. DVC's zc.lockfile) may be empty
  // while held; the message must still be produced.
  RepoLock first(path_, "", /*no_wait=*/true, nullptr);
  std::ofstream(path_, std::ios::trunc).close();
  try {
    RepoLock second(path_, "y", /*no_wait=*/true, nullptr);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("locked by"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace leanops
