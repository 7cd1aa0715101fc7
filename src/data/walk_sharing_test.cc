// Repo's shared directory walks: a kept walk answers for its directory and
// the directories below it, exactly as a fresh walk would, and is dropped by
// ForgetWalks or when sharing is off.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "data/output_hash.h"
#include "data/repo.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

class WalkSharingTest : public testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/leanops-walks.XXXXXX";
    root_ = ::mkdtemp(templ);
    Repo::Init(RealFs(), root_, /*no_scm=*/true, /*force=*/false);
    for (const char* rel : {"in/a/x.txt", "in/a/deep/y.txt", "in/b/z.txt", "in/top.txt"}) {
      stdfs::create_directories(stdfs::path(root_ + "/" + rel).parent_path());
      std::ofstream(root_ + "/" + rel) << rel;
    }
    repo_ = Repo::Open(RealFs(), RealClock(), root_);
  }
  void TearDown() override { stdfs::remove_all(root_); }

  static std::vector<std::string> Paths(const std::vector<WalkEntry>& entries) {
    std::vector<std::string> paths;
    for (const WalkEntry& e : entries) paths.push_back(e.relpath);
    return paths;
  }

  std::string root_;
  std::unique_ptr<Repo> repo_;
};

TEST_F(WalkSharingTest, OffByDefault) {
  WalkOutput(*repo_, root_ + "/in");
  EXPECT_FALSE(repo_->SharedWalk(root_ + "/in").has_value());
}

TEST_F(WalkSharingTest, AncestorWalkAnswersForSubdirectoriesLikeAFreshWalk) {
  std::vector<WalkEntry> fresh_a = WalkOutput(*repo_, root_ + "/in/a");
  repo_->EnableWalkSharing(true);
  WalkOutput(*repo_, root_ + "/in");
  std::optional<std::vector<WalkEntry>> shared = repo_->SharedWalk(root_ + "/in/a");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(Paths(*shared), Paths(fresh_a));
  EXPECT_EQ(Paths(*shared), (std::vector<std::string>{"deep/y.txt", "x.txt"}));
  EXPECT_EQ(Paths(WalkOutput(*repo_, root_ + "/in/b")), std::vector<std::string>{"z.txt"});
  // A sibling whose name only shares a prefix is not "below".
  EXPECT_FALSE(repo_->SharedWalk(root_ + "/i").has_value());
}

TEST_F(WalkSharingTest, ForgetWalksSeesNewFiles) {
  repo_->EnableWalkSharing(true);
  WalkOutput(*repo_, root_ + "/in");
  std::ofstream(root_ + "/in/a/new.txt") << "new";
  EXPECT_EQ(WalkOutput(*repo_, root_ + "/in/a").size(), 2u);  // still the kept walk
  repo_->ForgetWalks();
  EXPECT_EQ(WalkOutput(*repo_, root_ + "/in/a").size(), 3u);
}

}  // namespace
}  // namespace leanops
