// Remote storage for cache objects (DVC's "remote").
//
// Layout (DVC 3): an object with oid "d41d8cd98f00b204e9800998ecf8427e" lives at
//   <url>/files/md5/d4/1d8cd98f00b204e9800998ecf8427e
// and a directory manifest keeps its suffix: <url>/files/md5/ab/cdef....dir
//
// Implementations are safe to call from several threads at once; transfers
// run in parallel across objects. Transient failures (connection errors,
// HTTP 5xx, 429) are retried a bounded number of times with exponential
// backoff before an Error of kind kIO is thrown naming the remote and object.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"

namespace leanops {

/// One `['remote "name"']` section of .dvc/config (merged with config.local).
struct RemoteConfig {
  std::string name;
  std::string url;                             // /abs/dir, rel/dir, or s3://bucket/prefix
  std::map<std::string, std::string> options;  // every other key of the section
};

class Remote {
 public:
  virtual ~Remote() = default;
  /// e.g. "s3://bucket/prefix" or "/mnt/remote", for messages.
  virtual std::string Describe() const = 0;
  /// For each oid, whether the remote already holds the object.
  virtual std::vector<bool> Contains(const std::vector<std::string>& oids) = 0;
  /// Stores the local file under `oid`; the object appears whole or not at all.
  virtual void Upload(const std::string& local_path, const std::string& oid) = 0;
  /// Writes the object to `dest_path` (a temp name the caller verifies and renames).
  /// A missing object throws kData naming it.
  virtual void Download(const std::string& oid, const std::string& dest_path) = 0;
  /// Every oid stored on the remote (for `gc --cloud` and `status --cloud`).
  virtual std::vector<std::string> List() = 0;
  virtual void Remove(const std::vector<std::string>& oids) = 0;
  /// Parallel transfers this remote wants (the `jobs` option, else a default).
  virtual int Jobs() const = 0;
  /// Makes every upload so far durable. A local remote writes its objects
  /// without an fsync each and syncs its filesystem once here; an object
  /// store is durable on each successful PUT, so the default does nothing.
  virtual void Sync() {}
};

/// Relative oid path inside a cache or remote root: "files/md5/ab/cdef...".
std::string ObjectRelPath(const std::string& oid);

/// Opens the remote described by `config`. Local paths that are relative are
/// resolved against `config_dir` (the .dvc directory, as DVC does).
std::unique_ptr<Remote> OpenRemote(const RemoteConfig& config, const std::string& config_dir,
                                   Clock& clock);

/// Implementations, chosen by OpenRemote from the url's scheme.
std::unique_ptr<Remote> OpenLocalRemote(const RemoteConfig& config, const std::string& root);
std::unique_ptr<Remote> OpenS3Remote(const RemoteConfig& config, Clock& clock);

}  // namespace leanops
