// Artifacts in a local folder.
//
// Uploads copy to a temp name beside the artifact, fsync, rename and fsync
// the directory, so a reader (or a crash) sees the old artifact or the new
// one, never part of one; listings skip the temp names of uploads in flight.
// Downloads are copied to a temp name beside the destination and renamed.
#include <algorithm>

#include "core/file_system.h"
#include "track/api_error.h"
#include "track/artifact_store.h"

namespace leanops::track {
namespace {

class LocalArtifactStore : public ArtifactStore {
 public:
  LocalArtifactStore(std::string uri, std::string root)
      : uri_(std::move(uri)), root_(std::move(root)) {}

  std::string Uri() const override { return uri_; }

  std::vector<ArtifactFile> List(const std::string& dir) override {
    std::string relative = CheckArtifactPath(dir);
    std::string folder = PathOf(relative);
    std::vector<ArtifactFile> files;
    if (!fs_.StatFollow(folder).is_dir()) return files;
    for (const auto& [name, type] : fs_.ListDirTyped(folder)) {
      if (IsTempName(name)) continue;
      std::string child = folder + "/" + name;
      // A symlink lists as what it points to, as MLflow's os.path checks do.
      FileInfo info = type == FileType::kSymlink ? fs_.StatFollow(child) : fs_.Stat(child);
      if (!info.is_dir() && !info.is_file()) continue;
      ArtifactFile file;
      file.path = relative.empty() ? name : relative + "/" + name;
      file.is_dir = info.is_dir();
      file.file_size = file.is_dir ? 0 : static_cast<int64_t>(info.size);
      files.push_back(std::move(file));
    }
    std::sort(files.begin(), files.end(),
              [](const ArtifactFile& a, const ArtifactFile& b) { return a.path < b.path; });
    return files;
  }

  void Upload(const std::string& local_file, const std::string& path) override {
    std::string relative = CheckArtifactPath(path);
    if (relative.empty()) ThrowInvalid("cannot upload '{}' as the artifact root", local_file);
    std::string dest = PathOf(relative);
    std::string parent = dest.substr(0, std::max<size_t>(dest.rfind('/'), 1));  // "/" stays
    fs_.MakeDirs(parent);
    std::string temp = TempNameFor(dest);
    try {
      fs_.CopyFile(local_file, temp, /*durable=*/true);
      fs_.Rename(temp, dest);
    } catch (...) {
      fs_.RemoveFile(temp);
      throw;
    }
    fs_.SyncDir(parent);
  }

  void Download(const std::string& path, const std::string& local_file) override {
    std::string relative = CheckArtifactPath(path);
    std::string source = PathOf(relative);
    if (relative.empty() || !fs_.StatFollow(source).is_file())
      ThrowNotFound("no artifact file '{}' in {}", relative, uri_);
    std::string temp = TempNameFor(local_file);
    try {
      fs_.CopyFile(source, temp, /*durable=*/false);
      fs_.Rename(temp, local_file);
    } catch (...) {
      fs_.RemoveFile(temp);
      throw;
    }
  }

  void Delete(const std::string& path) override { fs_.RemoveAll(PathOf(CheckArtifactPath(path))); }

  std::string LocalPath(const std::string& path) const override {
    return PathOf(CheckArtifactPath(path));
  }

 private:
  // `relative` is already checked.
  std::string PathOf(const std::string& relative) const {
    if (relative.empty()) return root_;
    return root_ == "/" ? "/" + relative : root_ + "/" + relative;
  }

  FileSystem& fs_ = RealFs();
  std::string uri_, root_;
};

}  // namespace

std::unique_ptr<ArtifactStore> OpenLocalArtifactStore(const std::string& uri, std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::make_unique<LocalArtifactStore>(uri, std::move(root));
}

}  // namespace leanops::track
