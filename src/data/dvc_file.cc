#include "data/dvc_file.h"

#include "core/error.h"

namespace leanops {
namespace {

[[noreturn]] void FieldError(const std::string& path, const YAML::Node& node,
                             const std::string& what) {
  ThrowData("{}:{}: {}", path, node.Mark().line + 1, what);
}

uint64_t ReadUnsigned(const std::string& path, const YAML::Node& node, const char* key) {
  try {
    return node.as<uint64_t>();
  } catch (const YAML::Exception&) {
    FieldError(path, node, fmt::format("'{}' must be a non-negative integer", key));
  }
}

bool ReadBool(const std::string& path, const YAML::Node& node, const char* key) {
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    FieldError(path, node, fmt::format("'{}' must be true or false", key));
  }
}

DvcOut ParseOut(const std::string& path, const YAML::Node& node) {
  if (!node.IsMap()) FieldError(path, node, "each entry of 'outs' must be a mapping");
  DvcOut out;
  out.legacy_hash = true;
  out.extra = YAML::Node(YAML::NodeType::Map);
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& value = kv.second;
    if (key == "path") {
      if (!value.IsScalar()) FieldError(path, value, "'path' must be a string");
      out.path = value.as<std::string>();
    } else if (key == "md5") {
      if (!value.IsNull()) {
        if (!value.IsScalar()) FieldError(path, value, "'md5' must be a string");
        out.md5 = value.as<std::string>();
        for (char& c : out.md5) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    } else if (key == "size") {
      out.size = ReadUnsigned(path, value, "size");
    } else if (key == "nfiles") {
      out.nfiles = ReadUnsigned(path, value, "nfiles");
    } else if (key == "isexec") {
      out.isexec = ReadBool(path, value, "isexec");
    } else if (key == "hash") {
      if (!value.IsScalar()) FieldError(path, value, "'hash' must be a string");
      std::string name = value.as<std::string>();
      if (name != "md5")
        FieldError(path, value, fmt::format("unsupported hash '{}' (leanops reads md5)", name));
      out.legacy_hash = false;
    } else if (key == "cache") {
      out.cache = ReadBool(path, value, "cache");
      out.extra[key] = value;
    } else {
      out.extra[key] = value;
    }
  }
  if (out.path.empty()) FieldError(path, node, "an entry of 'outs' has no 'path'");
  // DVC allows "../data" (a pointer written with --file elsewhere); Repo
  // checks that every output resolves inside the repository.
  if (out.path[0] == '/')
    FieldError(
        path, node,
        fmt::format("'path: {}' is absolute; outputs must be inside the repository", out.path));
  return out;
}

void EmitExtra(YAML::Emitter& emitter, const YAML::Node& extra) {
  if (!extra || !extra.IsMap()) return;
  for (const auto& kv : extra) {
    emitter << YAML::Key << kv.first << YAML::Value << kv.second;
  }
}

}  // namespace

DvcFile ParseDvcFile(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    ThrowData("{}:{}:{}: invalid YAML: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  DvcFile file;
  file.path = path;
  file.extra = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) ThrowData("{}:1: expected a mapping with 'outs'", path);
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (key == "outs") {
      if (!kv.second.IsSequence()) FieldError(path, kv.second, "'outs' must be a list");
      for (const auto& item : kv.second) file.outs.push_back(ParseOut(path, item));
    } else {
      file.extra[key] = kv.second;
    }
  }
  if (file.outs.empty()) ThrowData("{}:1: no 'outs' entries", path);
  return file;
}

DvcFile LoadDvcFile(FileSystem& fs, const std::string& path) {
  return ParseDvcFile(fs.ReadFile(path), path);
}

std::string SerializeDvcFile(const DvcFile& file) {
  // The common case (only outs with known keys) is written by hand to match
  // DVC byte for byte; yaml-cpp emits the keys leanops does not interpret.
  std::string text = "outs:\n";
  for (const DvcOut& out : file.outs) {
    std::string entry;
    if (!out.md5.empty()) entry += "md5: " + out.md5 + "\n";
    if (out.size) entry += "size: " + std::to_string(*out.size) + "\n";
    if (out.nfiles) entry += "nfiles: " + std::to_string(*out.nfiles) + "\n";
    if (out.isexec) entry += "isexec: true\n";
    if (!out.legacy_hash) entry += "hash: md5\n";
    YAML::Emitter path_emitter;
    path_emitter << out.path;
    entry += "path: " + std::string(path_emitter.c_str()) + "\n";
    if (out.extra && out.extra.IsMap() && out.extra.size() > 0) {
      YAML::Emitter emitter;
      emitter << YAML::BeginMap;
      EmitExtra(emitter, out.extra);
      emitter << YAML::EndMap;
      entry += std::string(emitter.c_str()) + "\n";
    }
    // Indent the entry as a list item.
    bool first = true;
    size_t pos = 0;
    while (pos < entry.size()) {
      size_t end = entry.find('\n', pos);
      text += (first ? "- " : "  ") + entry.substr(pos, end - pos) + "\n";
      first = false;
      pos = end + 1;
    }
  }
  if (file.extra && file.extra.IsMap() && file.extra.size() > 0) {
    YAML::Emitter emitter;
    emitter << YAML::BeginMap;
    EmitExtra(emitter, file.extra);
    emitter << YAML::EndMap;
    text += std::string(emitter.c_str()) + "\n";
  }
  return text;
}

void SaveDvcFile(FileSystem& fs, const DvcFile& file) {
  fs.WriteFileAtomic(file.path, SerializeDvcFile(file));
}

}  // namespace leanops
