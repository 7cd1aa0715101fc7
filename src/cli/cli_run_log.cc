// runs log: records a finished run from the command line, for pipeline
// stages that do not link a tracking client. One call creates the run with
// its lineage (track/lineage.h), logs params and metrics from files and
// flags, uploads artifacts, marks it FINISHED and optionally registers a
// model version from it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "core/file_system.h"
#include "core/strings.h"
#include "data/repo.h"
#include "pipeline/params_file.h"
#include "track/lineage.h"
#include "track/rest_json.h"

namespace leanops::cli {
namespace {

struct LogFlags {
  std::string experiment;
  std::string name;
  std::vector<std::string> params_files;
  std::vector<std::string> params;
  std::vector<std::string> metrics_files;
  std::vector<std::string> metrics;
  std::vector<std::string> tags;
  std::vector<std::string> artifacts;
  std::string register_model;
  std::string model_path = "model";
  bool json = false;
};

LogFlags& Flags() {
  static LogFlags flags;
  return flags;
}

Json LoadStructuredFile(const std::string& path, const char* what) {
  std::optional<Json> data = LoadParamsFile(RealFs(), AbsoluteFromCwd(path), path);
  if (!data) ThrowData("{} file '{}' does not exist", what, path);
  return *data;
}

// Params keep their first value; giving one key two values is a mistake
// the store would refuse later, half-way through logging.
void AddParam(std::map<std::string, std::string>& params, std::vector<track::Param>& ordered,
              const std::string& key, const std::string& value) {
  auto [it, inserted] = params.emplace(key, value);
  if (!inserted) {
    if (it->second != value)
      ThrowUsage("param '{}' is given twice, as '{}' and '{}'", key, it->second, value);
    return;
  }
  ordered.push_back({key, value});
}

// Flattened as DVC flattens params ("train.lr"); values as Python's str(),
// which is what MLflow's Python client logs for them. With selected keys,
// only those (a key naming a section selects all below it).
std::vector<track::Param> CollectParams(const LogFlags& f) {
  std::map<std::string, std::string> seen;
  std::vector<track::Param> params;
  for (const std::string& spec : f.params_files) {
    auto [path, key_list] = SplitSpec(spec);
    std::vector<std::string> keys = Split(key_list, ',', false);
    std::vector<std::pair<std::string, Json>> leaves =
        FlattenParams(LoadStructuredFile(path, "params"));
    for (const std::string& key : keys) {
      bool found = false;
      for (const auto& leaf : leaves)
        found |= leaf.first == key || leaf.first.rfind(key + ".", 0) == 0;
      if (!found) ThrowData("params file '{}' has no key '{}'", path, key);
    }
    for (const auto& [key, value] : leaves) {
      bool selected = keys.empty();
      for (const std::string& k : keys) selected |= key == k || key.rfind(k + ".", 0) == 0;
      if (selected) AddParam(seen, params, key, PythonStr(value));
    }
  }
  for (const std::string& text : f.params) {
    track::Tag kv = ParseKeyValue(text, "--param");
    AddParam(seen, params, kv.key, kv.value);
  }
  return params;
}

double ParseNumber(const std::string& text, const std::string& key) {
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  ThrowUsage("--metric {}={}: the value is not a number", key, text);
}

// Numeric leaves only: a metrics file may also hold strings or lists that
// are no metric.
std::vector<track::Metric> CollectMetrics(const LogFlags& f, int64_t now) {
  std::vector<track::Metric> metrics;
  for (const std::string& path : f.metrics_files) {
    for (const auto& [key, value] : FlattenParams(LoadStructuredFile(path, "metrics")))
      if (value.is_number()) metrics.push_back({key, value.get<double>(), now, 0});
  }
  for (const std::string& text : f.metrics) {
    track::Tag kv = ParseKeyValue(text, "--metric");
    metrics.push_back({kv.key, ParseNumber(kv.value, kv.key), now, 0});
  }
  return metrics;
}

// A file goes to DEST/<its name> (the root without DEST); a directory's
// files go under DEST, which defaults to the directory's name.
std::vector<ArtifactUpload> PlanUploads(const std::vector<std::string>& specs) {
  std::vector<ArtifactUpload> uploads;
  for (const std::string& spec : specs) {
    auto [path, dest] = SplitSpec(spec);
    dest = track::CheckArtifactPath(dest);
    std::string abs = AbsoluteFromCwd(path);
    FileInfo info = RealFs().StatFollow(abs);
    if (info.is_file()) {
      std::string name = BaseName(abs);
      uploads.push_back({abs, dest.empty() ? name : dest + "/" + name});
    } else if (info.is_dir()) {
      if (dest.empty()) dest = track::CheckArtifactPath(BaseName(abs));
      for (const WalkEntry& e : RealFs().Walk(abs, {}))
        uploads.push_back({abs + "/" + e.relpath, dest + "/" + e.relpath});
    } else {
      ThrowData("artifact '{}' does not exist", path);
    }
  }
  return uploads;
}

void RunLog() {
  LogFlags& f = Flags();
  if (f.register_model.empty() && f.model_path != "model")
    ThrowUsage("--model-path needs --register");
  // Everything the user named is read before the run exists, so a typo
  // leaves no half-logged run behind.
  int64_t now = NowMillis();
  std::vector<track::Param> params = CollectParams(f);
  std::vector<track::Metric> metrics = CollectMetrics(f, now);
  std::vector<track::Tag> user_tags;
  for (const std::string& t : f.tags) user_tags.push_back(ParseKeyValue(t, "--tag"));
  std::vector<ArtifactUpload> uploads = PlanUploads(f.artifacts);
  std::string model_path = track::CheckArtifactPath(f.model_path);

  TrackSession s = OpenTracking();
  RunRecord record;
  record.experiment = f.experiment;
  record.run_name = f.name;
  record.start_time = now;
  record.params = std::move(params);
  record.metrics = std::move(metrics);
  record.tags = std::move(user_tags);
  record.artifacts = [&](const track::RunInfo&) { return uploads; };
  record.register_model = f.register_model;
  record.model_path = model_path;
  RecordedRun recorded = RecordRun(s, record);
  const std::string& run_id = recorded.info.run_id;
  const std::string& experiment_id = recorded.experiment_id;
  const std::optional<track::ModelVersion>& version = recorded.version;
  const track::RunInfo& info = recorded.info;

  if (f.json) {
    nlohmann::json json = {
        {"run_id", run_id}, {"experiment_id", experiment_id}, {"artifact_uri", info.artifact_uri}};
    if (version) json["model_version"] = track::ToJson(*version);
    PrintJson(json);
    return;
  }
  Say(run_id);
  if (version)
    Say(fmt::format("Registered model '{}' version {}", version->name, version->version));
}

}  // namespace

void RegisterRunLogCommand(CLI::App& runs) {
  LogFlags& f = Flags();
  CLI::App* log = runs.add_subcommand(
      "log", "Record a finished run (params, metrics, tags, artifacts, data lineage)");
  log->add_option("--experiment", f.experiment,
                  "Experiment name or id (created when no experiment has that name)")
      ->required();
  log->add_option("--name", f.name, "Run name (default: a generated one)");
  log->add_option("--params", f.params_files,
                  "Params file (YAML/JSON/TOML), optionally with keys: params.yaml:train.lr,seed "
                  "(repeatable)");
  log->add_option("--param", f.params, "Param KEY=VALUE (repeatable)");
  log->add_option("--metrics", f.metrics_files,
                  "Metrics file (JSON/YAML); numeric values are logged (repeatable)");
  log->add_option("--metric", f.metrics, "Metric KEY=NUMBER (repeatable)");
  log->add_option("--tag", f.tags, "Tag KEY=VALUE (repeatable)");
  log->add_option("--artifact", f.artifacts,
                  "File or directory to upload, optionally to a destination: model.pkl:model "
                  "(repeatable)");
  log->add_option("--register", f.register_model,
                  "Register a version of this model from the run's artifacts");
  log->add_option("--model-path", f.model_path,
                  "Artifact path of the model to register (default: model)");
  log->add_flag("--json", f.json, "Print the run id (and model version) as JSON");
  AddTrackingUriOption(log);
  log->callback(RunLog);
}

}  // namespace leanops::cli
