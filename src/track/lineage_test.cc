// Tests of run lineage: the user, the git and environment tags (checked
// against git's own answers), and DVC-tracked data as dataset inputs in a
// scratch repository with .dvc files and a pipeline lock.
#include "track/lineage.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <optional>

#include "core/subprocess.h"
#include "data/dvc_file.h"
#include "data/repo.h"
#include "leanops_version.h"
#include "pipeline/dvc_lock.h"
#include "pipeline/test_util.h"

namespace leanops::track {
namespace {

using pipeline_test::TempDir;
using pipeline_test::WriteText;

// Sets an environment variable for one scope, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::map<std::string, std::string> TagMap(const std::vector<Tag>& tags) {
  std::map<std::string, std::string> map;
  for (const Tag& t : tags) map[t.key] = t.value;
  return map;
}

void Git(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "git");
  ProcessResult r = RunCapture(args, dir);
  ASSERT_EQ(r.exit_code, 0) << "git " << args[1] << " failed in " << dir;
}

void InitGitRepo(const std::string& dir) {
  Git(dir, {"init", "-q"});
  Git(dir, {"config", "user.name", "leanops test"});
  Git(dir, {"config", "user.email", "test@leanops.invalid"});
  Git(dir, {"config", "commit.gpgsign", "false"});
}

TEST(LineageTest, CurrentUserPrefersLeanopsUserThenUser) {
  {
    ScopedEnv lu("LEANOPS_USER", "alice");
    ScopedEnv u("USER", "bob");
    EXPECT_EQ(CurrentUser(), "alice");
  }
  {
    ScopedEnv lu("LEANOPS_USER", nullptr);
    ScopedEnv u("USER", "bob");
    EXPECT_EQ(CurrentUser(), "bob");
  }
  {
    ScopedEnv lu("LEANOPS_USER", nullptr);
    ScopedEnv u("USER", nullptr);
    EXPECT_FALSE(CurrentUser().empty());
  }
}

TEST(LineageTest, TagsRecordCommitDirtinessAndEnvironment) {
  TempDir dir;
  InitGitRepo(dir.path());
  WriteText(dir / "train.py", "print('v1')\n");
  Git(dir.path(), {"add", "train.py"});
  Git(dir.path(), {"commit", "-q", "-m", "first"});
  std::string head = RunCapture({"git", "log", "-1", "--format=%H"}, dir.path()).out;
  ASSERT_EQ(head.size(), 41u);
  head.pop_back();  // newline

  std::map<std::string, std::string> tags = TagMap(LineageTags(dir.path(), "alice"));
  EXPECT_EQ(tags[kGitCommitTag], head);
  EXPECT_EQ(tags[kGitDirtyTag], "false");
  EXPECT_EQ(tags[kSourceTypeTag], "LOCAL");
  EXPECT_EQ(tags[kSourceNameTag], dir.path());
  EXPECT_EQ(tags[kUserTag], "alice");
  EXPECT_EQ(tags[kVersionTag], LEANOPS_VERSION);
  EXPECT_EQ(tags[kCompilerTag], CompilerDescription());
  EXPECT_NE(tags[kOsTag].find("Linux"), std::string::npos);
  EXPECT_NE(tags[kLibrariesTag].find("sqlite 3."), std::string::npos);
  EXPECT_NE(tags[kLibrariesTag].find("openssl 3."), std::string::npos);

  // An untracked file does not change the commit; editing a tracked one does.
  WriteText(dir / "notes.txt", "scratch\n");
  EXPECT_EQ(TagMap(LineageTags(dir.path(), "alice"))[kGitDirtyTag], "false");
  WriteText(dir / "train.py", "print('v2')\n");
  EXPECT_EQ(TagMap(LineageTags(dir.path(), "alice"))[kGitDirtyTag], "true");
}

TEST(LineageTest, NoGitTagsOutsideAWorkTree) {
  TempDir dir;
  // GIT_CEILING_DIRECTORIES keeps git from finding a work tree above the temp dir.
  ScopedEnv ceiling("GIT_CEILING_DIRECTORIES", DirName(dir.path()).c_str());
  std::map<std::string, std::string> tags = TagMap(LineageTags(dir.path(), "bob"));
  EXPECT_EQ(tags.count(kGitCommitTag), 0u);
  EXPECT_EQ(tags.count(kGitDirtyTag), 0u);
  EXPECT_EQ(tags[kUserTag], "bob");
}

TEST(LineageTest, ClassifiesCodeAndEnvironmentTags) {
  EXPECT_TRUE(IsCodeOrEnvironmentTag(kGitCommitTag));
  EXPECT_TRUE(IsCodeOrEnvironmentTag(kLibrariesTag));
  EXPECT_FALSE(IsCodeOrEnvironmentTag(kUserTag));
  EXPECT_FALSE(IsCodeOrEnvironmentTag("team"));
}

TEST(LineageTest, NoInputsWithoutADvcRepository) {
  TempDir dir;
  EXPECT_TRUE(DvcDatasetInputs(RealFs(), dir.path()).empty());
}

LockedEntry Entry(const std::string& path, const std::string& md5) {
  LockedEntry e;
  e.path = path;
  e.md5 = md5;
  e.size = 1;
  return e;
}

TEST(LineageTest, InputsFromDvcFilesAndPipelineLocks) {
  TempDir dir;
  Repo::Init(RealFs(), dir.path(), /*no_scm=*/true, /*force=*/false);
  // data/raw.csv tracked by data/raw.csv.dvc (paths relative to the .dvc file).
  WriteText(dir / "data/raw.csv.dvc",
            "outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  size: 14\n  hash: md5\n"
            "  path: raw.csv\n");
  WriteText(dir / "images.dvc",
            "outs:\n- md5: 0c2f6a3e4d2b1a0f9e8d7c6b5a493827.dir\n  size: 20\n  nfiles: 2\n"
            "  hash: md5\n  path: images\n");
  WriteText(dir / "dvc.yaml",
            "stages:\n"
            "  featurize:\n"
            "    cmd: python featurize.py\n"
            "    deps:\n    - data/raw.csv\n    - featurize.py\n"
            "    outs:\n    - features.csv\n"
            "  train:\n"
            "    cmd: python train.py\n"
            "    deps:\n    - features.csv\n"
            "    outs:\n    - model.pkl\n");
  LockFile lock;
  LockedStage featurize;
  featurize.cmd = "python featurize.py";
  // The same md5 as the .dvc file records: one input, not two.
  featurize.deps = {Entry("data/raw.csv", "22a1a2931c8370d3aeedd7183606fd7f"),
                    Entry("featurize.py", "5d41402abc4b2a76b9719d911017c592")};
  featurize.outs = {Entry("features.csv", "6f8db599de986fab7a21625b7916589c")};
  lock.Set("featurize", featurize);
  LockedStage train;
  train.cmd = "python train.py";
  train.deps = {Entry("features.csv", "6f8db599de986fab7a21625b7916589c")};
  train.outs = {Entry("model.pkl", "b1946ac92492d2347c6235b4d2611184")};
  lock.Set("train", train);
  SaveLockFile(RealFs(), dir / "dvc.lock", lock);

  std::vector<DatasetInput> inputs = DvcDatasetInputs(RealFs(), dir.path());
  std::map<std::string, std::string> digests;
  for (const DatasetInput& in : inputs) {
    EXPECT_EQ(in.dataset.source_type, "dvc");
    EXPECT_EQ(in.dataset.source, in.dataset.name);
    EXPECT_TRUE(digests.emplace(in.dataset.name, in.dataset.digest).second)
        << "duplicate input " << in.dataset.name;
  }
  std::map<std::string, std::string> expected = {
      {"data/raw.csv", "22a1a2931c8370d3aeedd7183606fd7f"},
      {"images", "0c2f6a3e4d2b1a0f9e8d7c6b5a493827.dir"},
      {"featurize.py", "5d41402abc4b2a76b9719d911017c592"},
      {"features.csv", "6f8db599de986fab7a21625b7916589c"},
      {"model.pkl", "b1946ac92492d2347c6235b4d2611184"},
  };
  EXPECT_EQ(digests, expected);
}

}  // namespace
}  // namespace leanops::track
