// Library-level integration tests of add / status / checkout / commit / gc /
// push / fetch in a temp repository (Repo::Init with no_scm). All paths
// given to the operations are absolute (Repo::AbsPath resolves relative ones
// against the process cwd).
#include "data/ops.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

// md5s computed with python3 hashlib.md5(b"...").hexdigest().
constexpr char kFoo[] = "acbd18db4cc2f85cedef654fccc4a4d8";     // "foo"
constexpr char kAbc[] = "900150983cd24fb0d6963f7d28e17f72";     // "abc"
constexpr char kBar[] = "37b51d194a7513e45b56f6524f2d51f2";     // "bar"
constexpr char kNew[] = "e79176ee652b9cda9eca2ff82606cf78";     // "new!"
constexpr char kOrphan[] = "5c8ad194b0f0302f5a8a2c3bf502dcb2";  // "orphan"
// The manifest of data/ = {a.txt: "abc", sub/b.txt: "bar"}, as DVC writes it:
constexpr char kDataManifest[] =
    "[{\"md5\": \"900150983cd24fb0d6963f7d28e17f72\", \"relpath\": \"a.txt\"}, "
    "{\"md5\": \"37b51d194a7513e45b56f6524f2d51f2\", \"relpath\": \"sub/b.txt\"}]";
// python3: hashlib.md5(kDataManifest.encode()).hexdigest() + ".dir"
constexpr char kDataOid[] = "555b9a5ce9849cc00013f1cd547bccfd.dir";

void Put(const std::string& path, const std::string& data) {
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

std::string Get(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ErrorKind KindOf(const std::function<void()>& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no leanops::Error thrown";
  return ErrorKind::kInternal;
}

class OpsTest : public testing::Test {
 protected:
  void SetUp() override {
    base_ = (stdfs::temp_directory_path() /
             ("leanops-ops-test-" + std::to_string(getpid()) + "-" +
              testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    RealFs().RemoveAll(base_);
    root_ = base_ + "/repo";
    stdfs::create_directories(root_);
    Repo::Init(RealFs(), root_, /*no_scm=*/true, /*force=*/false);
    Put(P("foo"), "foo");
    Put(P("data/a.txt"), "abc");
    Put(P("data/sub/b.txt"), "bar");
    Reopen();
  }
  void TearDown() override {
    repo_.reset();
    RealFs().RemoveAll(base_);
  }
  void Reopen() {
    repo_.reset();
    repo_ = Repo::Open(RealFs(), RealClock(), root_);
  }
  std::string P(const std::string& rel) const { return root_ + "/" + rel; }
  std::string Obj(const std::string& oid) const { return repo_->cache().ObjectPath(oid); }
  void AddBoth() { Add(*repo_, {P("foo"), P("data")}, 2, NoProgress()); }
  std::vector<std::string> StatusStates() {
    std::vector<std::string> out;
    for (const OutputChange& c : Status(*repo_, {}, 2)) out.push_back(c.path + ": " + c.state);
    return out;
  }
  void UseLocalRemote() {
    remote_ = base_ + "/remote";
    RepoConfig& config = repo_->config();
    config.Level(ConfigLevel::kRepo).Set(RepoConfig::RemoteSection("r"), "url", remote_);
    config.Level(ConfigLevel::kRepo).Set("core", "remote", "r");
    config.Save(ConfigLevel::kRepo);
    Reopen();
  }

  std::string base_;
  std::string root_;
  std::string remote_;
  std::unique_ptr<Repo> repo_;
};

TEST_F(OpsTest, InitLayout) {
  EXPECT_EQ(Get(P(".dvc/config")), "[core]\n    no_scm = True\n");
  EXPECT_EQ(Get(P(".dvc/.gitignore")), "/config.local\n/tmp\n/cache\n");
  EXPECT_TRUE(stdfs::is_directory(P(".dvc/tmp")));
  EXPECT_EQ(repo_->root(), root_);
  EXPECT_EQ(KindOf([&] { Repo::Init(RealFs(), root_, true, false); }), ErrorKind::kData);
  // Open finds the repo from a subdirectory.
  EXPECT_EQ(Repo::Open(RealFs(), RealClock(), P("data/sub"))->root(), root_);
  EXPECT_EQ(KindOf([&] { Repo::Open(RealFs(), RealClock(), base_); }), ErrorKind::kData);
}

TEST_F(OpsTest, AddWritesPointersAndCacheObjects) {
  std::vector<AddedOutput> added = Add(*repo_, {P("foo"), P("data")}, 2, NoProgress());
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].dvc_file, "foo.dvc");
  EXPECT_EQ(added[0].oid, kFoo);
  EXPECT_TRUE(added[0].changed);
  EXPECT_TRUE(added[1].is_dir);
  EXPECT_EQ(added[1].oid, kDataOid);
  EXPECT_EQ(added[1].nfiles, 2u);
  EXPECT_EQ(added[1].size, 6u);

  EXPECT_EQ(Get(P("foo.dvc")),
            "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n"
            "  path: foo\n");
  EXPECT_EQ(Get(P("data.dvc")),
            "outs:\n- md5: 555b9a5ce9849cc00013f1cd547bccfd.dir\n  size: 6\n  nfiles: 2\n"
            "  hash: md5\n  path: data\n");
  // DVC 3 cache layout: .dvc/cache/files/md5/<2>/<30>.
  EXPECT_EQ(Get(P(".dvc/cache/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8")), "foo");
  EXPECT_EQ(Get(Obj(kAbc)), "abc");
  EXPECT_EQ(Get(Obj(kBar)), "bar");
  EXPECT_EQ(Get(P(".dvc/cache/files/md5/55/5b9a5ce9849cc00013f1cd547bccfd.dir")), kDataManifest);
  EXPECT_EQ(stdfs::status(Obj(kFoo)).permissions() & stdfs::perms::all,
            stdfs::perms::owner_read | stdfs::perms::group_read | stdfs::perms::others_read);
  std::vector<std::string> oids = repo_->cache().ListOids();
  EXPECT_EQ(oids, (std::vector<std::string>{kBar, kDataOid, kAbc, kFoo}));
  EXPECT_FALSE(stdfs::exists(P(".gitignore")));  // no_scm: no .gitignore entries

  // Adding again changes nothing.
  std::vector<AddedOutput> again = Add(*repo_, {P("foo")}, 1, NoProgress());
  EXPECT_FALSE(again[0].changed);
}

TEST_F(OpsTest, AddRejectsBadPaths) {
  EXPECT_EQ(KindOf([&] { Add(*repo_, {P("missing")}, 1, NoProgress()); }), ErrorKind::kData);
  EXPECT_EQ(KindOf([&] { Add(*repo_, {P(".dvc/config")}, 1, NoProgress()); }), ErrorKind::kData);
  EXPECT_EQ(KindOf([&] { Add(*repo_, {base_ + "/elsewhere"}, 1, NoProgress()); }),
            ErrorKind::kData);
  AddBoth();
  EXPECT_EQ(KindOf([&] { Add(*repo_, {P("data/a.txt")}, 1, NoProgress()); }), ErrorKind::kData);
}

TEST_F(OpsTest, StatusReportsChanges) {
  AddBoth();
  EXPECT_TRUE(StatusStates().empty());
  Put(P("foo"), "food");
  Put(P("data/sub/b.txt"), "BAR");
  EXPECT_EQ(StatusStates(), (std::vector<std::string>{"data: modified", "foo: modified"}));
  RealFs().RemoveFile(P("foo"));
  Put(P("data/sub/b.txt"), "bar");
  EXPECT_EQ(StatusStates(), (std::vector<std::string>{"foo: deleted"}));
  Put(P("foo"), "foo");
  RealFs().RemoveAll(P(".dvc/cache"));
  EXPECT_EQ(StatusStates(), (std::vector<std::string>{"data: not in cache", "foo: not in cache"}));
}

TEST_F(OpsTest, CheckoutRestoresDeletedData) {
  AddBoth();
  RealFs().RemoveFile(P("foo"));
  RealFs().RemoveAll(P("data"));
  CheckoutResult result = Checkout(*repo_, {}, CheckoutOptions{}, NoProgress());
  EXPECT_EQ(result.added, (std::vector<std::string>{"data", "foo"}));
  EXPECT_EQ(result.files_written, 3u);
  EXPECT_EQ(Get(P("foo")), "foo");
  EXPECT_EQ(Get(P("data/a.txt")), "abc");
  EXPECT_EQ(Get(P("data/sub/b.txt")), "bar");
  EXPECT_TRUE(StatusStates().empty());
  // Nothing to do the second time.
  result = Checkout(*repo_, {}, CheckoutOptions{}, NoProgress());
  EXPECT_EQ(result.files_written, 0u);
  EXPECT_TRUE(result.added.empty() && result.modified.empty());
}

TEST_F(OpsTest, CheckoutRefusesToLoseUncachedDataUnlessForced) {
  AddBoth();
  Put(P("foo"), "precious edit");
  Put(P("data/extra.txt"), "also precious");
  std::string message;
  EXPECT_EQ(KindOf([&] { Checkout(*repo_, {}, CheckoutOptions{}, NoProgress()); }, &message),
            ErrorKind::kData);
  EXPECT_NE(message.find("foo"), std::string::npos) << message;
  EXPECT_NE(message.find("data/extra.txt"), std::string::npos) << message;
  // Refused before changing anything.
  EXPECT_EQ(Get(P("foo")), "precious edit");
  EXPECT_EQ(Get(P("data/extra.txt")), "also precious");

  CheckoutOptions force;
  force.force = true;
  CheckoutResult result = Checkout(*repo_, {}, force, NoProgress());
  EXPECT_EQ(result.modified, (std::vector<std::string>{"data", "foo"}));  // by .dvc path
  EXPECT_EQ(Get(P("foo")), "foo");
  EXPECT_FALSE(stdfs::exists(P("data/extra.txt")));
  EXPECT_TRUE(StatusStates().empty());
}

TEST_F(OpsTest, CheckoutOverwritesCachedVersionWithoutForce) {
  AddBoth();
  Put(P("foo"), "new!");
  Commit(*repo_, {P("foo")}, 1, NoProgress());
  // Go back to the old pointer: the workspace content ("new!") is cached, so no force needed.
  Put(P("foo.dvc"),
      "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n"
      "  path: foo\n");
  Checkout(*repo_, {P("foo")}, CheckoutOptions{}, NoProgress());
  EXPECT_EQ(Get(P("foo")), "foo");
}

TEST_F(OpsTest, CommitRecordsNewContents) {
  AddBoth();
  Put(P("foo"), "new!");
  Put(P("data/a.txt"), "foo");  // a.txt now has the contents "foo"
  std::vector<AddedOutput> committed = Commit(*repo_, {}, 2, NoProgress());
  ASSERT_EQ(committed.size(), 2u);
  EXPECT_TRUE(committed[0].changed && committed[1].changed);
  EXPECT_EQ(Get(P("foo.dvc")),
            "outs:\n- md5: e79176ee652b9cda9eca2ff82606cf78\n  size: 4\n  hash: md5\n"
            "  path: foo\n");
  EXPECT_EQ(Get(Obj(kNew)), "new!");
  DvcFile data = LoadDvcFile(RealFs(), P("data.dvc"));
  std::vector<ManifestEntry> manifest = repo_->cache().LoadManifest(data.outs[0].md5);
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(manifest[0].relpath, "a.txt");
  EXPECT_EQ(manifest[0].md5, kFoo);
  EXPECT_TRUE(StatusStates().empty());
  EXPECT_EQ(KindOf([&] { Commit(*repo_, {P("nothing")}, 1, NoProgress()); }), ErrorKind::kData);
}

TEST_F(OpsTest, ReferencedOidsAndGc) {
  AddBoth();
  std::vector<std::string> refs = ReferencedOids(*repo_);
  EXPECT_EQ(refs, (std::vector<std::string>{kBar, kDataOid, kAbc, kFoo}));

  Put(base_ + "/orphan", "orphan");
  repo_->cache().InsertFile(base_ + "/orphan", kOrphan);
  GcResult dry = CollectGarbage(*repo_, GcOptions{true, false, "", {}});
  EXPECT_EQ(dry.objects, 1u);
  EXPECT_EQ(dry.bytes, 6u);
  EXPECT_TRUE(repo_->cache().Has(kOrphan));
  GcResult gc = CollectGarbage(*repo_, GcOptions{});
  EXPECT_EQ(gc.objects, 1u);
  EXPECT_FALSE(repo_->cache().Has(kOrphan));
  EXPECT_EQ(repo_->cache().ListOids(), refs);

  // A missing manifest makes gc refuse rather than drop the directory's files.
  RealFs().RemoveFile(Obj(kDataOid));
  EXPECT_EQ(KindOf([&] { CollectGarbage(*repo_, GcOptions{}); }), ErrorKind::kData);
  EXPECT_TRUE(repo_->cache().Has(kAbc));
}

TEST_F(OpsTest, PushFetchThroughLocalRemote) {
  AddBoth();
  UseLocalRemote();
  TransferResult pushed = Push(*repo_, {}, "", 2, NoProgress());
  EXPECT_EQ(pushed.objects, 4u);
  EXPECT_EQ(pushed.bytes, 3u + 3u + 3u + std::string(kDataManifest).size());
  EXPECT_EQ(Get(remote_ + "/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8"), "foo");
  EXPECT_EQ(Get(remote_ + "/files/md5/55/5b9a5ce9849cc00013f1cd547bccfd.dir"), kDataManifest);
  EXPECT_EQ(Push(*repo_, {}, "r", 2, NoProgress()).objects, 0u);  // already there
  EXPECT_TRUE(CloudStatus(*repo_, {}, "").empty());

  RealFs().RemoveAll(P(".dvc/cache"));
  RealFs().RemoveFile(P("foo"));
  RealFs().RemoveAll(P("data"));
  TransferResult fetched = Fetch(*repo_, {}, "", 2, NoProgress());
  EXPECT_EQ(fetched.objects, 4u);
  EXPECT_EQ(repo_->cache().ListOids(), (std::vector<std::string>{kBar, kDataOid, kAbc, kFoo}));
  Checkout(*repo_, {}, CheckoutOptions{}, NoProgress());
  EXPECT_EQ(Get(P("data/sub/b.txt")), "bar");
  EXPECT_TRUE(StatusStates().empty());
}

TEST_F(OpsTest, FetchRejectsCorruptedRemoteObject) {
  AddBoth();
  UseLocalRemote();
  Push(*repo_, {}, "", 2, NoProgress());
  std::string remote_b = remote_ + "/files/md5/37/b51d194a7513e45b56f6524f2d51f2";
  stdfs::permissions(remote_b, stdfs::perms::owner_write, stdfs::perm_options::add);
  Put(remote_b, "evil");
  RealFs().RemoveFile(Obj(kBar));
  std::string message;
  EXPECT_EQ(KindOf([&] { Fetch(*repo_, {}, "", 2, NoProgress()); }, &message), ErrorKind::kData);
  EXPECT_NE(message.find(kBar), std::string::npos) << message;
  EXPECT_NE(message.find("corrupted"), std::string::npos) << message;
  EXPECT_FALSE(repo_->cache().Has(kBar));
  for (const auto& e : stdfs::recursive_directory_iterator(P(".dvc/cache")))
    EXPECT_FALSE(IsTempName(e.path().filename().string())) << e.path();
  // Checkout restores what it can and names what is missing.
  RealFs().RemoveAll(P("data"));
  EXPECT_EQ(KindOf([&] { Checkout(*repo_, {}, CheckoutOptions{}, NoProgress()); }, &message),
            ErrorKind::kData);
  EXPECT_NE(message.find("data/sub/b.txt"), std::string::npos) << message;
  EXPECT_EQ(Get(P("data/a.txt")), "abc");
  EXPECT_FALSE(stdfs::exists(P("data/sub/b.txt")));
}

TEST_F(OpsTest, FetchRejectsCorruptedRemoteManifest) {
  AddBoth();
  UseLocalRemote();
  Push(*repo_, {}, "", 2, NoProgress());
  std::string remote_dir = remote_ + "/files/md5/55/5b9a5ce9849cc00013f1cd547bccfd.dir";
  stdfs::permissions(remote_dir, stdfs::perms::owner_write, stdfs::perm_options::add);
  Put(remote_dir, "[]");
  RealFs().RemoveAll(P(".dvc/cache"));
  EXPECT_EQ(KindOf([&] { Fetch(*repo_, {P("data")}, "", 2, NoProgress()); }), ErrorKind::kData);
  EXPECT_FALSE(repo_->cache().Has(kDataOid));
}

TEST_F(OpsTest, UnknownRemoteIsDataError) {
  AddBoth();
  EXPECT_EQ(KindOf([&] { Push(*repo_, {}, "", 1, NoProgress()); }), ErrorKind::kData);
  UseLocalRemote();
  std::string message;
  EXPECT_EQ(KindOf([&] { Push(*repo_, {}, "nope", 1, NoProgress()); }, &message), ErrorKind::kData);
  EXPECT_NE(message.find("r"), std::string::npos);
}

}  // namespace
}  // namespace leanops
