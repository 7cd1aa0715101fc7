// .dvc/config and .dvc/config.local, in the INI dialect DVC writes through
// ConfigObj:
//
//     [core]
//         remote = storage
//     ['remote "storage"']
//         url = s3://bucket/path
//         endpointurl = http://127.0.0.1:9555
//     [cache]
//         type = reflink,copy
//
// Section headers may be bare, or quoted with ' or " (ConfigObj quotes a name
// that itself contains quotes). Keys sit indented by four spaces. Comment
// lines start with '#' or ';'. The local file overrides the repo file key
// by key. Parsing errors name the file and line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/file_system.h"
#include "data/remote.h"

namespace leanops {

/// One INI file, order-preserving, so rewriting keeps the user's layout of
/// sections and keys.
class IniFile {
 public:
  struct Section {
    std::string name;  // unquoted, e.g. `remote "storage"`
    std::vector<std::pair<std::string, std::string>> entries;
  };

  /// Parses `text`; `file_name` is used in error messages.
  static IniFile Parse(const std::string& text, const std::string& file_name);
  /// ConfigObj's layout.
  std::string Serialize() const;

  std::optional<std::string> Get(const std::string& section, const std::string& key) const;
  void Set(const std::string& section, const std::string& key, const std::string& value);
  /// Returns false when the key was not there.
  bool Unset(const std::string& section, const std::string& key);
  bool HasSection(const std::string& section) const;
  void RemoveSection(const std::string& section);
  const std::vector<Section>& sections() const { return sections_; }

 private:
  Section* Find(const std::string& name);
  const Section* Find(const std::string& name) const;
  std::vector<Section> sections_;
};

enum class ConfigLevel { kRepo, kLocal };

/// The merged configuration of a repository.
class RepoConfig {
 public:
  /// Loads `<dvc_dir>/config` and `<dvc_dir>/config.local` (both optional).
  static RepoConfig Load(FileSystem& fs, const std::string& dvc_dir);

  std::optional<std::string> Get(const std::string& section, const std::string& key) const;
  /// Link types from cache.type ("reflink,copy" etc.); default {copy}.
  std::vector<LinkType> CacheLinkTypes() const;
  /// The cache directory: cache.dir (relative to the .dvc dir) or .dvc/cache.
  std::string CacheDir() const;
  std::optional<std::string> DefaultRemote() const;
  std::vector<std::string> RemoteNames() const;
  /// The named remote (or the default when `name` is empty); throws kData
  /// for an unknown or missing remote.
  RemoteConfig Remote(const std::string& name) const;

  /// Edits one level's file and writes it atomically.
  IniFile& Level(ConfigLevel level) { return level == ConfigLevel::kRepo ? repo_ : local_; }
  void Save(ConfigLevel level);

  static std::string RemoteSection(const std::string& name) { return "remote \"" + name + "\""; }

 private:
  FileSystem* fs_ = nullptr;
  std::string dvc_dir_;
  IniFile repo_;
  IniFile local_;
};

}  // namespace leanops
