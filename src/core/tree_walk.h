// Listing every file under a directory with its stat, fast.
#pragma once

#include <string>
#include <vector>

#include "core/file_system.h"

struct stat;

namespace leanops {

/// The FileInfo of a stat(2) result.
FileInfo InfoFromStat(const struct stat& st);

/// The POSIX implementation behind FileSystem::Walk. Two passes: the
/// directory structure is read with getdents alone (d_type says which
/// entries are directories), then the files are stat'ed relative to their
/// directory's fd on all cores. A no-op status of a large dataset is mostly
/// this walk, so it is what keeps `leanops status` near `git status`.
std::vector<WalkEntry> WalkTree(const std::string& root, const std::vector<std::string>& skip_dirs);

}  // namespace leanops
