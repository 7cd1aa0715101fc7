#include "track/artifact_proxy.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/clock.h"
#include "core/error.h"
#include "core/strings.h"
#include "track/api_error.h"
#include "track/rest_json.h"
#include "track/rest_transport.h"

namespace leanops::track {
namespace {

using nlohmann::json;

constexpr std::string_view kScheme = "mlflow-artifacts:";
constexpr const char* kEndpoint = "/mlflow-artifacts/artifacts";

class ProxiedArtifactStore : public ArtifactStore {
 public:
  ProxiedArtifactStore(std::string uri, std::string root, const std::string& base_url)
      : uri_(std::move(uri)), root_(std::move(root)), http_(base_url, Settings(), RealClock()) {}

  std::string Uri() const override { return uri_; }

  std::vector<ArtifactFile> List(const std::string& dir) override {
    const std::string relative = CheckArtifactPath(dir);
    json answer = http_.Send({"GET", kEndpoint, {{"path", Remote(relative)}}});
    std::vector<ArtifactFile> files;
    auto list = answer.find("files");
    if (list == answer.end() || !list->is_array()) return files;
    for (const json& entry : *list) {
      ArtifactFile file;
      const std::string name = AnswerText(entry, "path");
      file.path = relative.empty() ? name : relative + "/" + name;
      file.is_dir = entry.value("is_dir", false);
      auto size = entry.find("file_size");
      if (!file.is_dir && size != entry.end()) file.file_size = Int64FromJson(*size, "file_size");
      files.push_back(std::move(file));
    }
    std::sort(files.begin(), files.end(),
              [](const ArtifactFile& a, const ArtifactFile& b) { return a.path < b.path; });
    return files;
  }

  void Upload(const std::string& local_file, const std::string& path) override {
    const std::string relative = CheckArtifactPath(path);
    if (relative.empty()) ThrowInvalid("cannot upload '{}' as the artifact root", local_file);
    http_.PutFile(FileEndpoint(relative), local_file);
  }

  void Download(const std::string& path, const std::string& local_file) override {
    const std::string relative = CheckArtifactPath(path);
    if (relative.empty()) ThrowNotFound("no artifact file '' in {}", uri_);
    http_.GetFile(FileEndpoint(relative), local_file);
  }

  void Delete(const std::string& path) override {
    const std::string relative = CheckArtifactPath(path);
    if (relative.empty() && root_.empty()) ThrowInvalid("cannot delete the whole artifact proxy");
    http_.Send({"DELETE", FileEndpoint(relative), json::object(), /*idempotent=*/true});
  }

  std::string LocalPath(const std::string& path) const override {
    CheckArtifactPath(path);
    return "";
  }

 private:
  static HttpSettings Settings() {
    const char* token = std::getenv("MLFLOW_TRACKING_TOKEN");
    return ReadHttpSettings(token ? token : "");
  }

  // The path under the proxy's destination.
  std::string Remote(const std::string& relative) const {
    if (root_.empty()) return relative;
    return relative.empty() ? root_ : root_ + "/" + relative;
  }

  std::string FileEndpoint(const std::string& relative) const {
    return std::string(kEndpoint) + "/" + PercentEncode(Remote(relative), /*keep_slashes=*/true);
  }

  std::string uri_;
  std::string root_;
  RestTransport http_;
};

// "http://host:5000/prefix" -> ("http:", "host:5000", "/prefix").
struct HttpUri {
  std::string scheme, authority, path;
};

std::optional<HttpUri> ParseHttpUri(const std::string& uri) {
  for (const char* scheme : {"http://", "https://"}) {
    if (uri.rfind(scheme, 0) != 0) continue;
    std::string rest = uri.substr(std::string(scheme).size());
    size_t slash = rest.find('/');
    HttpUri parsed{std::string(scheme), rest.substr(0, slash), ""};
    if (slash != std::string::npos) parsed.path = rest.substr(slash);
    while (!parsed.path.empty() && parsed.path.back() == '/') parsed.path.pop_back();
    return parsed;
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<ArtifactStore> OpenRunArtifactStore(const std::string& artifact_uri,
                                                    const std::string& tracking_uri) {
  if (artifact_uri.rfind(kScheme, 0) != 0) return OpenArtifactStore(artifact_uri);
  std::optional<HttpUri> server = ParseHttpUri(tracking_uri);
  if (!server) {
    ThrowData(
        "artifact URI '{}' is served by a tracking server's artifact proxy; set the tracking URI "
        "to that server (--tracking-uri http://host:port), not '{}'",
        artifact_uri, tracking_uri);
  }
  std::string path = artifact_uri.substr(kScheme.size());
  std::string base = server->scheme + server->authority + server->path;
  if (path.rfind("//", 0) == 0) {
    // The URI names its own server.
    size_t slash = path.find('/', 2);
    base = server->scheme + path.substr(2, slash == std::string::npos ? slash : slash - 2);
    path = slash == std::string::npos ? "" : path.substr(slash);
  }
  std::string root = CheckArtifactPath(path.substr(path.find_first_not_of('/') == std::string::npos
                                                       ? path.size()
                                                       : path.find_first_not_of('/')));
  return std::make_unique<ProxiedArtifactStore>(artifact_uri, std::move(root), base);
}

}  // namespace leanops::track
