// The data-versioning operations behind the CLI commands. Each takes an open
// Repo, does its work through the repo's FileSystem, and returns what
// happened for the CLI to print; none prints. Writers expect the caller to
// hold the repo lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.h"
#include "data/output_hash.h"
#include "data/repo.h"

namespace leanops {

// ---- add / commit ---------------------------------------------------------

struct AddedOutput {
  std::string dvc_file;  // relative to the repo root
  std::string path;      // relative to the repo root
  bool is_dir = false;
  std::string oid;
  uint64_t size = 0;
  uint64_t nfiles = 0;
  bool changed = false;  // false when the .dvc file already said the same
};

/// `leanops add`: hashes each path, stores it in the cache, writes
/// `<path>.dvc` and a `.gitignore` entry.
std::vector<AddedOutput> Add(Repo& repo, const std::vector<std::string>& paths, int jobs,
                             Progress& progress);

/// `leanops commit`: records the current contents of the targets' outputs.
std::vector<AddedOutput> Commit(Repo& repo, const std::vector<std::string>& targets, int jobs,
                                Progress& progress);

// ---- status ---------------------------------------------------------------

struct OutputChange {
  std::string dvc_file;  // relative to the repo root
  std::string path;      // as written in the .dvc file
  std::string state;     // "modified", "deleted", "not in cache", "new"
};

/// `leanops status`: the outputs whose workspace differs from their .dvc
/// file or whose object is missing from the cache. Takes no lock.
std::vector<OutputChange> Status(Repo& repo, const std::vector<std::string>& targets, int jobs);

// ---- checkout -------------------------------------------------------------

struct CheckoutOptions {
  bool force = false;   // overwrite/delete workspace data even if not cached
  bool relink = false;  // recreate links even when contents match
  int jobs = 0;
};

struct CheckoutResult {
  std::vector<std::string> added;     // outputs created (repo-relative)
  std::vector<std::string> modified;  // outputs changed
  uint64_t files_written = 0;
};

/// `leanops checkout`: makes the workspace match the .dvc files. Refuses,
/// before changing anything, to overwrite data that is not in the cache.
CheckoutResult Checkout(Repo& repo, const std::vector<std::string>& targets,
                        const CheckoutOptions& options, Progress& progress);

// ---- remove / ls / gc -----------------------------------------------------

/// `leanops remove`: deletes the .dvc files and their .gitignore entries
/// (and the outputs themselves with `outs`). Returns the removed .dvc paths.
std::vector<std::string> Remove(Repo& repo, const std::vector<std::string>& targets, bool outs);

struct TrackedOutput {
  std::string dvc_file;
  std::string path;  // repo-relative
  bool is_dir = false;
  std::string md5;
  uint64_t size = 0;
  uint64_t nfiles = 0;
};

/// `leanops ls`: every output tracked by a .dvc file.
std::vector<TrackedOutput> ListOutputs(Repo& repo);

/// Which git revisions besides the workspace keep their data (DVC's gc
/// flags -a, -T, -A).
struct GcScope {
  bool all_branches = false;
  bool all_tags = false;
  bool all_commits = false;
};

/// Every oid the workspace (and the revisions of `scope`) references: the
/// .dvc files' and dvc.lock's outputs, plus the files of each directory.
/// The workspace's manifests must be in the cache (a missing one throws
/// kData rather than let gc drop its files); a revision's manifest that was
/// never fetched is skipped, as its files cannot be in the cache either.
std::vector<std::string> ReferencedOids(Repo& repo, const GcScope& scope = {});

/// The .dvc files and dvc.lock files committed in the revisions of `scope`:
/// ("REV:path", contents) pairs, read with one `git cat-file --batch`.
std::vector<std::pair<std::string, std::string>> PointerFilesInHistory(Repo& repo,
                                                                       const GcScope& scope);

struct GcResult {
  uint64_t temp_files = 0;  // left by interrupted writes
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t remote_objects = 0;
};

struct GcOptions {
  bool dry = false;
  bool cloud = false;
  std::string remote;
  GcScope scope;
};

/// `leanops gc`: removes cache (and, with `cloud`, remote) objects that the
/// workspace does not reference.
GcResult CollectGarbage(Repo& repo, const GcOptions& options);

// ---- remotes --------------------------------------------------------------

struct TransferResult {
  std::string remote;  // description of the remote
  uint64_t objects = 0;
  uint64_t bytes = 0;
};

/// `leanops push`: uploads the targets' objects the remote lacks.
TransferResult Push(Repo& repo, const std::vector<std::string>& targets, const std::string& remote,
                    int jobs, Progress& progress);
/// `leanops fetch`: downloads the objects the cache lacks, verifying each.
TransferResult Fetch(Repo& repo, const std::vector<std::string>& targets, const std::string& remote,
                     int jobs, Progress& progress);

struct CloudChange {
  std::string path;   // repo-relative output path (file inside a dir for dirs)
  std::string state;  // "new" (only in cache), "deleted" (only on remote), "missing" (neither)
};

/// `leanops status --cloud`.
std::vector<CloudChange> CloudStatus(Repo& repo, const std::vector<std::string>& targets,
                                     const std::string& remote);

// ---- cache integrity ------------------------------------------------------

/// Records a cache object's stat in the state index as verified.
void RecordObject(Repo& repo, const std::string& oid);
/// Rehashes the objects (present in the cache) whose stat the state index
/// does not vouch for; removes those whose bytes do not match their name and
/// returns their oids.
std::vector<std::string> RemoveCorruptObjects(Repo& repo, const std::vector<std::string>& oids,
                                              int jobs);

// ---- .gitignore -----------------------------------------------------------

/// Adds "/<name>" for each name to `<dir>/.gitignore` unless present (as
/// DVC does), rewriting the file once.
void AddGitignoreEntries(FileSystem& fs, const std::string& dir,
                         const std::vector<std::string>& names);
/// Removes that line; deletes the file if it becomes empty.
void RemoveGitignoreEntry(FileSystem& fs, const std::string& dir, const std::string& name);

/// Absolute path of an output of a .dvc file.
std::string OutputAbsPath(const DvcFile& file, const DvcOut& out);

}  // namespace leanops
