// Artifact URIs and paths, and the choice of store by URI scheme.
#include "track/artifact_store.h"

#include <cctype>

#include "data/s3_client.h"
#include "track/api_error.h"

namespace leanops::track {

// The stores, in artifact_store_local.cc and artifact_store_s3.cc.
std::unique_ptr<ArtifactStore> OpenLocalArtifactStore(const std::string& uri, std::string root);
std::unique_ptr<ArtifactStore> OpenS3ArtifactStore(const std::string& uri, const S3Url& url);

namespace {

// The URI's scheme (RFC 3986: a letter, then letters, digits, '+', '-', '.',
// ending at the first ':'), or "" for a plain path.
std::string_view SchemeOf(std::string_view uri) {
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || uri.find('/') < colon) return "";
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return "";
  for (char c : uri.substr(0, colon))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return "";
  return uri.substr(0, colon);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The local path of "file:///abs/dir", "file://localhost/abs/dir" or
// "file:/abs/dir", percent-decoded as a URI path is.
std::string FileUriPath(const std::string& uri) {
  std::string_view rest = std::string_view(uri).substr(5);  // after "file:"
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    size_t slash = rest.find('/');
    std::string_view host = rest.substr(0, slash);
    if (slash == std::string_view::npos || (!host.empty() && host != "localhost"))
      ThrowInvalid("artifact URI '{}' is not a local file URI (file:///absolute/path)", uri);
    rest.remove_prefix(slash);
  }
  // A query or fragment would be dropped by a URI parser and kept by a path
  // one; refusing both leaves no doubt about which folder is meant.
  if (rest.empty() || rest.find_first_of("?#") != std::string_view::npos)
    ThrowInvalid("artifact URI '{}' is not a local file URI (file:///absolute/path)", uri);
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] != '%') {
      path += rest[i];
      continue;
    }
    int high = i + 2 < rest.size() ? HexDigit(rest[i + 1]) : -1;
    int low = high >= 0 ? HexDigit(rest[i + 2]) : -1;
    if (low < 0 || (high == 0 && low == 0))
      ThrowInvalid("artifact URI '{}' has an invalid percent escape", uri);
    path += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return path;
}

}  // namespace

std::unique_ptr<ArtifactStore> OpenArtifactStore(const std::string& uri) {
  if (uri.empty()) ThrowInvalid("empty artifact URI");
  std::string_view scheme = SchemeOf(uri);
  if (scheme.empty()) return OpenLocalArtifactStore(uri, uri);
  if (scheme == "file") return OpenLocalArtifactStore(uri, FileUriPath(uri));
  if (scheme == "s3") {
    std::optional<S3Url> url = ParseS3Url(uri);
    if (!url) ThrowInvalid("artifact URI '{}' names no bucket (s3://bucket/prefix)", uri);
    return OpenS3ArtifactStore(uri, *url);
  }
  if (scheme == "mlflow-artifacts")
    ThrowInvalid(
        "artifact URI '{}' is resolved by a tracking server against its artifacts "
        "destination; it cannot be opened directly",
        uri);
  ThrowInvalid(
      "unsupported artifact URI '{}': artifacts are stored in local folders (/path, "
      "file:///path) or S3 (s3://bucket/prefix)",
      uri);
}

// Percent-encoded traversal ("%2e%2e") is not decoded here: a path is checked
// in the form it is used in, so callers that take paths from URLs decode them
// first and check the result.
std::string CheckArtifactPath(std::string_view path) {
  if (path.find('\0') != std::string_view::npos)
    ThrowInvalid("invalid artifact path: it contains a NUL byte");
  if (path.find('\\') != std::string_view::npos)
    ThrowInvalid("invalid artifact path '{}': '\\' is not a separator; use '/'", path);
  if (!path.empty() && path.front() == '/')
    ThrowInvalid("invalid artifact path '{}': it must be relative", path);
  std::string normal;
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = std::min(path.find('/', begin), path.size());
    std::string_view part = path.substr(begin, end - begin);
    begin = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..")
      ThrowInvalid("invalid artifact path '{}': '..' would leave the artifact root", path);
    if (!normal.empty()) normal += '/';
    normal += part;
  }
  return normal;
}

std::string JoinArtifactUri(const std::string& root, const std::string& path) {
  std::string_view relative = path;
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  if (relative.empty()) return root;
  if (!root.empty() && root.back() == '/') return root + std::string(relative);
  return root + "/" + std::string(relative);
}

}  // namespace leanops::track
