#include "data/config.h"

#include <algorithm>

#include "core/error.h"

namespace leanops {
namespace {

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::string Unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

// ConfigObj quotes a section name that contains a double quote with single
// quotes, and one that contains spaces or a single quote with double quotes.
std::string QuoteSectionName(const std::string& name) {
  if (name.find('"') != std::string::npos) return "'" + name + "'";
  if (name.find_first_of(" '") != std::string::npos) return "\"" + name + "\"";
  return name;
}

// Values with a leading/trailing space, a comma-free '#' or quotes need
// quoting in ConfigObj; plain values are written bare.
std::string QuoteValue(const std::string& value) {
  bool needs = value.empty() || value.front() == ' ' || value.back() == ' ' ||
               value.find('#') != std::string::npos;
  if (!needs) return value;
  return value.find('"') == std::string::npos ? "\"" + value + "\"" : "'" + value + "'";
}

}  // namespace

IniFile IniFile::Parse(const std::string& text, const std::string& file_name) {
  IniFile ini;
  Section* current = nullptr;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = Trim(text.substr(pos, end - pos));
    ++line_number;
    pos = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      if (end == text.size()) break;
      continue;
    }
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3)
        ThrowData("{}:{}: malformed section header '{}'", file_name, line_number, line);
      std::string name = Unquote(Trim(line.substr(1, line.size() - 2)));
      if (name.empty()) ThrowData("{}:{}: empty section name", file_name, line_number);
      current = ini.Find(name);
      if (!current) {
        ini.sections_.push_back(Section{name, {}});
        current = &ini.sections_.back();
      }
    } else {
      size_t eq = line.find('=');
      if (eq == std::string::npos || eq == 0)
        ThrowData("{}:{}: expected 'key = value', got '{}'", file_name, line_number, line);
      if (!current) ThrowData("{}:{}: '{}' is outside any [section]", file_name, line_number, line);
      std::string key = Trim(line.substr(0, eq));
      std::string value = Unquote(Trim(line.substr(eq + 1)));
      auto it = std::find_if(current->entries.begin(), current->entries.end(),
                             [&](const auto& e) { return e.first == key; });
      if (it != current->entries.end())
        it->second = value;
      else
        current->entries.emplace_back(key, value);
    }
    if (end == text.size()) break;
  }
  return ini;
}

std::string IniFile::Serialize() const {
  // DVC writes plain sections ([core], [cache]) first and named ones
  // (['remote "x"']) after them; each group keeps its order.
  std::string out;
  for (bool named : {false, true}) {
    for (const Section& section : sections_) {
      if ((section.name.find('"') != std::string::npos) != named) continue;
      out += "[" + QuoteSectionName(section.name) + "]\n";
      for (const auto& [key, value] : section.entries)
        out += "    " + key + " = " + QuoteValue(value) + "\n";
    }
  }
  return out;
}

IniFile::Section* IniFile::Find(const std::string& name) {
  for (Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const IniFile::Section* IniFile::Find(const std::string& name) const {
  for (const Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::optional<std::string> IniFile::Get(const std::string& section, const std::string& key) const {
  const Section* s = Find(section);
  if (!s) return std::nullopt;
  for (const auto& [k, v] : s->entries)
    if (k == key) return v;
  return std::nullopt;
}

void IniFile::Set(const std::string& section, const std::string& key, const std::string& value) {
  Section* s = Find(section);
  if (!s) {
    sections_.push_back(Section{section, {}});
    s = &sections_.back();
  }
  for (auto& [k, v] : s->entries) {
    if (k == key) {
      v = value;
      return;
    }
  }
  s->entries.emplace_back(key, value);
}

bool IniFile::Unset(const std::string& section, const std::string& key) {
  Section* s = Find(section);
  if (!s) return false;
  auto it = std::find_if(s->entries.begin(), s->entries.end(),
                         [&](const auto& e) { return e.first == key; });
  if (it == s->entries.end()) return false;
  s->entries.erase(it);
  if (s->entries.empty()) RemoveSection(section);
  return true;
}

bool IniFile::HasSection(const std::string& section) const { return Find(section) != nullptr; }

void IniFile::RemoveSection(const std::string& section) {
  sections_.erase(std::remove_if(sections_.begin(), sections_.end(),
                                 [&](const Section& s) { return s.name == section; }),
                  sections_.end());
}

RepoConfig RepoConfig::Load(FileSystem& fs, const std::string& dvc_dir) {
  RepoConfig config;
  config.fs_ = &fs;
  config.dvc_dir_ = dvc_dir;
  for (ConfigLevel level : {ConfigLevel::kRepo, ConfigLevel::kLocal}) {
    std::string path = dvc_dir + (level == ConfigLevel::kRepo ? "/config" : "/config.local");
    if (!fs.Stat(path).exists()) continue;
    config.Level(level) = IniFile::Parse(fs.ReadFile(path), path);
  }
  return config;
}

void RepoConfig::Save(ConfigLevel level) {
  std::string path = dvc_dir_ + (level == ConfigLevel::kRepo ? "/config" : "/config.local");
  fs_->WriteFileAtomic(path, Level(level).Serialize());
}

std::optional<std::string> RepoConfig::Get(const std::string& section,
                                           const std::string& key) const {
  if (auto v = local_.Get(section, key)) return v;
  return repo_.Get(section, key);
}

std::vector<LinkType> RepoConfig::CacheLinkTypes() const {
  std::vector<LinkType> types;
  std::string spec = Get("cache", "type").value_or("copy");
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string name = Trim(spec.substr(pos, comma - pos));
    pos = comma + 1;
    if (name.empty()) continue;
    if (name == "reflink")
      types.push_back(LinkType::kReflink);
    else if (name == "hardlink")
      types.push_back(LinkType::kHardlink);
    else if (name == "symlink")
      types.push_back(LinkType::kSymlink);
    else if (name == "copy")
      types.push_back(LinkType::kCopy);
    else
      ThrowData("{}/config: cache.type '{}' is not one of reflink, hardlink, symlink, copy",
                dvc_dir_, name);
  }
  if (types.empty()) types.push_back(LinkType::kCopy);
  return types;
}

std::string RepoConfig::CacheDir() const {
  std::optional<std::string> dir = Get("cache", "dir");
  if (!dir || dir->empty()) return dvc_dir_ + "/cache";
  if ((*dir)[0] == '/') return *dir;
  return dvc_dir_ + "/" + *dir;
}

std::optional<std::string> RepoConfig::DefaultRemote() const {
  std::optional<std::string> name = Get("core", "remote");
  if (name && name->empty()) return std::nullopt;
  return name;
}

std::vector<std::string> RepoConfig::RemoteNames() const {
  std::vector<std::string> names;
  for (const IniFile* ini : {&repo_, &local_}) {
    for (const auto& section : ini->sections()) {
      const std::string prefix = "remote \"";
      if (section.name.rfind(prefix, 0) == 0 && section.name.back() == '"') {
        std::string name =
            section.name.substr(prefix.size(), section.name.size() - prefix.size() - 1);
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
  }
  return names;
}

RemoteConfig RepoConfig::Remote(const std::string& requested) const {
  std::string name = requested;
  if (name.empty()) {
    std::optional<std::string> def = DefaultRemote();
    if (!def)
      ThrowData(
          "no remote given and no default remote set; use -r NAME or 'leanops remote default "
          "NAME'");
    name = *def;
  }
  std::string section = RemoteSection(name);
  if (!repo_.HasSection(section) && !local_.HasSection(section))
    ThrowData("unknown remote '{}' (configured: {})", name,
              RemoteNames().empty() ? std::string("none")
                                    : fmt::format("{}", fmt::join(RemoteNames(), ", ")));
  RemoteConfig remote;
  remote.name = name;
  for (const IniFile* ini : {&repo_, &local_}) {
    for (const auto& s : ini->sections()) {
      if (s.name != section) continue;
      for (const auto& [key, value] : s.entries) {
        if (key == "url")
          remote.url = value;
        else
          remote.options[key] = value;
      }
    }
  }
  if (remote.url.empty()) ThrowData("remote '{}' has no url in {}/config", name, dvc_dir_);
  return remote;
}

}  // namespace leanops
