#include "data/output_hash.h"

#include <atomic>
#include <thread>

#include "core/error.h"
#include "core/md5.h"
#include "core/parallel.h"
#include "data/cache.h"
#include "data/ops.h"

namespace leanops {
namespace {

// Above this size a file being stored is copied into the cache on a second
// thread while it is hashed, so add costs about one read instead of two.
constexpr uint64_t kConcurrentCopyThreshold = 32ull << 20;

// Hashes one file and, when storing, puts it in the cache. Progress is
// reported per MiB so a single huge file still moves the bar.
std::string HashAndMaybeStore(Repo& repo, const std::string& path, const FileInfo& info, bool store,
                              Progress& progress) {
  FileSystem& fs = repo.fs();
  Cache& cache = repo.cache();
  if (store && info.size >= kConcurrentCopyThreshold && !cache.LinksWorkspace()) {
    std::string temp = cache.IncomingTempPath();
    std::exception_ptr copy_error;
    std::thread copier([&] {
      try {
        fs.CopyFile(path, temp, /*durable=*/false);
      } catch (...) {
        copy_error = std::current_exception();
      }
    });
    std::string md5;
    try {
      Md5 hasher;
      fs.ReadChunks(path, 1 << 20, [&](const char* data, size_t n) {
        hasher.Update(data, n);
        progress.Advance(0, n);
      });
      md5 = hasher.HexDigest();
    } catch (...) {
      copier.join();
      fs.RemoveFile(temp);
      throw;
    }
    copier.join();
    if (copy_error) {
      fs.RemoveFile(temp);
      std::rethrow_exception(copy_error);
    }
    if (cache.Has(md5))
      fs.RemoveFile(temp);
    else
      cache.AdoptFile(temp, md5);
    return md5;
  }
  Md5 hasher;
  fs.ReadChunks(path, 1 << 20, [&](const char* data, size_t n) {
    hasher.Update(data, n);
    if (n >= (1u << 20)) progress.Advance(0, n);
  });
  if (info.size < (1u << 20)) progress.Advance(0, info.size);
  std::string md5 = hasher.HexDigest();
  if (store) cache.InsertFile(path, md5);
  return md5;
}

// Fills in md5s for `files` (under `base`), from the state index where the
// stat matches, hashing the rest in parallel.
void HashFiles(Repo& repo, const std::string& base, std::vector<HashedFile>& files,
               const HashOptions& options, Progress& progress) {
  StateIndex& state = repo.state();
  std::vector<size_t> todo;
  uint64_t todo_bytes = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = files[i].relpath.empty() ? base : base + "/" + files[i].relpath;
    if (auto md5 = state.LookupFile(path, files[i].info)) {
      files[i].md5 = *md5;
    } else {
      todo.push_back(i);
      todo_bytes += files[i].info.size;
    }
  }
  if (!todo.empty()) {
    progress.Begin(options.store ? "Adding" : "Hashing", todo.size(), todo_bytes);
    ParallelFor(todo.size(), options.jobs > 0 ? options.jobs : DefaultJobs(), [&](size_t k) {
      HashedFile& f = files[todo[k]];
      std::string path = f.relpath.empty() ? base : base + "/" + f.relpath;
      f.md5 = HashAndMaybeStore(repo, path, f.info, options.store, progress);
      if (options.store && repo.cache().LinksWorkspace()) {
        repo.cache().LinkWorkspace(path, f.md5, (f.info.mode & 0111) != 0);
        f.info = repo.fs().StatFollow(path);  // the state index must see the link
      }
      progress.Advance(1, 0);
    });
    progress.End();
    for (size_t i : todo) {
      std::string path = files[i].relpath.empty() ? base : base + "/" + files[i].relpath;
      state.RecordFile(path, files[i].info, files[i].md5);
      if (options.store) RecordObject(repo, files[i].md5);  // written from bytes just hashed
    }
  }
  if (options.store) {
    // Files known from the state index may still be missing from the cache
    // (a deleted cache, a gc): store those too.
    std::vector<size_t> missing;
    std::vector<char> hashed(files.size(), 0);
    for (size_t i : todo) hashed[i] = 1;
    for (size_t i = 0; i < files.size(); ++i)
      if (!hashed[i] && !repo.cache().Has(files[i].md5)) missing.push_back(i);
    ParallelFor(missing.size(), options.jobs > 0 ? options.jobs : DefaultJobs(), [&](size_t k) {
      const HashedFile& f = files[missing[k]];
      repo.cache().InsertFile(f.relpath.empty() ? base : base + "/" + f.relpath, f.md5);
    });
    for (size_t i : missing) RecordObject(repo, files[i].md5);
  }
}

}  // namespace

std::vector<WalkEntry> WalkOutput(Repo& repo, const std::string& dir) {
  if (std::optional<std::vector<WalkEntry>> shared = repo.SharedWalk(dir)) return *shared;
  std::vector<WalkEntry> entries = repo.fs().Walk(dir, {".git", ".dvc"});
  const IgnoreRules& rules = repo.ignore_rules();
  std::string prefix = repo.RelPath(dir) + "/";
  std::erase_if(entries, [&](const WalkEntry& e) {
    return IsTempName(e.relpath) || (!rules.empty() && rules.Ignored(prefix + e.relpath, false));
  });
  repo.KeepWalk(dir, entries);
  return entries;
}

OutputHash HashOutput(Repo& repo, const std::string& abs_path, const HashOptions& options,
                      Progress& progress) {
  OutputHash result;
  FileInfo info = repo.fs().StatFollow(abs_path);
  if (!info.exists()) return result;
  result.exists = true;
  bool need_files = options.need_files || options.store;

  if (info.is_file()) {
    result.files.push_back(HashedFile{"", info, ""});
    HashFiles(repo, abs_path, result.files, options, progress);
    result.oid = result.files[0].md5;
    result.size = info.size;
    result.isexec = (info.mode & 0111) != 0;
    return result;
  }
  if (!info.is_dir()) ThrowData("'{}' is neither a file nor a directory", abs_path);

  result.is_dir = true;
  std::vector<WalkEntry> entries = WalkOutput(repo, abs_path);
  for (const WalkEntry& e : entries) result.size += e.info.size;
  result.nfiles = entries.size();
  uint64_t fingerprint = StateIndex::Fingerprint(entries);
  if (!need_files) {
    if (auto oid = repo.state().LookupDir(abs_path, fingerprint, result.size)) {
      result.oid = *oid;
      return result;
    }
  }
  result.files.reserve(entries.size());
  for (WalkEntry& e : entries) result.files.push_back(HashedFile{std::move(e.relpath), e.info, ""});
  HashFiles(repo, abs_path, result.files, options, progress);

  std::vector<ManifestEntry> manifest;
  manifest.reserve(result.files.size());
  for (const HashedFile& f : result.files) manifest.push_back({f.relpath, f.md5});
  std::string bytes = SerializeManifest(std::move(manifest));
  result.oid = ManifestOid(bytes);
  if (options.store) repo.cache().InsertBytes(bytes, result.oid);
  repo.state().RecordDir(abs_path, fingerprint, result.size, result.oid);
  return result;
}

}  // namespace leanops
