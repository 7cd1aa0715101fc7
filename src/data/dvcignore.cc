#include "data/dvcignore.h"

#include <fnmatch.h>

#include <string_view>

#include "core/strings.h"

namespace leanops {
namespace {

std::vector<std::string> Segments(std::string_view path) { return Split(path, '/', false); }

// Matches glob segments against path segments; "**" spans any number of
// directories (zero included).
bool MatchSegments(const std::vector<std::string>& glob, size_t g,
                   const std::vector<std::string>& path, size_t p) {
  if (g == glob.size()) return p == path.size();
  if (glob[g] == "**") {
    for (size_t skip = p; skip <= path.size(); ++skip)
      if (MatchSegments(glob, g + 1, path, skip)) return true;
    return false;
  }
  if (p == path.size()) return false;
  if (::fnmatch(glob[g].c_str(), path[p].c_str(), 0) != 0) return false;
  return MatchSegments(glob, g + 1, path, p + 1);
}

}  // namespace

IgnoreRules IgnoreRules::Load(FileSystem& fs, const std::string& root) {
  std::string path = root + "/.dvcignore";
  if (!fs.Stat(path).is_file()) return IgnoreRules{};
  return Parse(fs.ReadFile(path));
}

IgnoreRules IgnoreRules::Parse(const std::string& text) {
  IgnoreRules rules;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Trailing spaces are dropped unless escaped with a backslash.
    while (!line.empty() && line.back() == ' ' &&
           (line.size() < 2 || line[line.size() - 2] != '\\'))
      line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Pattern p;
    if (line[0] == '!') {
      p.negate = true;
      line.erase(0, 1);
    } else if (line[0] == '\\' && line.size() > 1 && (line[1] == '!' || line[1] == '#')) {
      line.erase(0, 1);
    }
    if (!line.empty() && line.back() == '/') {
      p.dir_only = true;
      line.pop_back();
    }
    if (line.empty()) continue;
    p.anchored = line.find('/') != std::string::npos;
    if (!line.empty() && line[0] == '/') line.erase(0, 1);
    p.glob = line;
    rules.patterns_.push_back(std::move(p));
  }
  return rules;
}

bool IgnoreRules::IgnoredItself(const std::string& relpath, bool is_dir) const {
  bool ignored = false;
  std::vector<std::string> path = Segments(relpath);
  if (path.empty()) return false;
  for (const Pattern& p : patterns_) {
    if (p.dir_only && !is_dir) continue;
    bool match = p.anchored ? MatchSegments(Segments(p.glob), 0, path, 0)
                            : ::fnmatch(p.glob.c_str(), path.back().c_str(), 0) == 0;
    if (match) ignored = !p.negate;
  }
  return ignored;
}

bool IgnoreRules::Ignored(const std::string& relpath, bool is_dir) const {
  if (patterns_.empty()) return false;
  for (size_t slash = relpath.find('/'); slash != std::string::npos;
       slash = relpath.find('/', slash + 1))
    if (IgnoredItself(relpath.substr(0, slash), true)) return true;
  return IgnoredItself(relpath, is_dir);
}

}  // namespace leanops
