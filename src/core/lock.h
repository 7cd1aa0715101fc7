// The repository write lock: `.dvc/tmp/lock`, held with flock(2) as DVC's
// zc.lockfile does, so leanops and DVC exclude each other. The file holds
// "<pid> <command line>" of the holder so a waiting writer can name it.
//
// Readers (status, ls) never take the lock. A writer that finds it held
// waits (reporting the holder once through `on_wait`) unless `no_wait` is
// set, in which case it fails at once. The kernel drops the lock when the
// process dies, so a kill -9 never leaves a stale lock behind.
#pragma once

#include <functional>
#include <string>

namespace leanops {

class RepoLock {
 public:
  /// Acquires the lock at `path` for `command`. Throws kIO when held and
  /// `no_wait`, naming the holder.
  RepoLock(const std::string& path, const std::string& command, bool no_wait,
           const std::function<void(const std::string& holder)>& on_wait);
  ~RepoLock();
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace leanops
