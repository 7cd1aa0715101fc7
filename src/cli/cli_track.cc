// Shared plumbing of the tracking commands, `artifacts list|get`, and the
// registration of every tracking command group.
#include "cli/cli_track.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <string_view>

#include "cli/cli_common.h"
#include "core/file_system.h"
#include "data/repo.h"
#include "pipeline/metrics.h"
#include "track/api_error.h"
#include "track/artifact_proxy.h"
#include "track/search_filter.h"

namespace leanops::cli {
namespace {

std::string& TrackingUriFlag() {
  static std::string uri;
  return uri;
}

struct ArtifactFlags {
  std::string run_id;
  std::string path;
  std::string dest;
  bool json = false;
};

ArtifactFlags& Flags() {
  static ArtifactFlags flags;
  return flags;
}

bool IsHexPrefix(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

void RunArtifactsList() {
  TrackSession s = OpenTracking();
  track::Run run = s.store->GetRun(ResolveRunId(*s.store, Flags().run_id));
  std::unique_ptr<track::ArtifactStore> artifacts = OpenRunArtifacts(s, run.info);
  std::vector<track::ArtifactFile> files = artifacts->List(track::CheckArtifactPath(Flags().path));
  if (Flags().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const track::ArtifactFile& f : files) {
      nlohmann::json entry = {{"path", f.path}, {"is_dir", f.is_dir}};
      if (!f.is_dir) entry["file_size"] = f.file_size;
      list.push_back(entry);
    }
    PrintJson({{"root_uri", run.info.artifact_uri}, {"files", list}});
    return;
  }
  TextTable table = {{"Path", "Size"}};
  for (const track::ArtifactFile& f : files)
    table.push_back({f.is_dir ? f.path + "/" : f.path,
                     f.is_dir ? "-" : HumanBytes(static_cast<uint64_t>(f.file_size))});
  std::string text = RenderTable(table);
  if (!Globals().quiet) std::fputs(text.c_str(), stdout);
}

void RunArtifactsGet() {
  TrackSession s = OpenTracking();
  track::Run run = s.store->GetRun(ResolveRunId(*s.store, Flags().run_id));
  std::unique_ptr<track::ArtifactStore> artifacts = OpenRunArtifacts(s, run.info);
  std::string path = track::CheckArtifactPath(Flags().path);
  if (path.empty()) ThrowUsage("artifacts get: name an artifact path (a file or a directory)");
  std::string abs_dest = AbsoluteFromCwd(Flags().dest.empty() ? BaseName(path) : Flags().dest);
  // An existing directory named by -o receives the artifact under its own name, as cp does.
  if (!Flags().dest.empty() && RealFs().Stat(abs_dest).is_dir()) abs_dest += "/" + BaseName(path);
  size_t count = 0;
  if (!artifacts->List(path).empty()) {
    count = DownloadTree(*artifacts, path, abs_dest);
  } else {
    RealFs().MakeDirs(DirName(abs_dest));
    artifacts->Download(path, abs_dest);
    count = 1;
  }
  Say(fmt::format("Downloaded {} ({} file{}) to {}", path, count, count == 1 ? "" : "s",
                  RelativePath(AbsoluteFromCwd("."), abs_dest)));
}

}  // namespace

size_t DownloadTree(track::ArtifactStore& artifacts, const std::string& dir,
                    const std::string& local_dir) {
  size_t count = 0;
  RealFs().MakeDirs(local_dir);
  for (const track::ArtifactFile& f : artifacts.List(dir)) {
    std::string local = local_dir + "/" + BaseName(f.path);
    if (f.is_dir) {
      count += DownloadTree(artifacts, f.path, local);
    } else {
      artifacts.Download(f.path, local);
      ++count;
    }
  }
  return count;
}

void AddTrackingUriOption(CLI::App* cmd) {
  cmd->add_option("--tracking-uri", TrackingUriFlag(),
                  "Tracking store: sqlite:///file.db, postgresql://..., http://server "
                  "(default: $LEANOPS_TRACKING_URI, $MLFLOW_TRACKING_URI, .leanops/config, "
                  ".leanops/tracking.db)");
}

TrackSession OpenTracking() {
  TrackSession session;
  session.settings = track::ResolveTracking(TrackingUriFlag());
  session.store = track::OpenStore(session.settings.store_uri, session.settings.artifact_root);
  track::IgnoreLocalStateInGit(session.settings);
  return session;
}

bool IsNotFound(const Error& error) { return std::string_view(error.code()) == track::kNotFound; }

track::Experiment ResolveExperiment(track::Store& store, const std::string& name_or_id) {
  try {
    return store.GetExperimentByName(name_or_id);
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
  }
  bool numeric =
      !name_or_id.empty() && name_or_id.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    try {
      return store.GetExperiment(name_or_id);
    } catch (const Error& e) {
      if (!IsNotFound(e)) throw;
    }
  }
  track::ThrowNotFound("no experiment is named or numbered '{}'", name_or_id);
}

std::vector<std::string> AllExperimentIds(track::Store& store, track::ViewType view) {
  std::vector<std::string> ids;
  track::ExperimentQuery query;
  query.view = view;
  do {
    track::Page<track::Experiment> page = store.SearchExperiments(query);
    for (const track::Experiment& e : page.items) ids.push_back(e.experiment_id);
    query.page_token = page.next_page_token;
  } while (!query.page_token.empty());
  return ids;
}

std::string ResolveRunId(track::Store& store, const std::string& id_or_prefix) {
  if (id_or_prefix.size() >= 32 || !IsHexPrefix(id_or_prefix)) return id_or_prefix;
  if (id_or_prefix.size() < 4)
    ThrowUsage("run id '{}' is too short: give at least 4 hex digits", id_or_prefix);
  track::RunQuery query;
  query.experiment_ids = AllExperimentIds(store, track::ViewType::kAll);
  query.view = track::ViewType::kAll;
  query.filter = "attributes.run_id LIKE '" + id_or_prefix + "%'";
  query.max_results = 2;
  std::vector<track::Run> runs = store.SearchRuns(query).items;
  if (runs.empty()) track::ThrowNotFound("no run id starts with '{}'", id_or_prefix);
  if (runs.size() > 1)
    track::ThrowInvalid("run id prefix '{}' is ambiguous: give more digits", id_or_prefix);
  return runs[0].info.run_id;
}

std::vector<track::Run> SearchRunsUpTo(track::Store& store, track::RunQuery query, int64_t limit) {
  std::vector<track::Run> runs;
  while (static_cast<int64_t>(runs.size()) < limit) {
    query.max_results = std::min<int64_t>(limit - static_cast<int64_t>(runs.size()), 1000);
    track::Page<track::Run> page = store.SearchRuns(query);
    for (track::Run& r : page.items) runs.push_back(std::move(r));
    if (page.next_page_token.empty()) break;
    query.page_token = page.next_page_token;
  }
  return runs;
}

void EnsureRegisteredModel(track::Store& store, const std::string& name) {
  try {
    store.GetRegisteredModel(name);
    return;
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
  }
  try {
    store.CreateRegisteredModel(name, {}, "");
  } catch (const Error& e) {
    // Another process created it in between: just as good.
    if (std::string_view(e.code()) != track::kAlreadyExists) throw;
  }
}

std::unique_ptr<track::ArtifactStore> OpenRunArtifacts(const TrackSession& session,
                                                       const track::RunInfo& info) {
  return track::OpenRunArtifactStore(info.artifact_uri, session.settings.store_uri);
}

track::Tag ParseKeyValue(const std::string& text, const char* option) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) ThrowUsage("{} '{}': expected KEY=VALUE", option, text);
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string FormatTime(int64_t millis) {
  if (millis <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S", &local);
  return buffer;
}

std::string FormatNumber(double value) { return fmt::format("{}", value); }

std::string ShortRunId(const std::string& run_id) { return run_id.substr(0, 8); }

void RegisterArtifactCommands(CLI::App& app) {
  ArtifactFlags& f = Flags();
  CLI::App* artifacts = app.add_subcommand("artifacts", "List and download run artifacts");
  artifacts->require_subcommand(1);

  CLI::App* list = artifacts->add_subcommand("list", "List a run's artifacts (one level)");
  list->add_option("run_id", f.run_id, "Run id (or a unique prefix)")->required();
  list->add_option("path", f.path, "Directory inside the run's artifacts (default: the root)");
  list->add_flag("--json", f.json, "Print the listing as JSON");
  AddTrackingUriOption(list);
  list->callback(RunArtifactsList);

  CLI::App* get = artifacts->add_subcommand("get", "Download an artifact file or directory");
  get->add_option("run_id", f.run_id, "Run id (or a unique prefix)")->required();
  get->add_option("path", f.path, "Artifact path (a file or a directory)")->required();
  get->add_option("-o,--out", f.dest,
                  "Where to write it (default: its name in the current directory; into an "
                  "existing directory)");
  AddTrackingUriOption(get);
  get->callback(RunArtifactsGet);
}

void RegisterTrackCommands(CLI::App& app) {
  RegisterExperimentCommands(app);
  CLI::App* runs = app.add_subcommand("runs", "List, inspect, compare and log tracked runs");
  runs->require_subcommand(1);
  RegisterRunCommands(*runs);
  RegisterRunLogCommand(*runs);
  RegisterModelCommands(app);
  RegisterArtifactCommands(app);
}

}  // namespace leanops::cli
