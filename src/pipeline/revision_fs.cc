#include "pipeline/revision_fs.h"

#include <algorithm>

#include "core/error.h"
#include "core/subprocess.h"

namespace leanops {

std::optional<std::string> RevisionFs::ResolveCommit(const std::string& root,
                                                     const std::string& rev) {
  // "--end-of-options" keeps a revision that starts with '-' from being an option.
  ProcessResult r = RunCapture(
      {"git", "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"}, root);
  if (r.exit_code != 0) return std::nullopt;
  std::string sha = r.out.substr(0, r.out.find('\n'));
  if (sha.empty()) return std::nullopt;
  return sha;
}

std::unique_ptr<RevisionFs> RevisionFs::Open(const std::string& root, const std::string& rev) {
  ProcessResult top = RunCapture({"git", "rev-parse", "--show-toplevel"}, root);
  if (top.exit_code != 0) ThrowData("'{}' is not in a git repository: revisions need git", root);
  std::optional<std::string> commit = ResolveCommit(root, rev);
  if (!commit) ThrowData("unknown revision '{}': no such commit, branch or tag", rev);

  // Run in the repository root, ls-tree lists that directory's subtree with
  // paths relative to it (the DVC root may be below the git top level).
  // Each record: "<mode> <type> <oid> <size>\t<path>\0"; -t adds the trees.
  ProcessResult r = RunCapture({"git", "ls-tree", "-r", "-t", "-l", "-z", *commit}, root);
  if (r.exit_code != 0) ThrowData("'git ls-tree {}' failed in {}", *commit, root);
  std::map<std::string, Entry> entries;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t end = r.out.find('\0', pos);
    if (end == std::string::npos) end = r.out.size();
    std::string record = r.out.substr(pos, end - pos);
    pos = end + 1;
    size_t tab = record.find('\t');
    if (tab == std::string::npos) continue;
    std::string path = record.substr(tab + 1);
    std::string meta = record.substr(0, tab);
    // meta: mode, type, oid, size (padded with spaces)
    std::vector<std::string> fields;
    for (size_t i = 0; i < meta.size();) {
      size_t space = meta.find(' ', i);
      if (space == std::string::npos) space = meta.size();
      if (space > i) fields.push_back(meta.substr(i, space - i));
      i = space + 1;
    }
    if (fields.size() < 4) continue;
    Entry entry;
    entry.oid = fields[2];
    if (fields[1] == "tree") {
      entry.type = FileType::kDirectory;
    } else if (fields[1] == "blob") {
      entry.type = fields[0] == "120000" ? FileType::kSymlink : FileType::kFile;
      entry.size = std::stoull(fields[3]);
    } else {
      entry.type = FileType::kOther;  // a submodule
    }
    entries.emplace(std::move(path), std::move(entry));
  }
  return std::make_unique<RevisionFs>(root, rev, *commit, std::move(entries));
}

RevisionFs::RevisionFs(std::string root, std::string rev, std::string commit,
                       std::map<std::string, Entry> entries)
    : root_(std::move(root)),
      rev_(std::move(rev)),
      commit_(std::move(commit)),
      entries_(std::move(entries)) {}

std::optional<std::string> RevisionFs::Rel(const std::string& path) const {
  if (path == root_) return std::string();
  if (path.size() > root_.size() && path.compare(0, root_.size(), root_) == 0 &&
      path[root_.size()] == '/')
    return path.substr(root_.size() + 1);
  return std::nullopt;
}

FileInfo RevisionFs::Stat(const std::string& path) {
  FileInfo info;
  std::optional<std::string> rel = Rel(path);
  if (!rel) return info;
  if (rel->empty()) {
    info.type = FileType::kDirectory;
    return info;
  }
  auto it = entries_.find(*rel);
  if (it == entries_.end()) return info;
  info.type = it->second.type;
  info.size = it->second.size;
  info.mode = it->second.type == FileType::kDirectory ? 0755 : 0644;
  return info;
}

FileInfo RevisionFs::StatFollow(const std::string& path) {
  FileInfo info = Stat(path);
  if (info.type != FileType::kSymlink) return info;
  // A link inside the tree to a file of the tree (one level, as committed).
  std::string target = ReadFile(path);
  std::string dir = path.substr(0, path.rfind('/'));
  std::string resolved = target.starts_with("/") ? target : dir + "/" + target;
  FileInfo followed = Stat(resolved);
  return followed.type == FileType::kSymlink ? FileInfo{} : followed;
}

std::string RevisionFs::ReadFile(const std::string& path) {
  std::optional<std::string> rel = Rel(path);
  auto it = rel ? entries_.find(*rel) : entries_.end();
  if (it == entries_.end() ||
      (it->second.type != FileType::kFile && it->second.type != FileType::kSymlink))
    ThrowData("'{}' is not a file at revision {}", rel ? *rel : path, rev_);
  ProcessResult r = RunCapture({"git", "cat-file", "blob", it->second.oid}, root_);
  if (r.exit_code != 0) ThrowData("cannot read '{}' at revision {} (git cat-file)", *rel, rev_);
  return r.out;
}

void RevisionFs::ReadChunks(const std::string& path, size_t chunk_size,
                            const std::function<void(const char*, size_t)>& sink) {
  std::string data = ReadFile(path);
  for (size_t pos = 0; pos < data.size(); pos += chunk_size)
    sink(data.data() + pos, std::min(chunk_size, data.size() - pos));
}

std::vector<std::string> RevisionFs::ListDir(const std::string& path) {
  std::vector<std::string> names;
  std::optional<std::string> rel = Rel(path);
  if (!rel) return names;
  std::string prefix = rel->empty() ? "" : *rel + "/";
  // entries_ is sorted, so a directory's descendants are one contiguous run.
  for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;
}

std::vector<WalkEntry> RevisionFs::Walk(const std::string& root,
                                        const std::vector<std::string>& skip_dirs) {
  std::vector<WalkEntry> out;
  std::optional<std::string> rel = Rel(root);
  if (!rel) return out;
  std::string prefix = rel->empty() ? "" : *rel + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (it->second.type != FileType::kFile && it->second.type != FileType::kSymlink) continue;
    std::string relpath = it->first.substr(prefix.size());
    bool skipped = false;
    for (size_t start = 0, slash; (slash = relpath.find('/', start)) != std::string::npos;
         start = slash + 1) {
      std::string dir = relpath.substr(start, slash - start);
      if (std::find(skip_dirs.begin(), skip_dirs.end(), dir) != skip_dirs.end()) skipped = true;
    }
    if (skipped) continue;
    WalkEntry entry;
    entry.relpath = relpath;
    entry.info.type = it->second.type;
    entry.info.size = it->second.size;
    out.push_back(std::move(entry));
  }
  return out;
}

void RevisionFs::ReadOnly(const std::string& what) const {
  ThrowInternal("cannot {} in revision {}: it is read-only", what, rev_);
}

void RevisionFs::WriteFileAtomic(const std::string& path, std::string_view, uint32_t) {
  ReadOnly("write " + path);
}
void RevisionFs::CopyFile(const std::string&, const std::string& to, bool) {
  ReadOnly("write " + to);
}
bool RevisionFs::CopyFileAtomic(const std::string&, const std::string& to, uint32_t) {
  ReadOnly("write " + to);
}
void RevisionFs::Rename(const std::string& from, const std::string&) { ReadOnly("rename " + from); }
void RevisionFs::RemoveFile(const std::string& path) { ReadOnly("remove " + path); }
void RevisionFs::RemoveAll(const std::string& path) { ReadOnly("remove " + path); }
void RevisionFs::MakeDirs(const std::string& path) { ReadOnly("create " + path); }
void RevisionFs::Hardlink(const std::string&, const std::string& to) { ReadOnly("link " + to); }
void RevisionFs::Symlink(const std::string&, const std::string& link) { ReadOnly("link " + link); }
void RevisionFs::Reflink(const std::string&, const std::string& to) { ReadOnly("clone " + to); }
void RevisionFs::Chmod(const std::string& path, uint32_t) { ReadOnly("chmod " + path); }
void RevisionFs::SyncDir(const std::string&) {}
void RevisionFs::SyncFilesystem(const std::string&) {}

}  // namespace leanops
