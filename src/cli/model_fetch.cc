// Models named on the command line: a local path, or a registry or run URI
// resolved through the tracking store.
#include <fmt/format.h>

#include <charconv>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "core/file_system.h"
#include "core/strings.h"

namespace leanops::cli {
namespace {

// models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest or
// models:/NAME/STAGE (MLflow's forms).
track::ModelVersion ResolveRegistered(track::Store& store, const std::string& rest,
                                      const std::string& uri) {
  size_t at = rest.rfind('@');
  if (at != std::string::npos)
    return store.GetModelVersionByAlias(rest.substr(0, at), rest.substr(at + 1));
  size_t slash = rest.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size())
    ThrowUsage("'{}': expected models:/NAME@ALIAS or models:/NAME/VERSION", uri);
  std::string name = rest.substr(0, slash), which = rest.substr(slash + 1);
  if (which.find_first_not_of("0123456789") == std::string::npos) {
    int64_t version = 0;
    auto [end, ec] = std::from_chars(which.data(), which.data() + which.size(), version);
    if (ec != std::errc() || end != which.data() + which.size())
      ThrowData("'{}': version {} is out of range", uri, which);
    return store.GetModelVersion(name, version);
  }
  std::vector<std::string> stages;
  if (which != "latest") stages.push_back(which);
  std::vector<track::ModelVersion> versions = store.GetLatestVersions(name, stages);
  if (versions.empty())
    ThrowData("'{}': model '{}' has no version{}", uri, name,
              stages.empty() ? "" : " in stage " + which);
  auto newest =
      std::max_element(versions.begin(), versions.end(),
                       [](const auto& a, const auto& b) { return a.version < b.version; });
  return *newest;
}

}  // namespace

std::string FetchModel(const std::string& spec, const std::string& scratch) {
  bool registry = spec.starts_with("models:/");
  bool run_uri = spec.starts_with("runs:/");
  if (!registry && !run_uri) return spec;
  TrackSession session = OpenTracking();
  track::Store& store = *session.store;
  std::string run_id, path;
  if (registry) {
    track::ModelVersion version = ResolveRegistered(store, spec.substr(8), spec);
    run_id = version.run_id;
    if (version.source.starts_with("runs:/")) {
      std::string rest = version.source.substr(6);
      size_t slash = rest.find('/');
      run_id = rest.substr(0, slash);
      path = slash == std::string::npos ? "" : rest.substr(slash + 1);
    } else {
      if (run_id.empty()) {
        // A version registered from a plain location, not a run.
        std::unique_ptr<track::ArtifactStore> direct = track::OpenArtifactStore(version.source);
        std::string local = direct->LocalPath("");
        if (!local.empty()) return local;
        DownloadTree(*direct, "", scratch);
        return scratch;
      }
      track::Run run = store.GetRun(run_id);
      std::string root = run.info.artifact_uri + "/";
      if (!version.source.starts_with(root))
        ThrowData("'{}': version source '{}' is not under its run's artifacts '{}'", spec,
                  version.source, run.info.artifact_uri);
      path = version.source.substr(root.size());
    }
  } else {
    std::string rest = spec.substr(6);
    size_t slash = rest.find('/');
    run_id = ResolveRunId(store, rest.substr(0, slash));
    path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  track::Run run = store.GetRun(run_id);
  std::unique_ptr<track::ArtifactStore> artifacts = OpenRunArtifacts(session, run.info);
  path = track::CheckArtifactPath(path);
  std::string local = artifacts->LocalPath(path);
  if (!local.empty() && RealFs().Stat(local).exists()) return local;
  if (artifacts->List(path).empty()) {
    std::string file = scratch + "/" + BaseName(path.empty() ? "model" : path);
    RealFs().MakeDirs(scratch);
    artifacts->Download(path, file);
    return file;
  }
  DownloadTree(*artifacts, path, scratch);
  return scratch;
}

}  // namespace leanops::cli
