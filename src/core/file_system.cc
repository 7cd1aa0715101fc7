// POSIX implementation of FileSystem.
#include "core/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "core/error.h"
#include "core/tree_walk.h"

namespace leanops {
namespace {

// Temp files are named "<final>.lotmp.<random>" so an interrupted write never
// occupies the final name and leftovers are recognisable for cleanup.
constexpr std::string_view kTempMarker = ".lotmp.";

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close(const std::string& path) {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) ThrowErrno("cannot close", path, errno);
  }

 private:
  int fd_;
};

void WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("cannot write", path, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// LEANOPS_FSYNC=0 trades durability of bulk data (cache objects, local
// remote objects) against power loss for speed, as git's core.fsync=none
// does; atomicity (temp name, rename) is kept either way.
bool BulkSyncEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("LEANOPS_FSYNC");
    if (!value) return true;
    std::string v = value;
    return !(v == "0" || v == "false" || v == "no" || v == "off");
  }();
  return enabled;
}

Fd OpenForRead(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) ThrowErrno("cannot open", path, errno);
  return fd;
}

// Copies the open file `in` (named `from`) into the open file `out_fd`
// (named `to`) in errors.
void CopyInto(Fd& in, const std::string& from, int out_fd, const std::string& to, bool durable) {
  // copy_file_range keeps the bytes in the kernel; fall back to read/write
  // across filesystems where it is not supported.
  bool fallback = false;
  for (;;) {
    ssize_t n = ::copy_file_range(in.get(), nullptr, out_fd, nullptr, 1 << 30, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL) {
        fallback = true;
        break;
      }
      ThrowErrno("cannot copy to", to, errno);
    }
    if (n == 0) break;
  }
  if (fallback) {
    auto buffer = std::make_unique_for_overwrite<char[]>(1 << 20);
    for (;;) {
      ssize_t n = ::read(in.get(), buffer.get(), 1 << 20);
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("cannot read", from, errno);
      }
      if (n == 0) break;
      WriteAll(out_fd, buffer.get(), static_cast<size_t>(n), to);
    }
  }
  if (durable) {
    if (::fsync(out_fd) != 0) ThrowErrno("cannot sync", to, errno);
  } else if (BulkSyncEnabled()) {
    // Start writing the copy to disk now, without waiting: a later
    // SyncFilesystem then finds little left to flush, and the disk works
    // while the CPU hashes the next file.
    ::sync_file_range(out_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
}

class PosixFileSystem : public FileSystem {
 public:
  FileInfo Stat(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return FileInfo{};
      ThrowErrno("cannot stat", path, errno);
    }
    return InfoFromStat(st);
  }

  FileInfo StatFollow(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return FileInfo{};
      ThrowErrno("cannot stat", path, errno);
    }
    return InfoFromStat(st);
  }

  std::string ReadFile(const std::string& path) override {
    std::string out;
    ReadChunks(path, 1 << 16, [&](const char* data, size_t n) { out.append(data, n); });
    return out;
  }

  void ReadChunks(const std::string& path, size_t chunk_size,
                  const std::function<void(const char*, size_t)>& sink) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) ThrowErrno("cannot open", path, errno);
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    auto buffer = std::make_unique_for_overwrite<char[]>(chunk_size);
    for (;;) {
      ssize_t n = ::read(fd.get(), buffer.get(), chunk_size);
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("cannot read", path, errno);
      }
      if (n == 0) break;
      sink(buffer.get(), static_cast<size_t>(n));
    }
  }

  void WriteFileAtomic(const std::string& path, std::string_view contents, uint32_t mode) override {
    std::string temp = TempNameFor(path);
    {
      Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
      if (fd.get() < 0) ThrowErrno("cannot create", temp, errno);
      try {
        WriteAll(fd.get(), contents.data(), contents.size(), temp);
        if (::fsync(fd.get()) != 0) ThrowErrno("cannot sync", temp, errno);
        fd.Close(temp);
      } catch (...) {
        ::unlink(temp.c_str());
        throw;
      }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      int e = errno;
      ::unlink(temp.c_str());
      ThrowErrno("cannot rename to", path, e);
    }
    SyncDir(ParentOf(path));
  }

  void CopyFile(const std::string& from, const std::string& to, bool durable) override {
    Fd in = OpenForRead(from);
    Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (out.get() < 0) ThrowErrno("cannot create", to, errno);
    CopyInto(in, from, out.get(), to, durable);
    out.Close(to);
  }

  bool CopyFileAtomic(const std::string& from, const std::string& to, uint32_t mode) override {
    Fd in = OpenForRead(from);
    std::string dir = ParentOf(to);
    int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0) {
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
        ThrowErrno("cannot create a file in", dir, errno);
      if (errno == ENOENT) ThrowErrno("cannot create a file in", dir, errno);
      return CopyViaTempName(from, to, mode);
    }
    Fd out(fd);
    CopyInto(in, from, out.get(), to, /*durable=*/false);
    // linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc path
    // form works for every user.
    std::string proc = "/proc/self/fd/" + std::to_string(out.get());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      if (errno == EEXIST) return false;
      if (errno == ENOENT && !Stat("/proc/self/fd").exists())
        return CopyViaTempName(from, to, mode);
      ThrowErrno("cannot create", to, errno);
    }
    return true;
  }

  void Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) ThrowErrno("cannot rename to", to, errno);
  }

  void RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) ThrowErrno("cannot remove", path, errno);
  }

  void RemoveAll(const std::string& path) override {
    FileInfo info = Stat(path);
    if (!info.exists()) return;
    if (info.is_dir()) {
      // Read-only cache files sit in writable directories, so unlink works;
      // a read-only directory is made writable first.
      if ((info.mode & 0200) == 0) ::chmod(path.c_str(), info.mode | 0700);
      for (const std::string& name : ListDir(path)) RemoveAll(path + "/" + name);
      if (::rmdir(path.c_str()) != 0 && errno != ENOENT) ThrowErrno("cannot remove", path, errno);
    } else {
      RemoveFile(path);
    }
  }

  void MakeDirs(const std::string& path) override {
    if (path.empty() || path == "." || path == "/") return;
    if (::mkdir(path.c_str(), 0755) == 0) return;
    if (errno == EEXIST) {
      if (StatFollow(path).is_dir()) return;
      ThrowIO("cannot create directory '{}': a file is in the way", path);
    }
    if (errno != ENOENT) ThrowErrno("cannot create directory", path, errno);
    MakeDirs(ParentOf(path));
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      ThrowErrno("cannot create directory", path, errno);
  }

  void Hardlink(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) ThrowErrno("cannot hardlink to", to, errno);
  }

  void Symlink(const std::string& target, const std::string& link) override {
    if (::symlink(target.c_str(), link.c_str()) != 0) ThrowErrno("cannot symlink", link, errno);
  }

  void Reflink(const std::string& from, const std::string& to) override {
    Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) ThrowErrno("cannot open", from, errno);
    Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (out.get() < 0) ThrowErrno("cannot create", to, errno);
    if (::ioctl(out.get(), FICLONE, in.get()) != 0) {
      int e = errno;
      ::unlink(to.c_str());
      ThrowErrno("cannot reflink to", to, e);
    }
    out.Close(to);
  }

  void Chmod(const std::string& path, uint32_t mode) override {
    if (::chmod(path.c_str(), mode) != 0) ThrowErrno("cannot chmod", path, errno);
  }

  std::vector<std::pair<std::string, FileType>> ListDirTyped(const std::string& path) override {
    std::vector<std::pair<std::string, FileType>> entries;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) {
      if (errno == ENOENT || errno == ENOTDIR) return entries;
      ThrowErrno("cannot list", path, errno);
    }
    while (struct dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      FileType type = FileType::kOther;
      switch (entry->d_type) {
        case DT_REG:
          type = FileType::kFile;
          break;
        case DT_DIR:
          type = FileType::kDirectory;
          break;
        case DT_UNKNOWN:  // some filesystems do not fill d_type
          type = Stat(path + "/" + std::string(name)).type;
          break;
        default:
          type = Stat(path + "/" + std::string(name)).type;
          break;
      }
      entries.emplace_back(std::string(name), type);
    }
    ::closedir(dir);
    return entries;
  }

  std::vector<std::string> ListDir(const std::string& path) override {
    std::vector<std::string> names;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) {
      if (errno == ENOENT || errno == ENOTDIR) return names;
      ThrowErrno("cannot list", path, errno);
    }
    while (struct dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    ::closedir(dir);
    return names;
  }

  std::vector<WalkEntry> Walk(const std::string& root,
                              const std::vector<std::string>& skip_dirs) override {
    return WalkTree(root, skip_dirs);
  }

  void SyncDir(const std::string& path) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) ThrowErrno("cannot open directory", path, errno);
    ::fsync(fd.get());  // some filesystems refuse fsync on directories; not fatal
  }

  bool CopyViaTempName(const std::string& from, const std::string& to, uint32_t mode) {
    std::string temp = TempNameFor(to);
    try {
      CopyFile(from, temp, /*durable=*/false);
      Chmod(temp, mode);
      if (Stat(to).exists()) {
        RemoveFile(temp);
        return false;
      }
      Rename(temp, to);
    } catch (...) {
      RemoveFile(temp);
      throw;
    }
    return true;
  }

  void SyncFilesystem(const std::string& path) override {
    if (!BulkSyncEnabled()) return;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) ThrowErrno("cannot open", path, errno);
    if (::syncfs(fd.get()) != 0) ThrowErrno("cannot sync filesystem of", path, errno);
  }
};

}  // namespace

std::vector<std::pair<std::string, FileType>> FileSystem::ListDirTyped(const std::string& path) {
  std::vector<std::pair<std::string, FileType>> entries;
  for (std::string& name : ListDir(path)) {
    FileType type = Stat(path + "/" + name).type;
    entries.emplace_back(std::move(name), type);
  }
  return entries;
}

FileSystem& RealFs() {
  static PosixFileSystem fs;
  return fs;
}

std::string TempNameFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  return fmt::format("{}{}{:x}{:x}", path, kTempMarker, rng() & 0xffffffff, ++counter);
}

bool IsTempName(std::string_view name) { return name.find(kTempMarker) != std::string_view::npos; }

}  // namespace leanops
