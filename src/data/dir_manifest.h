// Directory manifests: the `.dir` cache objects that describe a tracked
// directory, byte-compatible with DVC (dvc_data/hashfile/tree.py).
//
// Format: a JSON list sorted by relpath, written as Python's
//   json.dumps([{"md5": ..., "relpath": ...}, ...], sort_keys=True)
// i.e. separators ", " and ": ", non-ASCII as \uXXXX (lower-case hex),
// e.g.  [{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "a/b.txt"}]
// The directory's oid is md5(those bytes) + ".dir". Reproducing the exact
// bytes is what makes a directory hash the same in leanops and DVC.
#pragma once

#include <string>
#include <vector>

namespace leanops {

struct ManifestEntry {
  std::string relpath;  // '/' separated, UTF-8 (raw bytes as the filesystem has them)
  std::string md5;
};

/// Serialises entries (sorted by relpath by this function) as DVC does.
std::string SerializeManifest(std::vector<ManifestEntry> entries);
/// The directory oid of a serialised manifest: "<md5>.dir".
std::string ManifestOid(const std::string& manifest_bytes);
/// Parses a manifest; `what` names the object in errors (kData).
std::vector<ManifestEntry> ParseManifest(const std::string& bytes, const std::string& what);

/// Appends `s` as a JSON string literal with Python's ensure_ascii escaping.
void AppendPythonJsonString(const std::string& s, std::string* out);

}  // namespace leanops
