#include <algorithm>

#include "core/error.h"
#include "core/strings.h"
#include "data/ops.h"

namespace leanops {
namespace {

// gitignore patterns treat these characters specially; DVC escapes them so
// the entry matches exactly one path.
std::string EscapeForGitignore(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '[' || c == ']' || c == '!' || c == '*' || c == '#' || c == '?' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

void AddGitignoreEntries(FileSystem& fs, const std::string& dir,
                         const std::vector<std::string>& names) {
  std::string path = dir + "/.gitignore";
  std::string text = fs.Stat(path).exists() ? fs.ReadFile(path) : "";
  std::vector<std::string> lines = Split(text, '\n', true);
  std::string added;
  for (const std::string& name : names) {
    std::string entry = "/" + EscapeForGitignore(name);
    if (std::find(lines.begin(), lines.end(), entry) != lines.end()) continue;
    lines.push_back(entry);
    added += entry + "\n";
  }
  if (added.empty()) return;
  if (!text.empty() && text.back() != '\n') text += "\n";
  fs.WriteFileAtomic(path, text + added);
}

void RemoveGitignoreEntry(FileSystem& fs, const std::string& dir, const std::string& name) {
  std::string path = dir + "/.gitignore";
  if (!fs.Stat(path).exists()) return;
  std::string entry = "/" + EscapeForGitignore(name);
  std::string kept;
  bool found = false;
  for (const std::string& line : Split(fs.ReadFile(path), '\n', true)) {
    if (line == entry) {
      found = true;
      continue;
    }
    kept += line + "\n";
  }
  if (!found) return;
  if (kept.find_first_not_of(" \t\n") == std::string::npos)
    fs.RemoveFile(path);
  else
    fs.WriteFileAtomic(path, kept);
}

std::string OutputAbsPath(const DvcFile& file, const DvcOut& out) {
  return NormalizePath(DirName(file.path) + "/" + out.path);
}

}  // namespace leanops
