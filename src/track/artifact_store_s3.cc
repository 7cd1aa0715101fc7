// Artifacts in S3-compatible object storage, under s3://bucket/prefix.
//
// A directory is a key prefix ending in '/': listing asks S3 for the
// prefix's keys with '/' as delimiter, so subdirectories come back as common
// prefixes, and deleting a directory deletes every key under it.
#include <algorithm>

#include "core/clock.h"
#include "core/file_system.h"
#include "data/s3_client.h"
#include "track/api_error.h"
#include "track/artifact_store.h"

namespace leanops::track {
namespace {

S3Settings StoreSettings(const std::string& uri) {
  S3Settings settings = ResolveS3Settings({});
  if (!settings.has_credentials())
    ThrowData(
        "no S3 credentials for artifact URI '{}'; set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or profile '{}' in ~/.aws/credentials",
        uri, settings.profile);
  return settings;
}

class S3ArtifactStore : public ArtifactStore {
 public:
  S3ArtifactStore(std::string uri, const S3Url& url)
      : uri_(std::move(uri)),
        prefix_(url.prefix),
        client_(url.bucket, StoreSettings(uri_), RealClock()) {}

  std::string Uri() const override { return uri_; }

  std::vector<ArtifactFile> List(const std::string& dir) override {
    std::string relative = CheckArtifactPath(dir);
    std::string prefix = DirPrefix(relative);
    std::string path_base = relative.empty() ? "" : relative + "/";
    S3Listing listing = client_.List(prefix, "/");
    std::vector<ArtifactFile> files;
    for (const S3Object& object : listing.objects) {
      std::string name = object.key.substr(prefix.size());
      if (name.empty()) continue;  // the directory's own marker object
      files.push_back({path_base + name, false, object.size});
    }
    for (const std::string& common : listing.common_prefixes) {
      std::string name = common.substr(prefix.size());
      if (!name.empty() && name.back() == '/') name.pop_back();
      if (name.empty()) continue;  // "dir//x": an empty name can't be addressed
      files.push_back({path_base + name, true, 0});
    }
    std::sort(files.begin(), files.end(),
              [](const ArtifactFile& a, const ArtifactFile& b) { return a.path < b.path; });
    return files;
  }

  void Upload(const std::string& local_file, const std::string& path) override {
    std::string relative = CheckArtifactPath(path);
    if (relative.empty()) ThrowInvalid("cannot upload '{}' as the artifact root", local_file);
    client_.Put(local_file, KeyOf(relative));
  }

  void Download(const std::string& path, const std::string& local_file) override {
    std::string relative = CheckArtifactPath(path);
    if (relative.empty()) ThrowNotFound("no artifact file '' in {}", uri_);
    FileSystem& fs = RealFs();
    std::string temp = TempNameFor(local_file);
    bool found = client_.GetToFile(KeyOf(relative), temp);
    if (!found) ThrowNotFound("no artifact file '{}' in {}", relative, uri_);
    try {
      fs.Rename(temp, local_file);
    } catch (...) {
      fs.RemoveFile(temp);
      throw;
    }
  }

  void Delete(const std::string& path) override {
    std::string relative = CheckArtifactPath(path);
    std::vector<std::string> keys;
    for (S3Object& object : client_.List(DirPrefix(relative)).objects)
      keys.push_back(std::move(object.key));
    // The file itself; a sibling that merely starts with the same name
    // ("model" and "model2") is outside "model/" and stays.
    if (relative.empty()) return client_.DeleteKeys(keys);
    if (keys.empty()) return client_.Delete(KeyOf(relative));
    keys.push_back(KeyOf(relative));
    client_.DeleteKeys(keys);
  }

  std::string LocalPath(const std::string& path) const override {
    CheckArtifactPath(path);
    return "";
  }

 private:
  // `relative` is already checked.
  std::string KeyOf(const std::string& relative) const {
    if (prefix_.empty()) return relative;
    return relative.empty() ? prefix_ : prefix_ + "/" + relative;
  }

  // The prefix of every key inside the directory `relative`.
  std::string DirPrefix(const std::string& relative) const {
    std::string key = KeyOf(relative);
    return key.empty() ? "" : key + "/";
  }

  std::string uri_, prefix_;
  S3Client client_;
};

}  // namespace

std::unique_ptr<ArtifactStore> OpenS3ArtifactStore(const std::string& uri, const S3Url& url) {
  return std::make_unique<S3ArtifactStore>(uri, url);
}

}  // namespace leanops::track
