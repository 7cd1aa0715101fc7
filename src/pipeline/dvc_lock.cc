#include "pipeline/dvc_lock.h"

#include <algorithm>

#include "core/error.h"
#include "pipeline/yaml_text.h"

namespace leanops {
namespace {

std::string ScalarText(const Json& value) { return YamlScalarText(value); }

void EmitSequence(std::string& out, const Json& list, int indent);

// Block YAML in ruamel's layout: two-space mapping indent, sequence dashes
// at the parent key's column, long scalars folded at 80 columns, null as
// nothing after the colon.
void EmitBlock(std::string& out, const std::string& key, const Json& value, int indent) {
  std::string prefix = std::string(indent, ' ') + ScalarText(Json(key)) + ":";
  if (value.is_object() && !value.empty()) {
    out += prefix + "\n";
    for (auto it = value.begin(); it != value.end(); ++it)
      EmitBlock(out, it.key(), it.value(), indent + 2);
  } else if (value.is_array() && !value.empty()) {
    out += prefix + "\n";
    EmitSequence(out, value, indent);
  } else {
    out += YamlLine(prefix, value, indent + 2);
  }
}

// Items of a block sequence with their dashes at `indent`; a mapping item
// starts on the dash's line ("- units: 64").
void EmitSequence(std::string& out, const Json& list, int indent) {
  std::string pad(indent, ' ');
  for (const Json& item : list) {
    if (item.is_structured() && !item.empty()) {
      std::string nested;
      if (item.is_object()) {
        for (auto it = item.begin(); it != item.end(); ++it)
          EmitBlock(nested, it.key(), it.value(), indent + 2);
      } else {
        EmitSequence(nested, item, indent + 2);
      }
      out += pad + "- " + nested.substr(indent + 2);
    } else {
      out += YamlLine(pad + "-", item, indent + 2);
    }
  }
}

void EmitEntries(std::string& out, const char* section, std::vector<LockedEntry> entries,
                 int indent) {
  if (entries.empty()) return;
  std::sort(entries.begin(), entries.end(),
            [](const LockedEntry& a, const LockedEntry& b) { return a.path < b.path; });
  std::string pad(indent, ' ');
  out += pad + section + ":\n";
  for (const LockedEntry& e : entries) {
    out += YamlLine(pad + "- path:", Json(e.path), indent + 4);
    if (!e.md5.empty()) {
      if (!e.legacy_hash) out += pad + "  hash: md5\n";
      out += pad + "  md5: " + e.md5 + "\n";
    }
    if (e.size) out += pad + "  size: " + std::to_string(*e.size) + "\n";
    if (e.nfiles) out += pad + "  nfiles: " + std::to_string(*e.nfiles) + "\n";
    if (e.isexec) out += pad + "  isexec: true\n";
  }
}

void EmitStage(std::string& out, const LockedStage& stage, int indent) {
  std::string pad(indent, ' ');
  if (stage.cmd.is_array()) {
    out += pad + "cmd:\n";
    EmitSequence(out, stage.cmd, indent);
  } else {
    out += YamlLine(pad + "cmd:", stage.cmd, indent + 2);
  }
  EmitEntries(out, "deps", stage.deps, indent);
  if (stage.params.is_object() && !stage.params.empty()) {
    // params.yaml first, then the other files by name; keys sorted (not
    // recursively), as DVC's _serialize_params_values does.
    std::vector<std::string> files;
    for (auto it = stage.params.begin(); it != stage.params.end(); ++it) files.push_back(it.key());
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
      if ((a == "params.yaml") != (b == "params.yaml")) return a == "params.yaml";
      return a < b;
    });
    out += pad + "params:\n";
    for (const std::string& file : files) {
      const Json& values = stage.params[file];
      std::vector<std::string> keys;
      for (auto it = values.begin(); it != values.end(); ++it) keys.push_back(it.key());
      std::sort(keys.begin(), keys.end());
      if (keys.empty()) {
        out += pad + "  " + ScalarText(Json(file)) + ": {}\n";
        continue;
      }
      out += pad + "  " + ScalarText(Json(file)) + ":\n";
      for (const std::string& key : keys) EmitBlock(out, key, values[key], indent + 4);
    }
  }
  EmitEntries(out, "outs", stage.outs, indent);
}

[[noreturn]] void Malformed(const std::string& display, const YAML::Node& node,
                            const std::string& what) {
  ThrowData("{}:{}: {}", display, node.Mark().line + 1, what);
}

std::vector<LockedEntry> ParseEntries(const YAML::Node& list, const std::string& display) {
  std::vector<LockedEntry> entries;
  if (!list) return entries;
  if (!list.IsSequence()) Malformed(display, list, "expected a list of entries");
  for (const YAML::Node& item : list) {
    if (!item.IsMap() || !item["path"]) Malformed(display, item, "an entry needs a 'path'");
    LockedEntry e;
    try {
      e.path = item["path"].as<std::string>();
      if (item["md5"]) e.md5 = item["md5"].as<std::string>();
      if (item["size"]) e.size = item["size"].as<uint64_t>();
      if (item["nfiles"]) e.nfiles = item["nfiles"].as<uint64_t>();
      if (item["isexec"]) e.isexec = item["isexec"].as<bool>();
    } catch (const YAML::Exception&) {
      Malformed(display, item, "malformed entry");
    }
    e.legacy_hash = !item["hash"] && !e.md5.empty();
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace

const LockedStage* LockFile::Find(const std::string& name) const {
  for (const auto& [n, stage] : stages)
    if (n == name) return &stage;
  return nullptr;
}

void LockFile::Set(const std::string& name, LockedStage stage) {
  for (auto& [n, existing] : stages) {
    if (n == name) {
      existing = std::move(stage);
      return;
    }
  }
  stages.emplace_back(name, std::move(stage));
}

void LockFile::Erase(const std::string& name) {
  std::erase_if(stages, [&](const auto& entry) { return entry.first == name; });
}

namespace {

YAML::Node LoadYaml(const std::string& text, const std::string& display) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    ThrowData("{}:{}: invalid YAML: {}", display, e.mark.line + 1, e.msg);
  }
}

LockedStage StageFromNode(const YAML::Node& node, const std::string& display) {
  if (!node.IsMap() || !node["cmd"]) Malformed(display, node, "a stage needs a 'cmd'");
  LockedStage stage;
  stage.cmd = YamlToJson(node["cmd"]);
  stage.deps = ParseEntries(node["deps"], display);
  stage.outs = ParseEntries(node["outs"], display);
  if (const YAML::Node& params = node["params"]) {
    if (!params.IsMap()) Malformed(display, params, "'params' must be a mapping");
    stage.params = YamlToJson(params);
  }
  return stage;
}

}  // namespace

LockFile ParseLockFile(const std::string& text, const std::string& display) {
  YAML::Node root = LoadYaml(text, display);
  LockFile lock;
  if (!root || root.IsNull()) return lock;
  const YAML::Node& schema = root.IsMap() ? root["schema"] : YAML::Node();
  if (!schema || !schema.IsScalar() || schema.Scalar() != "2.0")
    ThrowData("{}: unsupported lock file: expected \"schema: '2.0'\" (written by DVC 2 or later)",
              display);
  const YAML::Node& stages = root["stages"];
  if (!stages) return lock;
  if (!stages.IsMap()) Malformed(display, stages, "'stages' must be a mapping");
  for (const auto& kv : stages)
    lock.stages.emplace_back(kv.first.as<std::string>(), StageFromNode(kv.second, display));
  return lock;
}

LockedStage ParseLockedStage(const std::string& text, const std::string& display) {
  return StageFromNode(LoadYaml(text, display), display);
}

LockFile LoadLockFile(FileSystem& fs, const std::string& abs_path, const std::string& display) {
  if (!fs.Stat(abs_path).is_file()) return {};
  return ParseLockFile(fs.ReadFile(abs_path), display);
}

std::string SerializeLockedStage(const LockedStage& stage) {
  std::string out;
  EmitStage(out, stage, 0);
  return out;
}

std::string SerializeLockFile(const LockFile& lock, LockTextCache* cache) {
  std::string out = "schema: '2.0'\nstages:\n";
  for (const auto& [name, stage] : lock.stages) {
    if (cache) {
      auto hit = cache->find(name);
      if (hit != cache->end()) {
        out += hit->second;
        continue;
      }
    }
    std::string text = "  " + ScalarText(Json(name)) + ":\n";
    EmitStage(text, stage, 4);
    out += text;
    if (cache) (*cache)[name] = std::move(text);
  }
  return out;
}

void SaveLockFile(FileSystem& fs, const std::string& abs_path, const LockFile& lock,
                  LockTextCache* cache) {
  if (lock.stages.empty()) {
    if (fs.Stat(abs_path).exists()) fs.RemoveFile(abs_path);
    return;
  }
  fs.WriteFileAtomic(abs_path, SerializeLockFile(lock, cache));
}

}  // namespace leanops
