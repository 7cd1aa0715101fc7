// Remote dispatch and the local-directory remote.
#include "data/remote.h"

#include <array>
#include <atomic>
#include <thread>

#include "core/error.h"
#include "core/file_system.h"

namespace leanops {
namespace {

class LocalRemote : public Remote {
 public:
  explicit LocalRemote(std::string root, int jobs) : root_(std::move(root)), jobs_(jobs) {}

  std::string Describe() const override { return root_; }

  std::vector<bool> Contains(const std::vector<std::string>& oids) override {
    std::vector<bool> present(oids.size());
    for (size_t i = 0; i < oids.size(); ++i) present[i] = fs_.Stat(PathOf(oids[i])).is_file();
    return present;
  }

  void Upload(const std::string& local_path, const std::string& oid) override {
    std::string dest = PathOf(oid);
    int prefix = std::stoi(oid.substr(0, 2), nullptr, 16);
    if (!prefix_made_[prefix].load(std::memory_order_relaxed)) {
      fs_.MakeDirs(dest.substr(0, dest.find_last_of('/')));
      prefix_made_[prefix].store(true, std::memory_order_relaxed);
    }
    fs_.CopyFileAtomic(local_path, dest, 0444);
  }

  void Download(const std::string& oid, const std::string& dest_path) override {
    std::string source = PathOf(oid);
    if (!fs_.Stat(source).is_file()) ThrowData("object {} is missing on remote {}", oid, root_);
    fs_.CopyFile(source, dest_path, /*durable=*/false);
  }

  std::vector<std::string> List() override {
    std::vector<std::string> oids;
    std::string base = root_ + "/files/md5";
    for (const std::string& prefix : fs_.ListDir(base)) {
      if (prefix.size() != 2) continue;
      for (const std::string& rest : fs_.ListDir(base + "/" + prefix))
        if (!IsTempName(rest)) oids.push_back(prefix + rest);
    }
    return oids;
  }

  void Remove(const std::vector<std::string>& oids) override {
    for (const std::string& oid : oids) fs_.RemoveFile(PathOf(oid));
  }

  int Jobs() const override { return jobs_; }

  void Sync() override { fs_.SyncFilesystem(root_); }

 private:
  std::string PathOf(const std::string& oid) const { return root_ + "/" + ObjectRelPath(oid); }
  FileSystem& fs_ = RealFs();
  std::string root_;
  int jobs_;
  std::array<std::atomic<bool>, 256> prefix_made_{};  // prefix directories known to exist
};

int JobsOption(const RemoteConfig& config, int fallback) {
  auto it = config.options.find("jobs");
  if (it == config.options.end()) return fallback;
  try {
    int jobs = std::stoi(it->second);
    if (jobs >= 1) return jobs;
  } catch (const std::exception&) {
  }
  ThrowData("remote '{}': 'jobs' must be a positive integer, got '{}'", config.name, it->second);
}

}  // namespace

std::string ObjectRelPath(const std::string& oid) {
  if (oid.size() < 3) ThrowInternal("invalid object id '{}'", oid);
  return "files/md5/" + oid.substr(0, 2) + "/" + oid.substr(2);
}

std::unique_ptr<Remote> OpenLocalRemote(const RemoteConfig& config, const std::string& root) {
  unsigned cores = std::thread::hardware_concurrency();
  return std::make_unique<LocalRemote>(root,
                                       JobsOption(config, cores ? static_cast<int>(cores) : 2));
}

std::unique_ptr<Remote> OpenRemote(const RemoteConfig& config, const std::string& config_dir,
                                   Clock& clock) {
  const std::string& url = config.url;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    // DVC resolves a relative local remote against the config file's directory.
    std::string root = url[0] == '/' ? url : config_dir + "/" + url;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    return OpenLocalRemote(config, root);
  }
  std::string scheme = url.substr(0, scheme_end);
  if (scheme == "s3") return OpenS3Remote(config, clock);
  if (scheme == "file") return OpenLocalRemote(config, url.substr(scheme_end + 3));
  ThrowData("remote '{}': unsupported url scheme '{}://' (leanops supports local paths and s3://)",
            config.name, scheme);
}

}  // namespace leanops
