#include "track/tracking_config.h"

#include <cstdlib>
#include <optional>

#include "core/file_system.h"
#include "data/config.h"
#include "data/repo.h"

namespace leanops::track {
namespace {

constexpr const char kSqlitePrefix[] = "sqlite:///";

// The nearest directory at or above `dir` holding .dvc/ or .leanops/.
std::string FindProjectDir(FileSystem& fs, std::string dir) {
  while (true) {
    if (fs.Stat(dir + "/.dvc").is_dir() || fs.Stat(dir + "/.leanops").is_dir()) return dir;
    if (dir == "/") return "";
    dir = DirName(dir);
  }
}

std::optional<std::string> FromEnvironment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

bool HasScheme(const std::string& uri) { return uri.find("://") != std::string::npos; }

// A relative location in .leanops/config means the same place from any
// subdirectory, so it is taken relative to the project, not the cwd (which
// is what a relative --tracking-uri or environment value is relative to).
std::string AnchorStoreUri(const std::string& uri, const std::string& base) {
  if (uri.rfind(kSqlitePrefix, 0) == 0) {
    std::string path = uri.substr(sizeof(kSqlitePrefix) - 1);
    if (!path.empty() && path[0] != '/') return kSqlitePrefix + NormalizePath(base + "/" + path);
    return uri;
  }
  if (!HasScheme(uri) && !uri.empty() && uri[0] != '/') return NormalizePath(base + "/" + uri);
  return uri;
}

std::string AnchorPath(const std::string& location, const std::string& base) {
  if (HasScheme(location) || location.empty() || location[0] == '/') return location;
  return NormalizePath(base + "/" + location);
}

IniFile LoadProjectConfig(FileSystem& fs, const std::string& project_dir) {
  if (project_dir.empty()) return IniFile();
  std::string path = project_dir + "/.leanops/config";
  if (!fs.Stat(path).is_file()) return IniFile();
  return IniFile::Parse(fs.ReadFile(path), ".leanops/config");
}

}  // namespace

TrackingSettings ResolveTracking(const std::string& cli_uri) {
  FileSystem& fs = RealFs();
  std::string cwd = AbsoluteFromCwd(".");
  TrackingSettings settings;
  settings.project_dir = FindProjectDir(fs, cwd);
  std::string base = settings.project_dir.empty() ? cwd : settings.project_dir;
  IniFile config = LoadProjectConfig(fs, settings.project_dir);

  if (!cli_uri.empty()) {
    settings.store_uri = cli_uri;
  } else if (auto env = FromEnvironment("LEANOPS_TRACKING_URI")) {
    settings.store_uri = *env;
  } else if (auto env = FromEnvironment("MLFLOW_TRACKING_URI")) {
    settings.store_uri = *env;
  } else if (auto configured = config.Get("track", "uri"); configured && !configured->empty()) {
    settings.store_uri = AnchorStoreUri(*configured, base);
  } else {
    // base is absolute, so this is the four-slash absolute form.
    settings.store_uri = kSqlitePrefix + base + "/.leanops/tracking.db";
  }

  auto root = config.Get("track", "artifact_root");
  settings.artifact_root =
      root && !root->empty() ? AnchorPath(*root, base) : base + "/.leanops/artifacts";
  return settings;
}

void IgnoreLocalStateInGit(const TrackingSettings& settings) {
  if (settings.project_dir.empty()) return;
  const std::string state_dir = settings.project_dir + "/.leanops";
  const bool default_store = settings.store_uri == kSqlitePrefix + state_dir + "/tracking.db";
  const bool default_artifacts = settings.artifact_root == state_dir + "/artifacts";
  if (!default_store && !default_artifacts) return;
  FileSystem& fs = RealFs();
  const std::string path = state_dir + "/.gitignore";
  if (!fs.Stat(state_dir).is_dir() || fs.Stat(path).exists()) return;
  // .leanops/config is shared through git; the database and artifacts are
  // this machine's.
  fs.WriteFileAtomic(path,
                     "# Written by leanops: local tracking state stays out of git.\n"
                     "/tracking.db\n/tracking.db-*\n/artifacts/\n");
}

}  // namespace leanops::track
