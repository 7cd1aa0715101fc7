#include "data/repo.h"

#include <unistd.h>

#include <algorithm>
#include <climits>

#include "core/error.h"
#include "core/strings.h"

namespace leanops {
namespace {

const char kDvcGitignore[] = "/config.local\n/tmp\n/cache\n";
const char kDvcignore[] =
    "# Add patterns of files dvc should ignore, which could improve\n"
    "# the performance. Learn more at\n"
    "# https://dvc.org/doc/user-guide/dvcignore\n";

std::string CurrentDir() {
  char buffer[PATH_MAX];
  if (!::getcwd(buffer, sizeof(buffer))) ThrowErrno("cannot get", "current directory", errno);
  return buffer;
}

}  // namespace

std::string NormalizePath(const std::string& path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string RelativePath(const std::string& from, const std::string& to) {
  std::vector<std::string> a = Split(from, '/', false);
  std::vector<std::string> b = Split(to, '/', false);
  size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
  std::string out;
  for (size_t i = common; i < a.size(); ++i) out += out.empty() ? ".." : "/..";
  for (size_t i = common; i < b.size(); ++i) out += (out.empty() ? "" : "/") + b[i];
  return out.empty() ? "." : out;
}

std::string AbsoluteFromCwd(const std::string& path) {
  return NormalizePath(!path.empty() && path[0] == '/' ? path : CurrentDir() + "/" + path);
}

Repo::Repo(FileSystem& fs, Clock& clock, std::string root)
    : fs_(fs), clock_(clock), root_(std::move(root)) {
  config_ = RepoConfig::Load(fs_, dvc_dir());
  cache_ = std::make_unique<Cache>(fs_, config_.CacheDir(), config_.CacheLinkTypes());
  has_git_ = fs_.Stat(root_ + "/.git").exists();
}

std::unique_ptr<Repo> Repo::Open(FileSystem& fs, Clock& clock, const std::string& start_dir) {
  std::string dir = NormalizePath(
      start_dir.empty() || start_dir[0] != '/' ? CurrentDir() + "/" + start_dir : start_dir);
  for (std::string candidate = dir;; candidate = DirName(candidate)) {
    if (fs.Stat(candidate + "/.dvc").is_dir()) return std::make_unique<Repo>(fs, clock, candidate);
    if (candidate == "/") break;
  }
  ThrowData(
      "'{}' is not inside a leanops/DVC repository (no .dvc directory found); run "
      "'leanops init' first",
      dir);
}

void Repo::Init(FileSystem& fs, const std::string& dir, bool no_scm, bool force) {
  std::string root = NormalizePath(dir[0] == '/' ? dir : CurrentDir() + "/" + dir);
  if (!no_scm && !fs.Stat(root + "/.git").exists())
    ThrowData("'{}' is not the top of a git repository; run 'git init' first or use --no-scm",
              root);
  std::string dvc = root + "/.dvc";
  if (fs.Stat(dvc).exists() && !force)
    ThrowData("'{}' is already initialised; use -f to reinitialise", dvc);
  if (force && fs.Stat(dvc).exists()) {
    // Reinitialising keeps the cache (it holds data); configuration is reset.
    fs.RemoveFile(dvc + "/config");
    fs.RemoveFile(dvc + "/config.local");
  }
  fs.MakeDirs(dvc + "/tmp");
  fs.WriteFileAtomic(dvc + "/config", no_scm ? "[core]\n    no_scm = True\n" : "");
  fs.WriteFileAtomic(dvc + "/.gitignore", kDvcGitignore);
  if (!fs.Stat(root + "/.dvcignore").exists()) fs.WriteFileAtomic(root + "/.dvcignore", kDvcignore);
}

StateIndex& Repo::state() {
  if (!state_) {
    std::string dir = dvc_dir() + "/tmp/leanops";
    fs_.MakeDirs(dir);
    state_ = std::make_unique<StateIndex>(dir + "/state.db");
  }
  return *state_;
}

const IgnoreRules& Repo::ignore_rules() {
  if (!ignore_rules_) ignore_rules_ = std::make_unique<IgnoreRules>(IgnoreRules::Load(fs_, root_));
  return *ignore_rules_;
}

std::unique_ptr<RepoLock> Repo::Lock(const std::string& command, bool no_wait,
                                     const std::function<void(const std::string&)>& on_wait) {
  fs_.MakeDirs(dvc_dir() + "/tmp");
  return std::make_unique<RepoLock>(dvc_dir() + "/tmp/lock", command, no_wait, on_wait);
}

std::string Repo::AbsPath(const std::string& user_path) const {
  if (user_path.empty()) ThrowUsage("empty path");
  std::string abs = NormalizePath(user_path[0] == '/' ? user_path : CurrentDir() + "/" + user_path);
  if (abs != root_ && abs.rfind(root_ + "/", 0) != 0)
    ThrowData("'{}' is outside the repository '{}'", user_path, root_);
  return abs;
}

std::string Repo::RelPath(const std::string& abs_path) const {
  if (abs_path == root_) return ".";
  if (abs_path.rfind(root_ + "/", 0) == 0) return abs_path.substr(root_.size() + 1);
  return abs_path;
}

void Repo::ScanWorkTree(std::vector<std::string>* dvc_files,
                        std::vector<std::string>* pipeline_files) {
  std::vector<std::string> stack{root_};
  while (!stack.empty()) {
    std::string dir = stack.back();
    stack.pop_back();
    std::vector<std::pair<std::string, FileType>> entries = fs_.ListDirTyped(dir);
    std::sort(entries.begin(), entries.end());
    auto has_entry = [&](const std::string& name) {
      auto it = std::lower_bound(entries.begin(), entries.end(), std::make_pair(name, FileType{}),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
      return it != entries.end() && it->first == name;
    };
    for (const auto& [name, type] : entries) {
      std::string path = dir + "/" + name;
      if (name.size() > 4 && name.ends_with(".dvc") && type == FileType::kFile) {
        if (dvc_files) dvc_files->push_back(path);
        continue;
      }
      if (name == "dvc.yaml") {
        if (pipeline_files && type == FileType::kFile) pipeline_files->push_back(path);
        continue;
      }
      if (name == ".git" || name == ".dvc") continue;
      if (type != FileType::kDirectory) continue;
      // A directory tracked by a sibling .dvc file holds data, not pointers.
      if (has_entry(name + ".dvc")) continue;
      stack.push_back(path);
    }
  }
  if (dvc_files) std::sort(dvc_files->begin(), dvc_files->end());
  if (pipeline_files) std::sort(pipeline_files->begin(), pipeline_files->end());
}

std::optional<std::vector<WalkEntry>> Repo::SharedWalk(const std::string& dir) const {
  if (!share_walks_ || walks_.empty()) return std::nullopt;
  for (std::string p = dir; !p.empty(); p = DirName(p)) {
    auto it = walks_.find(p);
    if (it != walks_.end()) {
      if (p == dir) return it->second;
      // Entries of the walk of an ancestor that lie below `dir`.
      std::string prefix = dir.substr(p.size() + 1) + "/";
      std::vector<WalkEntry> below;
      for (const WalkEntry& e : it->second)
        if (e.relpath.compare(0, prefix.size(), prefix) == 0)
          below.push_back(WalkEntry{e.relpath.substr(prefix.size()), e.info});
      return below;
    }
    if (p == "/" || p == root_) break;
  }
  return std::nullopt;
}

std::vector<std::string> Repo::FindDvcFiles() {
  std::vector<std::string> found;
  ScanWorkTree(&found, nullptr);
  return found;
}

std::vector<std::string> Repo::FindPipelineFiles() {
  std::vector<std::string> found;
  ScanWorkTree(nullptr, &found);
  return found;
}

DvcFile Repo::LoadPointer(const std::string& path) {
  DvcFile file = LoadDvcFile(fs_, path);
  for (const DvcOut& out : file.outs) {
    std::string abs = NormalizePath(DirName(path) + "/" + out.path);
    if (abs == root_ || abs.rfind(root_ + "/", 0) != 0)
      ThrowData("{}: output 'path: {}' is outside the repository", RelPath(path), out.path);
  }
  return file;
}

std::vector<DvcFile> Repo::LoadTargets(const std::vector<std::string>& targets) {
  std::vector<DvcFile> files;
  if (targets.empty()) {
    std::vector<std::string> dvc_files, pipeline_files;
    ScanWorkTree(&dvc_files, pointer_source_ ? &pipeline_files : nullptr);
    for (const std::string& path : dvc_files) files.push_back(LoadPointer(path));
    if (pointer_source_)
      for (DvcFile& file : pointer_source_->All(*this, pipeline_files))
        files.push_back(std::move(file));
    return files;
  }
  for (const std::string& target : targets) {
    std::string abs = target.find(':') != std::string::npos ? "" : AbsPath(target);
    while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    std::string pointer = abs.ends_with(".dvc") ? abs : abs + ".dvc";
    if (!abs.empty() && fs_.Stat(pointer).is_file()) {
      files.push_back(LoadPointer(pointer));
      continue;
    }
    std::vector<DvcFile> found;
    if (pointer_source_) found = pointer_source_->ForTarget(*this, target);
    if (found.empty())
      ThrowData("'{}' is not tracked: no '{}' found and no pipeline stage or output of that name",
                target, abs.empty() ? target : RelPath(pointer));
    for (DvcFile& file : found) files.push_back(std::move(file));
  }
  return files;
}

}  // namespace leanops
