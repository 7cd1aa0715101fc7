// A client for S3-compatible object storage: the object operations the S3
// remote and the S3 artifact store share, over libcurl's SigV4 signing.
//
// Keys are whole object keys inside the bucket ("prefix/files/md5/ab/cd...").
// Transient failures (connection errors, HTTP 5xx and 429) are retried up to
// five attempts with exponential backoff (200 ms, doubling) on the given
// Clock; every other failure throws an Error of kind kIO naming the operation
// and "s3://bucket/key", with S3's error code and message on one line.
//
// A client may be used from several threads at once: each thread keeps its
// own keep-alive connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace leanops {

/// "s3://bucket/some/prefix/" split into its bucket and its prefix (without
/// trailing '/'; "" for the whole bucket).
struct S3Url {
  std::string bucket;
  std::string prefix;
};

/// Parses an s3:// URL; nullopt when it is not s3:// or names no bucket.
std::optional<S3Url> ParseS3Url(std::string_view url);

/// Where and as whom requests are sent.
struct S3Settings {
  std::string endpoint;  // "scheme://host[:port]", no trailing '/'
  std::string region;
  std::string profile;  // the profile credentials were looked up in
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // for temporary credentials; may be empty
  bool verify_peer = true;    // TLS certificate check
  std::string ca_file;        // a CA bundle to check against instead of the system's
  bool has_credentials() const { return !access_key.empty() && !secret_key.empty(); }
};

/// Resolves settings as DVC and the AWS CLI do. Each value comes from the
/// first of: `options` (the keys of a DVC remote section: endpointurl,
/// region, profile, access_key_id, secret_access_key, session_token,
/// configpath, credentialpath, ssl_verify), the environment
/// (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION,
/// AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
/// then the profile's entries in ~/.aws/config and ~/.aws/credentials (or the
/// files named by AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). The region
/// defaults to us-east-1 and the endpoint to AWS's for the region. Missing
/// credentials are left empty: callers know how their users should set them.
S3Settings ResolveS3Settings(const std::map<std::string, std::string>& options);

struct S3Object {
  std::string key;
  int64_t size = 0;
};

struct S3Listing {
  std::vector<S3Object> objects;             // in key order
  std::vector<std::string> common_prefixes;  // each ends with the delimiter
};

class S3Client {
 public:
  S3Client(std::string bucket, S3Settings settings, Clock& clock);

  /// Stores a local file at `key`; the object appears whole or not at all.
  /// Up to 64 MiB it is one PUT; above, a multipart upload in parts of at
  /// least 16 MiB, aborted when any part fails. `md5_hex`, when given, is sent
  /// as Content-MD5 with a single PUT, so the server rejects bytes that do
  /// not match it.
  void Put(const std::string& local_path, const std::string& key, std::string_view md5_hex = "");

  /// Writes the object's bytes to `dest_path` (created or truncated). Returns
  /// false, leaving no file, when the key does not exist; on any other failure
  /// throws, leaving no file either.
  bool GetToFile(const std::string& key, const std::string& dest_path);

  /// The object's size, or nullopt when the key does not exist.
  std::optional<int64_t> Head(const std::string& key);

  /// ListObjectsV2 of every key starting with `prefix`, all pages. With a
  /// `delimiter`, keys holding it after the prefix are rolled up into
  /// common_prefixes (S3's directories) instead of being listed.
  S3Listing List(const std::string& prefix, const std::string& delimiter = "");

  /// Deletes one object; a missing key is not an error.
  void Delete(const std::string& key);

  /// Deletes objects by key with DeleteObjects (up to 1000 a request);
  /// missing keys are not errors. Throws naming the first key S3 refused.
  void DeleteKeys(const std::vector<std::string>& keys);

 private:
  void PutMultipart(const std::string& local_path, const std::string& key, int64_t size);
  std::string Describe(const std::string& key) const;

  std::string bucket_;
  S3Settings settings_;
  Clock& clock_;
};

}  // namespace leanops
