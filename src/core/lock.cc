#include "core/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "core/error.h"

namespace leanops {
namespace {

std::string ReadHolder(int fd) {
  char buffer[512];
  ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "another process";
  std::string text(buffer, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  size_t space = text.find(' ');
  if (space == std::string::npos) return "pid " + text;
  return "pid " + text.substr(0, space) + " (" + text.substr(space + 1) + ")";
}

}  // namespace

RepoLock::RepoLock(const std::string& path, const std::string& command, bool no_wait,
                   const std::function<void(const std::string&)>& on_wait) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) ThrowErrno("cannot open lock file", path, errno);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      int e = errno;
      ::close(fd_);
      ThrowErrno("cannot lock", path, e);
    }
    std::string holder = ReadHolder(fd_);
    if (no_wait) {
      ::close(fd_);
      ThrowIO("the repository is locked by {} ('{}'); retry later or drop --no-wait", holder, path);
    }
    if (on_wait) on_wait(holder);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd_);
      ThrowErrno("cannot lock", path, e);
    }
  }
  // Overwrite, then cut to length: a reader never finds the file empty.
  std::string content = std::to_string(::getpid()) + " " + command + "\n";
  if (::pwrite(fd_, content.data(), content.size(), 0) == static_cast<ssize_t>(content.size())) {
    int ignored = ::ftruncate(fd_, static_cast<off_t>(content.size()));
    (void)ignored;  // the holder text is informative only
  }
}

RepoLock::~RepoLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace leanops
