// Edge cases of the data operations: overlapping outputs, symlinked
// directories, non-UTF-8 file names, partially cached directories.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "data/ops.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

void Put(const std::string& path, const std::string& data) {
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

class OpsEdgeCaseTest : public testing::Test {
 protected:
  void SetUp() override {
    base_ = (stdfs::temp_directory_path() /
             ("leanops-edge-test-" + std::to_string(getpid()) + "-" +
              testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    RealFs().RemoveAll(base_);
    root_ = base_ + "/repo";
    stdfs::create_directories(root_);
    Repo::Init(RealFs(), root_, /*no_scm=*/true, /*force=*/false);
    repo_ = Repo::Open(RealFs(), RealClock(), root_);
  }
  void TearDown() override {
    repo_.reset();
    RealFs().RemoveAll(base_);
  }
  std::string P(const std::string& rel) const { return root_ + "/" + rel; }

  std::string base_;
  std::string root_;
  std::unique_ptr<Repo> repo_;
};

// Adding a directory that contains an already tracked output is accepted
// (DVC refuses with OverlappingOutputPathsError). Afterwards data/a.txt.dvc
// is stored as data inside data/, and FindDvcFiles no longer sees it.
TEST_F(OpsEdgeCaseTest, AddParentOfTrackedOutputIsRejected) {
  Put(P("data/a.txt"), "abc");
  Add(*repo_, {P("data/a.txt")}, 1, NoProgress());
  try {
    Add(*repo_, {P("data")}, 1, NoProgress());
    ADD_FAILURE() << "overlapping output accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
  }
  EXPECT_EQ(repo_->FindDvcFiles(), std::vector<std::string>{P("data/a.txt.dvc")});
}

// Add accepts a symlink to a directory (it follows it), but a later
// checkout, with nothing changed, plans to delete the symlink (lstat sees a
// non-directory), deletes it, then fails with kIO "cannot open directory"
// and leaves the output missing from the workspace.
TEST_F(OpsEdgeCaseTest, CheckoutKeepsSymlinkedDirectoryOutput) {
  Put(P("real/x"), "x");
  stdfs::create_directory_symlink(P("real"), P("link"));
  Add(*repo_, {P("link")}, 1, NoProgress());
  EXPECT_NO_THROW(Checkout(*repo_, {}, CheckoutOptions{}, NoProgress()));
  EXPECT_TRUE(stdfs::exists(P("link/x")));
}

// A directory holding a file whose name is not UTF-8 is added (its manifest
// holds "\udcff", as DVC writes it), but the manifest cannot be read back:
// checkout, push and even gc of the whole repository fail with
// "directory manifest ... is not valid JSON".
TEST_F(OpsEdgeCaseTest, NonUtf8FileNameRoundTrip) {
  Put(P("nu/bad\xff"), "z");
  Add(*repo_, {P("nu")}, 1, NoProgress());
  RealFs().RemoveAll(P("nu"));
  EXPECT_NO_THROW(Checkout(*repo_, {}, CheckoutOptions{}, NoProgress()));
  EXPECT_TRUE(stdfs::exists(P("nu/bad\xff")));
  EXPECT_NO_THROW(CollectGarbage(*repo_, GcOptions{}));
}

// Probable divergence from DVC: DVC's status reports a directory as
// "not in cache" when any of its files is missing from the cache
// (Output.changed_cache checks the whole tree); leanops only checks that the
// .dir manifest is present, so status is clean while checkout would fail.
TEST_F(OpsEdgeCaseTest, StatusNotInCacheForMissingDirFile) {
  Put(P("data/a.txt"), "abc");
  Put(P("data/b.txt"), "bar");
  Add(*repo_, {P("data")}, 1, NoProgress());
  RealFs().RemoveFile(repo_->cache().ObjectPath("37b51d194a7513e45b56f6524f2d51f2"));  // "bar"
  std::vector<OutputChange> changes = Status(*repo_, {}, 1);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].state, "not in cache");
}

}  // namespace
}  // namespace leanops
