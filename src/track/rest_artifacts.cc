// Artifact endpoints: the run artifact listing of the tracking service
// (GET /mlflow/artifacts/list) and the mlflow-artifacts proxy
// (mlflow/protos/mlflow_artifacts.proto) over --artifacts-destination.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "track/api_error.h"
#include "track/artifact_store.h"
#include "track/rest_handlers.h"

namespace leanops::track::rest {
namespace {

using nlohmann::json;

constexpr std::string_view kProxyScheme = "mlflow-artifacts:";
constexpr std::string_view kProxyHttpAnchor = "/api/2.0/mlflow-artifacts/artifacts/";

// A temporary file for an upload or a download from remote storage,
// removed when it goes out of scope.
class TempFile {
 public:
  TempFile() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "leanops-artifact-XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) ThrowErrno("cannot create a temporary file", pattern, errno);
    path_ = pattern;
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  /// Hands the file over (e.g. to a response that removes it once sent).
  std::string Release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return std::exchange(path_, "");
  }

 private:
  int fd_ = -1;
  std::string path_;
};

// MLflow's validate_path_is_safe: the path is percent-decoded until it no
// longer changes (so "%252e%252e" cannot smuggle "..") and must stay
// relative and below the root.
std::string SafeArtifactPath(std::string path) {
  for (std::string next = http::DecodeUrl(path, false); next != path;
       next = http::DecodeUrl(path, false)) {
    path = next;
  }
  if (path.find('#') != std::string::npos) ThrowInvalid("Invalid path");
  return CheckArtifactPath(path);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

json FileJson(std::string path, const ArtifactFile& file) {
  json out = {{"path", std::move(path)}, {"is_dir", file.is_dir}};
  // MLflow reports no size for directories.
  if (!file.is_dir) out["file_size"] = file.file_size;
  return out;
}

// The content type MLflow's _guess_mime_type gives common artifact files.
std::string GuessMimeType(const std::string& path) {
  std::string name = BaseName(path);
  size_t dot = name.rfind('.');
  std::string extension = dot == std::string::npos ? name : name.substr(dot + 1);
  struct Entry {
    const char* extension;
    const char* type;
  };
  static constexpr Entry kTypes[] = {
      {"MLmodel", "text/plain"},
      {"MLproject", "text/plain"},
      {"txt", "text/plain"},
      {"log", "text/plain"},
      {"yaml", "text/plain"},
      {"yml", "text/plain"},
      {"py", "text/plain"},
      {"md", "text/markdown"},
      {"json", "application/json"},
      {"csv", "text/csv"},
      {"tsv", "text/tab-separated-values"},
      {"html", "text/html"},
      {"htm", "text/html"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"svg", "image/svg+xml"},
      {"bmp", "image/bmp"},
      {"pdf", "application/pdf"},
      {"xml", "application/xml"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"tar", "application/x-tar"},
  };
  for (const Entry& entry : kTypes) {
    if (extension == entry.extension) return entry.type;
  }
  return "application/octet-stream";
}

// The folder inside --artifacts-destination that a proxied artifact URI
// names: "mlflow-artifacts:/1/abc/artifacts" -> "1/abc/artifacts"
// (MLflow's _get_proxied_run_artifact_destination_path).
std::optional<std::string> ProxiedSubpath(const std::string& uri) {
  std::string path;
  if (uri.compare(0, kProxyScheme.size(), kProxyScheme) == 0) {
    path = uri.substr(kProxyScheme.size());
    if (path.rfind("//", 0) == 0) {
      size_t slash = path.find('/', 2);
      path = slash == std::string::npos ? "" : path.substr(slash);
    }
  } else if (uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) {
    size_t anchor = uri.find(kProxyHttpAnchor);
    if (anchor == std::string::npos) return std::nullopt;
    path = uri.substr(anchor + kProxyHttpAnchor.size());
  } else {
    return std::nullopt;
  }
  path = path.substr(0, path.find_first_of("?#"));
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  return path;
}

ArtifactStore& Destination(Call& call) {
  if (call.destination == nullptr) {
    throw Error(ErrorKind::kData, "ENDPOINT_NOT_FOUND",
                "Artifacts are not served: start the server with --artifacts-destination");
  }
  return *call.destination;
}

// GET /mlflow/artifacts/list?run_id=&path=
void ListRunArtifacts(Call& call) {
  std::string run_id = call.String("run_id");
  if (run_id.empty()) run_id = call.String("run_uuid");
  if (run_id.empty()) Call::ThrowMissing("run_id");
  std::string path = call.Raw("path") != nullptr ? SafeArtifactPath(call.String("path")) : "";
  RunInfo info = call.store.GetRun(run_id).info;

  json files = json::array();
  std::optional<std::string> proxied =
      call.destination != nullptr ? ProxiedSubpath(info.artifact_uri) : std::nullopt;
  if (proxied) {
    // Checked again: an experiment's artifact location is user input, and
    // "mlflow-artifacts:/../x" must not reach outside the destination.
    std::string dir = CheckArtifactPath(proxied->empty() ? path : *proxied + "/" + path);
    for (const ArtifactFile& file : call.destination->List(dir)) {
      std::string name = BaseName(file.path);
      files.push_back(FileJson(path.empty() ? name : path + "/" + name, file));
    }
  } else {
    std::unique_ptr<ArtifactStore> store = OpenArtifactStore(info.artifact_uri);
    for (const ArtifactFile& file : store->List(path)) files.push_back(FileJson(file.path, file));
  }
  json out = {{"root_uri", info.artifact_uri}};
  if (!files.empty()) out["files"] = std::move(files);
  call.Reply(out);
}

// GET /mlflow-artifacts/artifacts?path=dir
void ListProxied(Call& call) {
  std::string path = call.Raw("path") != nullptr ? SafeArtifactPath(call.String("path")) : "";
  json files = json::array();
  for (const ArtifactFile& file : Destination(call).List(path)) {
    files.push_back(FileJson(BaseName(file.path), file));
  }
  json out = json::object();
  if (!files.empty()) out["files"] = std::move(files);
  call.Reply(out);
}

// GET /mlflow-artifacts/artifacts/<path>: the file, streamed from disk.
void Download(Call& call) {
  std::string path = SafeArtifactPath(call.artifact_path);
  ArtifactStore& store = Destination(call);
  http::Response& response = call.response;
  std::string local = store.LocalPath(path);
  if (!local.empty()) {
    struct stat info {};
    if (::stat(local.c_str(), &info) != 0) ThrowNotFound("Artifact '{}' not found", path);
    if (!S_ISREG(info.st_mode)) ThrowInvalid("Artifact '{}' is a directory, not a file", path);
    response.file_path = local;
  } else {
    TempFile copy;
    store.Download(path, copy.path());
    response.file_path = copy.Release();
    response.remove_file = true;
  }
  response.status = 200;
  // Always an attachment, so that a browser never renders an uploaded
  // HTML file as a page of this server.
  response.content_type = GuessMimeType(path);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=" + BaseName(path));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

// PUT /mlflow-artifacts/artifacts/<path>: the raw body is the file.
void Upload(Call& call) {
  std::string path = SafeArtifactPath(call.artifact_path);
  if (path.empty()) ThrowInvalid("Invalid path");
  ArtifactStore& store = Destination(call);
  TempFile staged;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    size_t n = call.body.Read(buffer.data(), buffer.size());
    if (n == 0) break;
    const char* data = buffer.data();
    while (n > 0) {
      ssize_t written = ::write(staged.fd(), data, n);
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) ThrowErrno("cannot write", staged.path(), errno);
      data += written;
      n -= static_cast<size_t>(written);
    }
  }
  store.Upload(staged.path(), path);
  call.Reply(json::object());
}

// DELETE /mlflow-artifacts/artifacts/<path>
void Delete(Call& call) {
  std::string path = SafeArtifactPath(call.artifact_path);
  if (path.empty()) ThrowInvalid("Invalid path");
  Destination(call).Delete(path);
  call.Reply(json::object());
}

// Multipart uploads hand out presigned part URLs of the underlying object
// store; ArtifactStore has no such operation, so leanops answers as MLflow
// does for a store without it, and clients fall back to a single PUT.
void MultipartUnsupported(Call& call) {
  SafeArtifactPath(call.artifact_path);
  throw Error(ErrorKind::kData, "NOT_IMPLEMENTED",
              "Multipart upload is not supported for the current artifact repository");
}

// The proxy's routes, by what follows /mlflow-artifacts/.
struct ProxyRoute {
  std::string_view prefix;  // "artifacts" exactly, or a prefix ending in '/'
  const char* method;
  Handler handler;
};

constexpr ProxyRoute kProxyRoutes[] = {
    {"artifacts", "GET", ListProxied},
    {"artifacts/", "GET", Download},
    {"artifacts/", "PUT", Upload},
    {"artifacts/", "DELETE", Delete},
    {"mpu/create/", "POST", MultipartUnsupported},
    {"mpu/complete/", "POST", MultipartUnsupported},
    {"mpu/abort/", "POST", MultipartUnsupported},
};

bool Matches(const ProxyRoute& route, const std::string& rest) {
  if (route.prefix.back() != '/') return rest == route.prefix;
  // "<path:...>" needs at least one character.
  return rest.size() > route.prefix.size() &&
         rest.compare(0, route.prefix.size(), route.prefix) == 0;
}

}  // namespace

std::vector<Route> ArtifactRoutes() {
  return {{"GET", "/mlflow/artifacts/list", ListRunArtifacts}};
}

bool IsArtifactProxyPath(const std::string& rest) {
  for (const ProxyRoute& route : kProxyRoutes) {
    if (Matches(route, rest)) return true;
  }
  return false;
}

Handler ArtifactProxyHandler(const std::string& method, const std::string& rest, Call& call) {
  for (const ProxyRoute& route : kProxyRoutes) {
    if (method == route.method && Matches(route, rest)) {
      call.artifact_path = route.prefix.back() == '/' ? rest.substr(route.prefix.size()) : "";
      return route.handler;
    }
  }
  return nullptr;
}

}  // namespace leanops::track::rest
