// `.dvc` pointer files, read and written in the layout DVC 3 writes
// (dvc/output.py Output.dumpd):
//
//     outs:
//     - md5: acbd18db4cc2f85cedef654fccc4a4d8     # a directory: "<hex>.dir"
//       size: 3                                   # a directory: total bytes
//       nfiles: 2                                 # directories only
//       isexec: true                              # only when true
//       hash: md5                                 # absent in DVC 2 (md5-dos2unix)
//       path: foo
//
// Keys leanops does not interpret (desc, meta, deps of imports, cache, push,
// remote...) are kept and written back after the ones above, so a rewrite
// never loses what DVC or a user put there.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/file_system.h"

namespace leanops {

struct DvcOut {
  std::string path;  // relative to the .dvc file's directory, '/' separated
  std::string md5;   // "" when not yet computed; dirs end in ".dir"
  std::optional<uint64_t> size;
  std::optional<uint64_t> nfiles;
  bool isexec = false;
  bool legacy_hash = false;  // no `hash: md5`: a DVC 2 (md5-dos2unix) entry
  bool cache = true;         // `cache: false` outputs are not stored in the cache
  YAML::Node extra;          // other keys of this entry, in file order

  bool is_dir() const { return md5.size() > 4 && md5.compare(md5.size() - 4, 4, ".dir") == 0; }
};

struct DvcFile {
  std::string path;  // of the .dvc file itself
  std::vector<DvcOut> outs;
  YAML::Node extra;  // other top-level keys, in file order
  /// Set for the outputs of a pipeline stage, which dvc.lock records: then
  /// `path` is "<stage wdir>/dvc.lock" (so outputs resolve against the
  /// wdir), `stage` names it ("dvc.lock:train") and the entry is read-only.
  std::string stage;
  bool from_lock() const { return !stage.empty(); }
};

/// Parses a .dvc file; malformed YAML or fields throw kData naming file and line.
DvcFile ParseDvcFile(const std::string& text, const std::string& path);
DvcFile LoadDvcFile(FileSystem& fs, const std::string& path);
/// Serialises in DVC's layout.
std::string SerializeDvcFile(const DvcFile& file);
/// Writes atomically.
void SaveDvcFile(FileSystem& fs, const DvcFile& file);

}  // namespace leanops
