// S3 remote (DVC's s3://bucket/prefix): DVC's object layout on an S3Client.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/md5.h"
#include "core/parallel.h"
#include "data/remote.h"
#include "data/s3_client.h"

namespace leanops {
namespace {

constexpr size_t kMaxHeadOids = 64;  // Contains: above this, one listing is cheaper

// The md5 an object's bytes must have: its oid, without a manifest's ".dir";
// "" for oids that are not md5s.
std::string_view Md5OfOid(std::string_view oid) {
  if (oid.size() > 4 && oid.substr(oid.size() - 4) == ".dir") oid.remove_suffix(4);
  return IsMd5Hex(oid) ? oid : "";
}

S3Url ParseRemoteUrl(const RemoteConfig& config) {
  if (config.url.substr(0, 5) != "s3://")
    ThrowData("remote '{}': url '{}' is not s3://", config.name, config.url);
  std::optional<S3Url> url = ParseS3Url(config.url);
  if (!url) ThrowData("remote '{}': url '{}' names no bucket", config.name, config.url);
  return *url;
}

S3Settings RemoteSettings(const RemoteConfig& config, const std::string& describe) {
  S3Settings settings = ResolveS3Settings(config.options);
  if (!settings.has_credentials())
    ThrowData(
        "remote '{}' ({}): no S3 credentials; set the remote's access_key_id and "
        "secret_access_key options, the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "environment variables, or profile '{}' in ~/.aws/credentials",
        config.name, describe, settings.profile);
  return settings;
}

class S3Remote : public Remote {
 public:
  S3Remote(const RemoteConfig& config, S3Url url, Clock& clock)
      : prefix_(url.prefix),
        describe_("s3://" + url.bucket + (prefix_.empty() ? "" : "/" + prefix_)),
        key_base_((prefix_.empty() ? "" : prefix_ + "/") + "files/md5/"),
        client_(url.bucket, RemoteSettings(config, describe_), clock) {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    jobs_ = static_cast<int>(std::min(16u, 4 * cores));
    if (auto it = config.options.find("jobs"); it != config.options.end()) {
      char* end = nullptr;
      long jobs = std::strtol(it->second.c_str(), &end, 10);
      if (it->second.empty() || *end != '\0' || jobs < 1 || jobs > 1024)
        ThrowData("remote '{}': jobs '{}' is not a number from 1 to 1024", config.name, it->second);
      jobs_ = static_cast<int>(jobs);
    }
  }

  std::string Describe() const override { return describe_; }
  int Jobs() const override { return jobs_; }

  std::vector<bool> Contains(const std::vector<std::string>& oids) override {
    std::vector<bool> result(oids.size());
    if (oids.size() > kMaxHeadOids) {
      std::vector<std::string> listed = List();
      std::unordered_set<std::string> present(listed.begin(), listed.end());
      for (size_t i = 0; i < oids.size(); ++i) result[i] = present.count(oids[i]) > 0;
      return result;
    }
    std::vector<char> found(oids.size());  // vector<bool> is not safe to fill from threads
    ParallelFor(oids.size(), jobs_,
                [&](size_t i) { found[i] = client_.Head(Key(oids[i])).has_value(); });
    for (size_t i = 0; i < oids.size(); ++i) result[i] = found[i];
    return result;
  }

  void Upload(const std::string& local_path, const std::string& oid) override {
    // Content-MD5: the server rejects bytes that do not match the oid.
    client_.Put(local_path, Key(oid), Md5OfOid(oid));
  }

  void Download(const std::string& oid, const std::string& dest_path) override {
    if (!client_.GetToFile(Key(oid), dest_path))
      ThrowData("object {} is missing on remote {}", oid, describe_);
  }

  std::vector<std::string> List() override {
    std::vector<std::string> oids;
    for (const S3Object& object : client_.List(key_base_).objects)
      if (std::string oid = OidOfKey(object.key); !oid.empty()) oids.push_back(std::move(oid));
    return oids;
  }

  void Remove(const std::vector<std::string>& oids) override {
    std::vector<std::string> keys;
    keys.reserve(oids.size());
    for (const std::string& oid : oids) keys.push_back(Key(oid));
    client_.DeleteKeys(keys);
  }

 private:
  std::string Key(const std::string& oid) const {
    return (prefix_.empty() ? "" : prefix_ + "/") + ObjectRelPath(oid);
  }

  // "<prefix>/files/md5/ab/cdef..." gives "abcdef..."; foreign keys give "".
  std::string OidOfKey(std::string_view key) const {
    if (key.substr(0, key_base_.size()) != key_base_) return "";
    key.remove_prefix(key_base_.size());
    if (key.size() < 3 || key[2] != '/') return "";
    std::string oid = std::string(key.substr(0, 2)) + std::string(key.substr(3));
    return Md5OfOid(oid).empty() ? "" : oid;
  }

  std::string prefix_, describe_, key_base_;
  S3Client client_;
  int jobs_ = 1;
};

}  // namespace

std::unique_ptr<Remote> OpenS3Remote(const RemoteConfig& config, Clock& clock) {
  return std::make_unique<S3Remote>(config, ParseRemoteUrl(config), clock);
}

}  // namespace leanops
