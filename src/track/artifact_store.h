// Run artifacts: files kept under a run's artifact URI, in a local folder or
// in S3-compatible object storage.
//
// URIs:
//   /abs/dir, file:///abs/dir           a local folder
//   s3://bucket/prefix                  S3; endpoint and credentials as for S3
//                                       remotes (AWS_ENDPOINT_URL, AWS_* env,
//                                       ~/.aws profiles)
// Artifact paths are relative, '/'-separated, and never leave the root:
// CheckArtifactPath rejects "..", absolute paths, backslashes and NULs
// (INVALID_PARAMETER_VALUE), so a request can't reach outside a run's folder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leanops::track {

struct ArtifactFile {
  std::string path;  // relative to the store's root, e.g. "model/model.json"
  bool is_dir = false;
  int64_t file_size = 0;  // files only
};

class ArtifactStore {
 public:
  virtual ~ArtifactStore() = default;
  /// The root URI, as given to OpenArtifactStore.
  virtual std::string Uri() const = 0;
  /// Direct children of `dir` ("" = the root), sorted by path; a missing
  /// directory lists as empty, as MLflow's do.
  virtual std::vector<ArtifactFile> List(const std::string& dir) = 0;
  /// Stores a local file at `path`; it appears whole or not at all.
  virtual void Upload(const std::string& local_file, const std::string& path) = 0;
  /// Writes the artifact at `path` to `local_file` (atomically). A missing
  /// artifact throws RESOURCE_DOES_NOT_EXIST.
  virtual void Download(const std::string& path, const std::string& local_file) = 0;
  /// Removes a file or a whole directory; missing is not an error.
  virtual void Delete(const std::string& path) = 0;
  /// For a local store, the file system path of `path`; "" otherwise.
  virtual std::string LocalPath(const std::string& path) const = 0;
};

/// Opens the store rooted at `uri`. Throws INVALID_PARAMETER_VALUE for a
/// scheme it does not serve (e.g. "mlflow-artifacts:", which only a server
/// resolves, against its --artifacts-destination).
std::unique_ptr<ArtifactStore> OpenArtifactStore(const std::string& uri);

/// Validates and normalises an artifact path ("a//b/" -> "a/b"; "" stays "").
std::string CheckArtifactPath(std::string_view path);

/// Joins a root URI and a relative path with one '/'.
std::string JoinArtifactUri(const std::string& root, const std::string& path);

}  // namespace leanops::track
