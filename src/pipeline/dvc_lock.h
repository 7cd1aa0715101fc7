// dvc.lock: what each stage's last successful run consumed and produced,
// written exactly as DVC 3 writes it (dvc/stage/serialize.py
// to_single_stage_lockfile, dvc/dvcfile.py Lockfile.dump):
//
//     schema: '2.0'
//     stages:
//       train:
//         cmd: python train.py        # a list when dvc.yaml has a list
//         deps:                       # sorted by path
//         - path: data/features
//           hash: md5
//           md5: 0c2f...e1.dir
//           size: 1234
//           nfiles: 3
//         params:                     # params.yaml first, then by file name;
//           params.yaml:              # keys sorted, values as in the file
//             lr: 0.1
//         outs:                       # sorted by path
//         - path: model.bin
//           hash: md5
//           md5: 5d41...92
//           size: 5
//           isexec: true              # only when true
//
// Stages keep the order they were first written in; a stage rewritten in
// place keeps its position. Entries leanops does not interpret are dropped,
// as DVC does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "pipeline/params_file.h"

namespace leanops {

struct LockedEntry {
  std::string path;  // relative to the stage's wdir
  std::string md5;   // "<hex>.dir" for a directory; "" when it did not exist
  std::optional<uint64_t> size;
  std::optional<uint64_t> nfiles;
  bool isexec = false;
  bool legacy_hash = false;  // no `hash: md5` (a DVC 2 entry)
  bool operator==(const LockedEntry&) const = default;
};

struct LockedStage {
  Json cmd;  // a string, or a list of strings
  std::vector<LockedEntry> deps;
  Json params = Json::object();  // file -> {dotted key -> value}
  std::vector<LockedEntry> outs;
};

struct LockFile {
  std::vector<std::pair<std::string, LockedStage>> stages;  // in file order

  const LockedStage* Find(const std::string& name) const;
  /// Replaces the stage's entry in place, or appends it.
  void Set(const std::string& name, LockedStage stage);
  void Erase(const std::string& name);
};

/// Parses dvc.lock; errors are kData naming `display` and the line.
LockFile ParseLockFile(const std::string& text, const std::string& display);
/// Parses one stage's entry on its own (a run-cache file, see
/// SerializeLockedStage); errors are kData naming `display`.
LockedStage ParseLockedStage(const std::string& text, const std::string& display);
/// An empty LockFile when the file does not exist.
LockFile LoadLockFile(FileSystem& fs, const std::string& abs_path, const std::string& display);
/// Each stage's serialised entry, kept between rewrites of one lock file:
/// a run rewrites dvc.lock after every stage, and should format only the
/// stage that changed. The owner erases a stage's text when it changes it.
using LockTextCache = std::map<std::string, std::string>;

/// Serialises in DVC's layout (above); sorts deps and outs by path and the
/// params as DVC does. With `cache`, reuses and fills the stages' texts.
std::string SerializeLockFile(const LockFile& lock, LockTextCache* cache = nullptr);
/// The entry of one stage as DVC's run cache stores it (the same layout,
/// without the `schema`/`stages` wrapper).
std::string SerializeLockedStage(const LockedStage& stage);
/// Writes atomically (temp file, fsync, rename). An empty lock removes the file.
void SaveLockFile(FileSystem& fs, const std::string& abs_path, const LockFile& lock,
                  LockTextCache* cache = nullptr);

}  // namespace leanops
