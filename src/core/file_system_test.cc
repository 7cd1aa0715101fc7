// Tests of the POSIX FileSystem and, through FaultyFileSystem, that an
// interrupted cache write never leaves a partial object under its final name.
#include "core/file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/md5.h"
#include "data/cache.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = (stdfs::temp_directory_path() /
             ("leanops-fs-test-" + std::to_string(getpid()) + "-" +
              testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    stdfs::remove_all(path_);
    stdfs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::permissions(path_, stdfs::perms::owner_all, stdfs::perm_options::add, ec);
    RealFs().RemoveAll(path_);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

void Put(const std::string& path, const std::string& data) {
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

std::string Get(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Every file name (recursively) under `dir` that looks like a temp file.
std::vector<std::string> TempFilesUnder(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& e : stdfs::recursive_directory_iterator(dir))
    if (IsTempName(e.path().filename().string())) found.push_back(e.path().string());
  return found;
}

TEST(FileSystemTest, TempNames) {
  std::string a = TempNameFor("/x/y/file.txt");
  std::string b = TempNameFor("/x/y/file.txt");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("/x/y/file.txt", 0), 0u);    // same directory, so rename is atomic
  EXPECT_EQ(a.find('/', 5), std::string::npos);  // no new path component
  EXPECT_TRUE(IsTempName(a));
  EXPECT_TRUE(IsTempName(stdfs::path(a).filename().string()));
  EXPECT_FALSE(IsTempName("file.txt"));
  EXPECT_FALSE(IsTempName("acbd18db4cc2f85cedef654fccc4a4d8"));
  EXPECT_FALSE(IsTempName("d751713988987e9331980363e24189ce.dir"));
}

TEST(FileSystemTest, StatKinds) {
  TempDir dir;
  FileSystem& fs = RealFs();
  Put(dir / "f", "hello");
  stdfs::create_symlink("f", dir / "link");
  EXPECT_EQ(fs.Stat(dir / "missing").type, FileType::kMissing);
  EXPECT_FALSE(fs.Stat(dir / "missing/below").exists());  // ENOTDIR-ish paths are missing too
  EXPECT_FALSE(fs.Stat(dir / "f/below").exists());
  FileInfo f = fs.Stat(dir / "f");
  EXPECT_TRUE(f.is_file());
  EXPECT_EQ(f.size, 5u);
  EXPECT_EQ(fs.Stat(dir / "link").type, FileType::kSymlink);
  EXPECT_TRUE(fs.StatFollow(dir / "link").is_file());
  EXPECT_EQ(fs.StatFollow(dir / "link").inode, f.inode);
  EXPECT_TRUE(fs.Stat(dir.path()).is_dir());
}

TEST(FileSystemTest, WriteFileAtomicReplacesAndLeavesNoTemp) {
  TempDir dir;
  FileSystem& fs = RealFs();
  std::string path = dir / "out.txt";
  fs.WriteFileAtomic(path, "first version\n");
  EXPECT_EQ(Get(path), "first version\n");
  fs.WriteFileAtomic(path, "2nd", 0600);
  EXPECT_EQ(Get(path), "2nd");
  EXPECT_EQ(fs.Stat(path).mode & 0777, 0600u);
  fs.WriteFileAtomic(path, "");
  EXPECT_EQ(Get(path), "");
  EXPECT_EQ(fs.ReadFile(path), "");
  EXPECT_TRUE(TempFilesUnder(dir.path()).empty());
  EXPECT_EQ(fs.ListDir(dir.path()), std::vector<std::string>{"out.txt"});
  // A missing parent directory is an I/O error and creates nothing.
  try {
    fs.WriteFileAtomic(dir / "nodir/x", "data");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("nodir"), std::string::npos) << e.what();
  }
}

TEST(FileSystemTest, ReadChunksSplitsAtChunkSize) {
  TempDir dir;
  Put(dir / "f", "0123456789");
  std::vector<std::string> chunks;
  RealFs().ReadChunks(dir / "f", 4, [&](const char* d, size_t n) { chunks.emplace_back(d, n); });
  EXPECT_EQ(chunks, (std::vector<std::string>{"0123", "4567", "89"}));
  EXPECT_THROW(RealFs().ReadFile(dir / "missing"), Error);
}

TEST(FileSystemTest, WalkIsSortedRecursiveAndSkips) {
  TempDir dir;
  FileSystem& fs = RealFs();
  Put(dir / "b.txt", "b");
  Put(dir / "a/y/z", "zz");
  Put(dir / "a/x", "x");
  Put(dir / "a.txt", "aaa");
  Put(dir / ".git/HEAD", "ref");
  Put(dir / "sub/.git/config", "c");
  Put(dir / "sub/keep", "k");
  stdfs::create_directories(dir / "empty");
  Put(dir / "outside/t", "target!");
  stdfs::create_symlink(dir / "outside/t", dir / "link-to-file");
  stdfs::create_symlink(dir / "a", dir / "link-to-dir");
  stdfs::create_symlink(dir / "nowhere", dir / "dangling");

  std::vector<WalkEntry> entries = fs.Walk(dir.path(), {".git"});
  std::vector<std::string> relpaths;
  for (const auto& e : entries) relpaths.push_back(e.relpath);
  // Byte order: '.' < '/' < letters.
  EXPECT_EQ(relpaths, (std::vector<std::string>{"a.txt", "a/x", "a/y/z", "b.txt", "link-to-file",
                                                "outside/t", "sub/keep"}));
  auto find = [&](const std::string& rel) {
    return *std::find_if(entries.begin(), entries.end(),
                         [&](const WalkEntry& e) { return e.relpath == rel; });
  };
  EXPECT_EQ(find("a/y/z").info.size, 2u);
  // A symlink to a file is reported with its target's stat.
  EXPECT_EQ(find("link-to-file").info.size, 7u);
  EXPECT_TRUE(find("link-to-file").info.is_file());
  EXPECT_EQ(find("link-to-file").info.inode, find("outside/t").info.inode);

  // Without skip_dirs, .git is walked.
  std::vector<WalkEntry> all = fs.Walk(dir.path(), {});
  EXPECT_EQ(all.size(), entries.size() + 2);
  // Walking a subtree gives paths relative to it.
  std::vector<WalkEntry> sub = fs.Walk(dir / "a", {});
  ASSERT_EQ(sub.size(), 2u);
  EXPECT_EQ(sub[0].relpath, "x");
  EXPECT_EQ(sub[1].relpath, "y/z");
  EXPECT_THROW(fs.Walk(dir / "missing", {}), Error);
}

TEST(FileSystemTest, CopyFileCopiesBytes) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < (3 << 20) + 17; ++i) data.push_back(static_cast<char>(i * 131 % 251));
  Put(dir / "src", data);
  RealFs().CopyFile(dir / "src", dir / "dst", /*durable=*/true);
  EXPECT_EQ(Md5Hex(Get(dir / "dst")), Md5Hex(data));
  // Copying over an existing longer file truncates it.
  Put(dir / "small", "abc");
  RealFs().CopyFile(dir / "small", dir / "dst", /*durable=*/false);
  EXPECT_EQ(Get(dir / "dst"), "abc");
  EXPECT_THROW(RealFs().CopyFile(dir / "missing", dir / "x", false), Error);
  EXPECT_FALSE(stdfs::exists(dir / "x"));
}

TEST(FileSystemTest, RemoveAllHandlesReadOnlyTrees) {
  TempDir dir;
  FileSystem& fs = RealFs();
  std::string root = dir / "tree";
  Put(root + "/a/b/obj", "data");
  Put(root + "/top", "t");
  fs.Chmod(root + "/a/b/obj", 0444);
  fs.Chmod(root + "/top", 0444);
  fs.Chmod(root + "/a/b", 0555);
  fs.Chmod(root + "/a", 0555);
  stdfs::create_symlink(dir / "keep", root + "/link");
  Put(dir / "keep", "must survive");
  fs.RemoveAll(root);
  EXPECT_FALSE(fs.Stat(root).exists());
  EXPECT_EQ(Get(dir / "keep"), "must survive");  // symlinks are removed, not followed
  fs.RemoveAll(root);                            // missing: no error
  fs.RemoveFile(root);
  Put(dir / "single", "x");
  fs.RemoveAll(dir / "single");
  EXPECT_FALSE(fs.Stat(dir / "single").exists());
}

TEST(FileSystemTest, MakeDirsAndListDir) {
  TempDir dir;
  FileSystem& fs = RealFs();
  fs.MakeDirs(dir / "p/q/r");
  fs.MakeDirs(dir / "p/q/r");  // exists: fine
  EXPECT_TRUE(fs.Stat(dir / "p/q/r").is_dir());
  Put(dir / "file", "x");
  EXPECT_THROW(fs.MakeDirs(dir / "file"), Error);
  EXPECT_THROW(fs.MakeDirs(dir / "file/sub"), Error);
  std::vector<std::string> names = fs.ListDir(dir.path());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"file", "p"}));
  EXPECT_TRUE(fs.ListDir(dir / "missing").empty());
}

// ---- fault injection ------------------------------------------------------

// Delegates to RealFs() but throws kIO on the Nth CopyFile/WriteFileAtomic/
// Rename call (counted together). A failing CopyFile first writes half of
// the data, as an interrupted copy would. With `crash`, nothing is cleaned
// up after the fault (RemoveFile does nothing), as if the process had died.
class FaultyFileSystem : public FileSystem {
 public:
  int fail_at = 0;  // 1-based; 0 = never
  bool crash = false;
  int calls = 0;
  bool faulted = false;

  FileInfo Stat(const std::string& p) override { return real_.Stat(p); }
  FileInfo StatFollow(const std::string& p) override { return real_.StatFollow(p); }
  std::string ReadFile(const std::string& p) override { return real_.ReadFile(p); }
  void ReadChunks(const std::string& p, size_t n,
                  const std::function<void(const char*, size_t)>& sink) override {
    real_.ReadChunks(p, n, sink);
  }
  void WriteFileAtomic(const std::string& p, std::string_view c, uint32_t mode) override {
    MaybeFail("write", p);
    real_.WriteFileAtomic(p, c, mode);
  }
  void CopyFile(const std::string& from, const std::string& to, bool durable) override {
    if (Due()) {
      std::string data = real_.ReadFile(from);
      std::ofstream(to, std::ios::binary) << data.substr(0, data.size() / 2);
      Fail("copy", to);
    }
    real_.CopyFile(from, to, durable);
  }
  bool CopyFileAtomic(const std::string& from, const std::string& to, uint32_t mode) override {
    MaybeFail("copy", to);  // an unnamed file: an interruption leaves nothing behind
    return real_.CopyFileAtomic(from, to, mode);
  }
  void Rename(const std::string& from, const std::string& to) override {
    MaybeFail("rename", to);
    real_.Rename(from, to);
  }
  void RemoveFile(const std::string& p) override {
    if (!(crash && faulted)) real_.RemoveFile(p);
  }
  void RemoveAll(const std::string& p) override { real_.RemoveAll(p); }
  void MakeDirs(const std::string& p) override { real_.MakeDirs(p); }
  void Hardlink(const std::string& f, const std::string& t) override { real_.Hardlink(f, t); }
  void Symlink(const std::string& f, const std::string& t) override { real_.Symlink(f, t); }
  void Reflink(const std::string& f, const std::string& t) override { real_.Reflink(f, t); }
  void Chmod(const std::string& p, uint32_t m) override { real_.Chmod(p, m); }
  std::vector<std::string> ListDir(const std::string& p) override { return real_.ListDir(p); }
  std::vector<WalkEntry> Walk(const std::string& r, const std::vector<std::string>& s) override {
    return real_.Walk(r, s);
  }
  void SyncDir(const std::string& p) override { real_.SyncDir(p); }
  void SyncFilesystem(const std::string& p) override { real_.SyncFilesystem(p); }

 private:
  bool Due() { return ++calls == fail_at; }
  void MaybeFail(const char* what, const std::string& path) {
    if (Due()) Fail(what, path);
  }
  [[noreturn]] void Fail(const char* what, const std::string& path) {
    faulted = true;
    throw Error(ErrorKind::kIO, std::string("injected fault: ") + what + " " + path);
  }
  FileSystem& real_ = RealFs();
};

// md5 of the payload below, computed with python3: hashlib.md5(b"payload " * 5000)
constexpr char kPayloadMd5[] = "57c6eab1875ab7b80888eca1393c6919";
std::string Payload() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "payload ";
  return s;
}

TEST(FaultInjectionTest, InterruptedInsertFileLeavesNoObject) {
  for (bool crash : {false, true}) {
    for (int fail_at = 1;; ++fail_at) {
      TempDir dir;
      Put(dir / "src", Payload());
      FaultyFileSystem fs;
      fs.fail_at = fail_at;
      fs.crash = crash;
      Cache cache(fs, dir / "cache", {LinkType::kCopy});
      std::string object = cache.ObjectPath(kPayloadMd5);
      try {
        cache.InsertFile(dir / "src", kPayloadMd5);
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kIO);
      }
      if (!fs.faulted) {  // every fault point has been tried
        EXPECT_GE(fail_at, 2) << "InsertFile should have reached its copy";
        break;
      }
      SCOPED_TRACE("crash=" + std::to_string(crash) + " fail_at=" + std::to_string(fail_at));
      EXPECT_FALSE(stdfs::exists(object));
      EXPECT_FALSE(cache.Has(kPayloadMd5));
      EXPECT_TRUE(cache.ListOids().empty());
      if (!crash) {
        EXPECT_TRUE(TempFilesUnder(dir / "cache").empty());
      }
      // A retry succeeds and stores exactly the bytes, read-only.
      fs.fail_at = 0;
      fs.faulted = false;
      cache.InsertFile(dir / "src", kPayloadMd5);
      EXPECT_EQ(Md5Hex(Get(object)), kPayloadMd5);
      EXPECT_EQ(fs.Stat(object).mode & 0777, 0444u);
      EXPECT_EQ(cache.ListOids(), std::vector<std::string>{kPayloadMd5});
      EXPECT_TRUE(cache.Verify(kPayloadMd5));
    }
  }
}

TEST(FaultInjectionTest, InterruptedInsertBytesLeavesNoObject) {
  TempDir dir;
  FaultyFileSystem fs;
  fs.fail_at = 1;
  Cache cache(fs, dir / "cache", {LinkType::kCopy});
  // python3 -c 'import hashlib;print(hashlib.md5(b"[]").hexdigest())'
  const std::string oid = "d751713988987e9331980363e24189ce.dir";
  EXPECT_THROW(cache.InsertBytes("[]", oid), Error);
  EXPECT_FALSE(cache.Has(oid));
  cache.InsertBytes("[]", oid);
  EXPECT_EQ(Get(cache.ObjectPath(oid)), "[]");
  EXPECT_TRUE(cache.LoadManifest(oid).empty());
}

TEST(FaultInjectionTest, InterruptedMaterializeLeavesDestAbsentOrComplete) {
  for (bool crash : {false, true}) {
    for (int fail_at = 1;; ++fail_at) {
      TempDir dir;
      Put(dir / "src", Payload());
      FaultyFileSystem fs;
      Cache cache(fs, dir / "cache", {LinkType::kCopy});
      cache.InsertFile(dir / "src", kPayloadMd5);
      fs.calls = 0;
      fs.fail_at = fail_at;
      fs.crash = crash;
      std::string dest = dir / "work/out.bin";
      fs.MakeDirs(dir / "work");
      try {
        cache.Materialize(kPayloadMd5, dest, /*executable=*/false);
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kIO);
      }
      SCOPED_TRACE("crash=" + std::to_string(crash) + " fail_at=" + std::to_string(fail_at));
      if (stdfs::exists(dest)) {
        EXPECT_EQ(Md5Hex(Get(dest)), kPayloadMd5);
      }
      if (!fs.faulted) {
        EXPECT_TRUE(stdfs::exists(dest));
        EXPECT_EQ(fs.Stat(dest).mode & 0777, 0644u);
        EXPECT_TRUE(TempFilesUnder(dir / "work").empty());
        EXPECT_GE(fail_at, 3) << "Materialize should copy and rename";
        break;
      }
      EXPECT_FALSE(stdfs::exists(dest)) << "a fault must not leave the destination";
      if (!crash) {
        EXPECT_TRUE(TempFilesUnder(dir / "work").empty());
      }
      // The cache object is untouched.
      EXPECT_TRUE(cache.Verify(kPayloadMd5));
      fs.fail_at = 0;
      fs.faulted = false;
      cache.Materialize(kPayloadMd5, dest, /*executable=*/true);
      EXPECT_EQ(Md5Hex(Get(dest)), kPayloadMd5);
      EXPECT_EQ(fs.Stat(dest).mode & 0777, 0755u);
    }
  }
}

}  // namespace
}  // namespace leanops
