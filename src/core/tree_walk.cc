#include "core/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/error.h"
#include "core/parallel.h"

namespace leanops {
namespace {

struct Dir {
  std::string path;    // absolute or as given
  std::string prefix;  // relpath prefix of its entries ("" or "a/b/")
};

struct Name {
  uint32_t dir;
  std::string name;
};

// Files per parallel work item: large enough that opening the directory fd
// again is noise, small enough to balance two cores.
constexpr size_t kChunk = 512;

// Reads one directory: its subdirectories go to `subdirs`, other entries to
// `names` (tagged with `index`, the directory's position in the walk).
void ReadDir(const Dir& dir_info, uint32_t index, std::vector<Dir>& subdirs,
             std::vector<Name>& names, const std::vector<std::string>& skip_dirs) {
  const std::string& path = dir_info.path;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) {
    if (errno == ENOENT && index > 0) return;  // a subdirectory removed while walking
    ThrowErrno("cannot open directory", path, errno);
  }
  while (struct dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {  // some filesystems do not fill d_type
      struct stat st;
      if (::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
    }
    if (type == DT_DIR) {
      if (std::find(skip_dirs.begin(), skip_dirs.end(), name) == skip_dirs.end())
        subdirs.push_back(
            Dir{path + "/" + std::string(name), dir_info.prefix + std::string(name) + "/"});
    } else if (type == DT_REG || type == DT_LNK) {
      names.push_back(Name{index, std::string(name)});
    }
  }
  ::closedir(dir);
}

}  // namespace

FileInfo InfoFromStat(const struct stat& st) {
  FileInfo info;
  if (S_ISREG(st.st_mode))
    info.type = FileType::kFile;
  else if (S_ISDIR(st.st_mode))
    info.type = FileType::kDirectory;
  else if (S_ISLNK(st.st_mode))
    info.type = FileType::kSymlink;
  else
    info.type = FileType::kOther;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.inode = st.st_ino;
  info.mode = st.st_mode & 07777;
  return info;
}

std::vector<WalkEntry> WalkTree(const std::string& root,
                                const std::vector<std::string>& skip_dirs) {
  // Level by level, the directories of one level read in parallel.
  std::vector<Dir> dirs{Dir{root, ""}};
  std::vector<Name> names;
  size_t level_begin = 0;
  while (level_begin < dirs.size()) {
    size_t level_end = dirs.size();
    size_t count = level_end - level_begin;
    std::vector<std::vector<Dir>> subdirs(count);
    std::vector<std::vector<Name>> found(count);
    ParallelFor(count, DefaultJobs(), [&](size_t i) {
      uint32_t index = static_cast<uint32_t>(level_begin + i);
      ReadDir(dirs[index], index, subdirs[i], found[i], skip_dirs);
    });
    for (size_t i = 0; i < count; ++i) {
      for (Dir& d : subdirs[i]) dirs.push_back(std::move(d));
      for (Name& n : found[i]) names.push_back(std::move(n));
    }
    level_begin = level_end;
  }

  std::vector<WalkEntry> entries(names.size());
  std::vector<char> keep(names.size(), 0);
  size_t chunks = (names.size() + kChunk - 1) / kChunk;
  ParallelFor(chunks, DefaultJobs(), [&](size_t chunk) {
    int dfd = -1;
    uint32_t open_dir = UINT32_MAX;
    size_t end = std::min(names.size(), (chunk + 1) * kChunk);
    for (size_t i = chunk * kChunk; i < end; ++i) {
      const Name& n = names[i];
      if (n.dir != open_dir) {
        if (dfd >= 0) ::close(dfd);
        dfd = ::open(dirs[n.dir].path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        open_dir = n.dir;
        if (dfd < 0) {
          if (errno == ENOENT) continue;  // removed while walking
          ThrowErrno("cannot open directory", dirs[n.dir].path, errno);
        }
      }
      if (dfd < 0) continue;
      struct stat st;
      // Links to files count as files (as DVC follows them); links to
      // directories were never queued, which avoids cycles.
      if (::fstatat(dfd, n.name.c_str(), &st, 0) != 0) {
        if (errno == ENOENT || errno == ELOOP) continue;  // removed, or a dangling link
        int e = errno;
        ::close(dfd);
        ThrowErrno("cannot stat", dirs[n.dir].path + "/" + n.name, e);
      }
      if (!S_ISREG(st.st_mode)) continue;  // a link to a directory or a device
      entries[i] = WalkEntry{dirs[n.dir].prefix + n.name, InfoFromStat(st)};
      keep[i] = 1;
    }
    if (dfd >= 0) ::close(dfd);
  });

  std::vector<WalkEntry> out;
  out.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i)
    if (keep[i]) out.push_back(std::move(entries[i]));
  std::sort(out.begin(), out.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.relpath < b.relpath; });
  return out;
}

}  // namespace leanops
