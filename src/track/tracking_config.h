// Where the tracking store and artifacts live, for commands and the server.
//
// The store URI is the first of:
//   1. --tracking-uri / --backend-store-uri on the command line
//   2. LEANOPS_TRACKING_URI, then MLFLOW_TRACKING_URI in the environment
//   3. `uri` in the [track] section of .leanops/config (INI, beside .dvc/)
//   4. sqlite:///<project>/.leanops/tracking.db
// where <project> is the directory holding .dvc/ or .leanops/ above the cwd
// (the cwd itself when there is none). The default artifact root is
// [track] artifact_root, else <project>/.leanops/artifacts.
#pragma once

#include <string>

namespace leanops::track {

struct TrackingSettings {
  std::string store_uri;
  std::string artifact_root;  // for new experiments that name no location
  std::string project_dir;    // "" when no project was found
};

/// Resolves the settings above; `cli_uri` is "" when not given.
TrackingSettings ResolveTracking(const std::string& cli_uri);

/// When the store or the artifacts live in the project's .leanops/ (the
/// defaults), writes .leanops/.gitignore so that git leaves them out, as DVC
/// does for .dvc/cache. A .gitignore already there is left as it is.
void IgnoreLocalStateInGit(const TrackingSettings& settings);

}  // namespace leanops::track
