// Tests of the SQLite state index: hits only for an unchanged stat, entries
// survive a reopen, directory fingerprints, and a corrupt db is recreated.
#include "data/state_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

constexpr char kFoo[] = "acbd18db4cc2f85cedef654fccc4a4d8";  // md5("foo")
constexpr char kBar[] = "37b51d194a7513e45b56f6524f2d51f2";  // md5("bar")

FileInfo Info(uint64_t inode, int64_t mtime_ns, uint64_t size) {
  FileInfo info;
  info.type = FileType::kFile;
  info.inode = inode;
  info.mtime_ns = mtime_ns;
  info.size = size;
  return info;
}

class StateIndexTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (stdfs::temp_directory_path() /
            ("leanops-state-test-" + std::to_string(getpid()) + "-" +
             testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    db_ = dir_ + "/state.db";
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  std::string dir_;
  std::string db_;
};

TEST_F(StateIndexTest, RecordThenLookupHits) {
  StateIndex index(db_);
  FileInfo info = Info(42, 1'700'000'000'123'456'789, 3);
  EXPECT_EQ(index.LookupFile("/r/foo", info), std::nullopt);
  index.RecordFile("/r/foo", info, kFoo);
  EXPECT_EQ(index.LookupFile("/r/foo", info), kFoo);  // visible before Flush
  index.Flush();
  EXPECT_EQ(index.LookupFile("/r/foo", info), kFoo);  // and after
  EXPECT_EQ(index.LookupFile("/r/other", info), std::nullopt);
}

TEST_F(StateIndexTest, MissWhenAnyStatFieldChanges) {
  StateIndex index(db_);
  FileInfo info = Info(42, 1'000'000'001, 3);
  index.RecordFile("/r/foo", info, kFoo);
  for (bool flushed : {false, true}) {
    SCOPED_TRACE(flushed ? "from db" : "pending");
    EXPECT_EQ(index.LookupFile("/r/foo", Info(42, 1'000'000'002, 3)), std::nullopt);  // mtime ns
    EXPECT_EQ(index.LookupFile("/r/foo", Info(42, 1'000'000'001, 4)), std::nullopt);  // size
    EXPECT_EQ(index.LookupFile("/r/foo", Info(43, 1'000'000'001, 3)), std::nullopt);  // inode
    EXPECT_EQ(index.LookupFile("/r/foo", info), kFoo);
    index.Flush();
  }
}

TEST_F(StateIndexTest, ReRecordReplacesEntry) {
  StateIndex index(db_);
  index.RecordFile("/r/foo", Info(1, 10, 3), kFoo);
  index.Flush();
  index.RecordFile("/r/foo", Info(1, 20, 3), kBar);
  index.Flush();
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 10, 3)), std::nullopt);
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 20, 3)), kBar);
}

TEST_F(StateIndexTest, PersistsAcrossReopen) {
  FileInfo info = Info(7, -5, 1ull << 40);  // negative mtimes and large sizes round-trip
  {
    StateIndex index(db_);
    index.RecordFile("/r/foo", info, kFoo);
    index.RecordDir("/r/data", 0x0fffffffffffffffull, 99, "d751713988987e9331980363e24189ce.dir");
    index.Flush();
  }
  {
    StateIndex index(db_);
    EXPECT_EQ(index.LookupFile("/r/foo", info), kFoo);
    EXPECT_EQ(index.LookupDir("/r/data", 0x0fffffffffffffffull, 99),
              "d751713988987e9331980363e24189ce.dir");
    EXPECT_EQ(index.LookupDir("/r/data", 0x0ffffffffffffffeull, 99), std::nullopt);
    EXPECT_EQ(index.LookupDir("/r/data", 0x0fffffffffffffffull, 98), std::nullopt);
  }
}

TEST_F(StateIndexTest, DestructorFlushes) {
  {
    StateIndex index(db_);
    index.RecordFile("/r/foo", Info(1, 2, 3), kFoo);
  }
  StateIndex index(db_);
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 2, 3)), kFoo);
}

TEST_F(StateIndexTest, CorruptDatabaseIsRecreated) {
  {
    std::ofstream out(db_, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out << "this is not a sqlite database ";
  }
  StateIndex index(db_);
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 2, 3)), std::nullopt);
  index.RecordFile("/r/foo", Info(1, 2, 3), kFoo);
  index.Flush();
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 2, 3)), kFoo);
  // The file on disk is a usable database again.
  StateIndex reopened(db_);
  EXPECT_EQ(reopened.LookupFile("/r/foo", Info(1, 2, 3)), kFoo);
}

TEST_F(StateIndexTest, UnopenableDatabaseIsNotFatal) {
  // A directory where the db file should be: neither open works; lookups miss.
  stdfs::create_directories(db_);
  StateIndex index(db_);
  index.RecordFile("/r/foo", Info(1, 2, 3), kFoo);
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 2, 3)), kFoo);  // pending still answers
  index.Flush();
  EXPECT_EQ(index.LookupFile("/r/foo", Info(1, 2, 3)), std::nullopt);
}

std::vector<WalkEntry> Listing() {
  return {{"a.txt", Info(10, 1000, 3)}, {"d/b.txt", Info(11, 2000, 4)}, {"z", Info(12, 3000, 0)}};
}

TEST(StateIndexFingerprintTest, ChangesWithAnyFileStat) {
  const uint64_t base = StateIndex::Fingerprint(Listing());
  EXPECT_EQ(StateIndex::Fingerprint(Listing()), base);  // deterministic
  EXPECT_LT(base, 1ull << 63);                          // stored as a signed int64
  for (size_t i = 0; i < Listing().size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<WalkEntry> e = Listing();
    e[i].info.mtime_ns += 1;
    EXPECT_NE(StateIndex::Fingerprint(e), base);
    e = Listing();
    e[i].info.size += 1;
    EXPECT_NE(StateIndex::Fingerprint(e), base);
    e = Listing();
    e[i].info.inode += 100;
    EXPECT_NE(StateIndex::Fingerprint(e), base);
    e = Listing();
    e[i].relpath += "x";
    EXPECT_NE(StateIndex::Fingerprint(e), base);
  }
  std::vector<WalkEntry> fewer = Listing();
  fewer.pop_back();
  EXPECT_NE(StateIndex::Fingerprint(fewer), base);
  // Relpath boundaries matter: "ab"+"c" differs from "a"+"bc".
  EXPECT_NE(StateIndex::Fingerprint({{"ab", Info(1, 1, 1)}, {"c", Info(1, 1, 1)}}),
            StateIndex::Fingerprint({{"a", Info(1, 1, 1)}, {"bc", Info(1, 1, 1)}}));
}

TEST(StateIndexFingerprintTest, RealDirectoryMtimeChange) {
  std::string dir =
      (stdfs::temp_directory_path() / ("leanops-fp-test-" + std::to_string(getpid()))).string();
  stdfs::remove_all(dir);
  stdfs::create_directories(dir + "/sub");
  std::ofstream(dir + "/a") << "a";
  std::ofstream(dir + "/sub/b") << "b";
  uint64_t before = StateIndex::Fingerprint(RealFs().Walk(dir, {}));
  EXPECT_EQ(StateIndex::Fingerprint(RealFs().Walk(dir, {})), before);
  stdfs::last_write_time(dir + "/sub/b",
                         stdfs::last_write_time(dir + "/sub/b") + std::chrono::seconds(5));
  EXPECT_NE(StateIndex::Fingerprint(RealFs().Walk(dir, {})), before);
  stdfs::remove_all(dir);
}

}  // namespace
}  // namespace leanops
