#include "table/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace leanops::table {

MappedFile::MappedFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  // A path that does not exist is the user's mistake (exit 3), not an I/O failure.
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
    ThrowData("cannot open '{}': {}", path, std::strerror(errno));
  }
  if (fd < 0) ThrowErrno("cannot open", path, errno);
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    ThrowErrno("cannot stat", path, error);
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    ThrowErrno("cannot read", path, EISDIR);
  }
  size_ = static_cast<size_t>(info.st_size);
  if (size_ > 0) {
    void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      int error = errno;
      ::close(fd);
      ThrowErrno("cannot map", path, error);
    }
    data_ = static_cast<const char*>(mapped);
    // Parsing walks each range front to back: read ahead aggressively.
    ::madvise(mapped, size_, MADV_SEQUENTIAL);
  }
  // The mapping stays valid after the descriptor is closed.
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::Populate(uint64_t begin, uint64_t end) {
#ifndef MADV_POPULATE_READ
  constexpr int MADV_POPULATE_READ = 22;  // Linux 5.14; older headers lack it
#endif
  uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  begin = begin / page * page;
  end = std::min<uint64_t>(end, size_);
  if (data_ == nullptr || end <= begin) return;
  ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_POPULATE_READ);
}

void MappedFile::Release(uint64_t end) {
  uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t aligned_end = end / page * page;
  if (data_ == nullptr || aligned_end <= released_) return;
  ::madvise(const_cast<char*>(data_) + released_, aligned_end - released_, MADV_DONTNEED);
  released_ = aligned_end;
}

}  // namespace leanops::table
