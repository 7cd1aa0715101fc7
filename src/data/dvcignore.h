// .dvcignore: files DVC leaves out of tracked directories, in gitignore
// syntax. A directory's md5 covers only the files not ignored, so reading
// the same patterns as DVC is what keeps directory hashes equal in both.
//
// Supported (the repository root's .dvcignore): blank lines and "#"
// comments, "!" negation (last match wins), a trailing "/" for directories
// only, patterns without a "/" matching a name at any depth, patterns with
// one anchored at the root, "*", "?", "[...]" and "**" across directories.
// Files inside an ignored directory stay ignored, as in git.
#pragma once

#include <string>
#include <vector>

#include "core/file_system.h"

namespace leanops {

class IgnoreRules {
 public:
  /// Reads `<root>/.dvcignore` (no file: no rules).
  static IgnoreRules Load(FileSystem& fs, const std::string& root);
  /// Parses rules from text (for tests).
  static IgnoreRules Parse(const std::string& text);

  bool empty() const { return patterns_.empty(); }
  /// Whether `relpath` (relative to the root, '/'-separated) is ignored,
  /// itself or through an ignored parent directory.
  bool Ignored(const std::string& relpath, bool is_dir) const;

 private:
  struct Pattern {
    std::string glob;
    bool negate = false;
    bool dir_only = false;
    bool anchored = false;  // contains a '/': matched against the whole path
  };
  // The decision for this path alone (parents not considered).
  bool IgnoredItself(const std::string& relpath, bool is_dir) const;
  std::vector<Pattern> patterns_;
};

}  // namespace leanops
