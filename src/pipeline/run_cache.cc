#include "pipeline/run_cache.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "data/dir_manifest.h"

namespace leanops {
namespace {

void Dump(std::string& out, const Json& value) {
  if (value.is_object()) {
    std::vector<std::string> keys;
    for (auto it = value.begin(); it != value.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    out += '{';
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ", ";
      AppendPythonJsonString(keys[i], &out);
      out += ": ";
      Dump(out, value[keys[i]]);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i) out += ", ";
      Dump(out, value[i]);
    }
    out += ']';
  } else if (value.is_string()) {
    AppendPythonJsonString(value.get_ref<const std::string&>(), &out);
  } else if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isnan(d))
      out += "NaN";
    else if (std::isinf(d))
      out += d > 0 ? "Infinity" : "-Infinity";
    else
      out += FormatPythonFloat(d);
  } else {
    out += value.dump();  // integers, true, false, null
  }
}

// DVC's dict_filter: drops the excluded keys at every depth.
Json Filter(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      if (it.key() != "size" && it.key() != "nfiles") out[it.key()] = Filter(it.value());
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& v : value) out.push_back(Filter(v));
    return out;
  }
  return value;
}

Json EntriesJson(const std::vector<LockedEntry>& entries) {
  std::vector<LockedEntry> sorted = entries;
  std::sort(sorted.begin(), sorted.end(),
            [](const LockedEntry& a, const LockedEntry& b) { return a.path < b.path; });
  Json list = Json::array();
  for (const LockedEntry& e : sorted) {
    Json item = {{"path", e.path}};
    if (!e.md5.empty()) {
      if (!e.legacy_hash) item["hash"] = "md5";
      item["md5"] = e.md5;
    }
    if (e.isexec) item["isexec"] = true;
    list.push_back(item);
  }
  return list;
}

Json EntryJson(const LockedStage& stage, bool key) {
  Json doc = {{"cmd", stage.cmd}};
  if (!stage.deps.empty()) doc["deps"] = EntriesJson(stage.deps);
  if (!stage.params.empty()) doc["params"] = stage.params;
  if (key) {
    Json paths = Json::array();
    std::vector<LockedEntry> outs = stage.outs;
    std::sort(outs.begin(), outs.end(),
              [](const LockedEntry& a, const LockedEntry& b) { return a.path < b.path; });
    for (const LockedEntry& o : outs) paths.push_back(o.path);
    doc["outs"] = paths;
  } else if (!stage.outs.empty()) {
    doc["outs"] = EntriesJson(stage.outs);
  }
  return doc;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    ThrowInternal("sha256 failed");
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string Digest(const LockedStage& stage, bool key) {
  return Sha256Hex(PythonJsonDumps(Filter(EntryJson(stage, key))));
}

std::string RunsDir(Repo& repo) { return repo.dvc_dir() + "/cache/runs"; }

}  // namespace

std::string PythonJsonDumps(const Json& value) {
  std::string out;
  Dump(out, value);
  return out;
}

std::optional<std::string> RunCacheKey(const StageDef& def, const LockedStage& inputs) {
  // DVC's _can_hash: params dependencies count as deps.
  if (def.always_changed || def.cmd.empty() || (inputs.deps.empty() && inputs.params.empty()) ||
      def.outs.empty())
    return std::nullopt;
  for (const LockedEntry& dep : inputs.deps)
    if (dep.md5.empty()) return std::nullopt;
  for (const OutDecl& out : def.outs)
    if (out.persist) return std::nullopt;
  LockedStage keyed = inputs;
  keyed.outs.clear();
  for (const OutDecl& out : def.outs) keyed.outs.push_back(LockedEntry{out.path, "", {}, {}});
  return Digest(keyed, true);
}

void SaveRunCache(Repo& repo, const StageDef& def, const LockedStage& entry) {
  std::optional<std::string> key = RunCacheKey(def, entry);
  if (!key) return;
  std::string dir = RunsDir(repo) + "/" + key->substr(0, 2) + "/" + *key;
  std::string path = dir + "/" + Digest(entry, false);
  if (repo.fs().Stat(path).is_file()) return;
  repo.fs().MakeDirs(dir);
  repo.fs().WriteFileAtomic(path, SerializeLockedStage(entry));
}

std::optional<LockedStage> LookupRunCache(Repo& repo, const StageDef& def,
                                          const LockedStage& inputs) {
  std::optional<std::string> key = RunCacheKey(def, inputs);
  if (!key) return std::nullopt;
  std::string dir = RunsDir(repo) + "/" + key->substr(0, 2) + "/" + *key;
  if (!repo.fs().Stat(dir).is_dir()) return std::nullopt;
  for (const std::string& name : repo.fs().ListDir(dir)) {
    if (IsTempName(name)) continue;
    LockedStage entry;
    try {
      entry = ParseLockedStage(repo.fs().ReadFile(dir + "/" + name), name);
    } catch (const Error&) {
      continue;  // a damaged entry is skipped, as DVC does
    }
    bool all_cached = !entry.outs.empty();
    for (const LockedEntry& out : entry.outs)
      all_cached = all_cached && !out.md5.empty() && repo.cache().Has(out.md5);
    if (all_cached) return entry;
  }
  return std::nullopt;
}

}  // namespace leanops
