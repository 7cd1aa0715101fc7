#include "pipeline/stage_state.h"

#include <map>

#include "core/error.h"
#include "core/progress.h"
#include "data/ops.h"
#include "data/output_hash.h"

namespace leanops {
namespace {

LockedEntry EntryFor(const std::string& path, const OutputHash& hash) {
  LockedEntry e;
  e.path = path;
  if (!hash.exists) return e;
  e.md5 = hash.oid;
  e.size = hash.size;
  if (hash.is_dir) e.nfiles = hash.nfiles;
  e.isexec = hash.isexec;
  return e;
}

const LockedEntry* FindEntry(const std::vector<LockedEntry>& entries, const std::string& path) {
  for (const LockedEntry& e : entries)
    if (e.path == path) return &e;
  return nullptr;
}

std::string AbsIn(const StageDef& def, const std::string& path) {
  return NormalizePath(def.wdir + "/" + path);
}

// Compares entries by path: what is new, modified or gone relative to the lock.
void DiffEntries(const std::vector<LockedEntry>& now, const std::vector<LockedEntry>& locked,
                 std::vector<PathChange>& changes) {
  for (const LockedEntry& e : now) {
    const LockedEntry* old = FindEntry(locked, e.path);
    if (!old)
      changes.push_back({e.path, "new"});
    else if (e.md5.empty())
      changes.push_back({e.path, "deleted"});
    else if (old->md5 != e.md5)
      changes.push_back({e.path, "modified"});
  }
  for (const LockedEntry& old : locked)
    if (!FindEntry(now, old.path)) changes.push_back({old.path, "deleted"});
}

}  // namespace

Json LockCmd(const StageDef& def) {
  if (!def.cmd_is_list) return Json(def.cmd.front());
  Json list = Json::array();
  for (const std::string& c : def.cmd) list.push_back(c);
  return list;
}

LockedStage MeasureInputs(Repo& repo, const StageDef& def, int jobs) {
  LockedStage entry;
  entry.cmd = LockCmd(def);
  Progress& quiet = NoProgress();
  for (const std::string& dep : def.deps) {
    OutputHash hash = HashOutput(repo, AbsIn(def, dep), HashOptions{false, false, jobs}, quiet);
    entry.deps.push_back(EntryFor(dep, hash));
  }
  for (const ParamsDecl& decl : def.params) {
    std::optional<Json> data = LoadParamsFile(repo.fs(), AbsIn(def, decl.file), decl.file);
    if (!data)
      ThrowData("stage '{}': params file '{}' does not exist", def.name,
                repo.RelPath(AbsIn(def, decl.file)));
    Json values = Json::object();
    if (decl.keys.empty()) {
      if (data->is_object()) values = *data;
    } else {
      for (const std::string& key : decl.keys) {
        const Json* value = FindDotted(*data, key);
        if (!value)
          ThrowData("stage '{}': parameter '{}' is missing from '{}'", def.name, key,
                    repo.RelPath(AbsIn(def, decl.file)));
        values[key] = *value;
      }
    }
    entry.params[decl.file] = std::move(values);
  }
  return entry;
}

StageStatus CompareWithLock(Repo& repo, const StageDef& def, const LockedStage& inputs,
                            const LockedStage* locked, int jobs) {
  StageStatus status;
  status.always_changed = def.always_changed;
  if (!locked) {
    status.never_run = true;
    return status;
  }
  status.cmd_changed = locked->cmd != inputs.cmd;
  DiffEntries(inputs.deps, locked->deps, status.deps);

  for (auto file = inputs.params.begin(); file != inputs.params.end(); ++file) {
    const Json* old_values =
        locked->params.contains(file.key()) ? &locked->params[file.key()] : nullptr;
    for (auto kv = file.value().begin(); kv != file.value().end(); ++kv) {
      if (!old_values || !old_values->contains(kv.key()))
        status.params.push_back({file.key(), kv.key(), "new"});
      else if ((*old_values)[kv.key()] != kv.value())
        status.params.push_back({file.key(), kv.key(), "modified"});
    }
    if (old_values)
      for (auto kv = old_values->begin(); kv != old_values->end(); ++kv)
        if (!file.value().contains(kv.key()))
          status.params.push_back({file.key(), kv.key(), "deleted"});
  }
  for (auto file = locked->params.begin(); file != locked->params.end(); ++file)
    if (!inputs.params.contains(file.key()))
      for (auto kv = file.value().begin(); kv != file.value().end(); ++kv)
        status.params.push_back({file.key(), kv.key(), "deleted"});

  std::vector<LockedEntry> outs_now;
  Progress& quiet = NoProgress();
  for (const OutDecl& out : def.outs) {
    OutputHash hash =
        HashOutput(repo, AbsIn(def, out.path), HashOptions{false, false, jobs}, quiet);
    outs_now.push_back(EntryFor(out.path, hash));
  }
  DiffEntries(outs_now, locked->outs, status.outs);
  return status;
}

void CommitOutputs(Repo& repo, const StageDef& def, LockedStage& entry, int jobs,
                   bool store_uncached) {
  Progress& quiet = NoProgress();
  entry.outs.clear();
  std::map<std::string, std::vector<std::string>> to_ignore;
  bool stored = false;
  for (const OutDecl& out : def.outs) {
    std::string abs = AbsIn(def, out.path);
    bool store = out.cache || store_uncached;
    OutputHash hash = HashOutput(repo, abs, HashOptions{store, store, jobs}, quiet);
    if (!hash.exists)
      ThrowFailed("stage '{}': the command did not create output '{}'", def.name,
                  repo.RelPath(abs));
    stored |= store;
    entry.outs.push_back(EntryFor(out.path, hash));
    if (out.cache && repo.has_git()) to_ignore[DirName(abs)].push_back(BaseName(abs));
  }
  // Objects reach the disk before the lock names them (one syncfs).
  if (stored) repo.fs().SyncFilesystem(repo.cache().root());
  for (const auto& [dir, names] : to_ignore) AddGitignoreEntries(repo.fs(), dir, names);
  // The state index is flushed once, when the command ends (each flush
  // checkpoints the SQLite log, a disk wait per stage otherwise).
}

bool RestoreOutputs(Repo& repo, const StageDef& def, const LockedStage& entry) {
  Cache& cache = repo.cache();
  // Check everything first so a missing object changes nothing.
  std::vector<std::vector<ManifestEntry>> manifests(entry.outs.size());
  for (size_t i = 0; i < entry.outs.size(); ++i) {
    const LockedEntry& out = entry.outs[i];
    if (out.md5.empty() || !cache.Has(out.md5)) return false;
    if (out.md5.ends_with(".dir")) {
      manifests[i] = cache.LoadManifest(out.md5);
      for (const ManifestEntry& file : manifests[i])
        if (!cache.Has(file.md5)) return false;
    }
  }
  FileSystem& fs = repo.fs();
  for (size_t i = 0; i < entry.outs.size(); ++i) {
    const LockedEntry& out = entry.outs[i];
    std::string abs = AbsIn(def, out.path);
    fs.RemoveAll(abs);
    if (out.md5.ends_with(".dir")) {
      fs.MakeDirs(abs);
      for (const ManifestEntry& file : manifests[i]) {
        std::string dest = abs + "/" + file.relpath;
        fs.MakeDirs(DirName(dest));
        cache.Materialize(file.md5, dest, false);
      }
    } else {
      fs.MakeDirs(DirName(abs));
      cache.Materialize(out.md5, abs, out.isexec);
    }
  }
  return true;
}

void RemoveOutputs(Repo& repo, const StageDef& def) {
  for (const OutDecl& out : def.outs)
    if (!out.persist) repo.fs().RemoveAll(AbsIn(def, out.path));
}

}  // namespace leanops
