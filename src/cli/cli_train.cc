// leanops train: fit a model from a config (and flags), write its MLmodel
// directory, metrics and ROC points, and log it as a run (optionally
// registering a version).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "cli/csv_flags.h"
#include "core/file_system.h"
#include "data/repo.h"
#include "track/rest_json.h"
#include "train/model_dir.h"
#include "train/trainer.h"

namespace leanops::cli {
namespace {

using Json = nlohmann::ordered_json;

struct TrainFlags {
  std::string config;
  std::vector<std::string> data;
  std::string test;
  std::string target;
  std::string task;
  std::string model;
  std::vector<std::string> sets;
  std::string out = "model";
  std::string metrics;
  std::string plots;
  std::string register_model;
  std::string experiment = "Default";
  std::string run_name;
  bool no_log = false;
  bool json = false;
  int jobs = 0;
};

TrainFlags& Flags() {
  static TrainFlags flags;
  return flags;
}

// Flags become --set overrides, so they are checked like config keys.
std::vector<std::string> Overrides(const TrainFlags& f) {
  std::vector<std::string> sets;
  if (!f.data.empty()) {
    Json list = f.data;
    sets.push_back("data.train=" + list.dump());
  }
  auto quoted = [](const std::string& v) { return Json(v).dump(); };
  if (!f.test.empty()) sets.push_back("data.test=" + quoted(f.test));
  if (!f.target.empty()) sets.push_back("data.target=" + quoted(f.target));
  if (!f.task.empty()) sets.push_back("data.task=" + quoted(f.task));
  if (!f.model.empty()) sets.push_back("model.type=" + quoted(f.model));
  sets.insert(sets.end(), f.sets.begin(), f.sets.end());
  return sets;
}

std::string MetricText(double value) {
  return std::isnan(value) ? "nan" : fmt::format("{:.4f}", value);
}

Json MetricsJson(const train::MetricList& metrics) {
  Json json = Json::object();
  // NaN has no JSON form; an undefined metric is left out.
  for (const auto& [name, value] : metrics)
    if (std::isfinite(value)) json[name] = value;
  return json;
}

std::vector<ArtifactUpload> ModelUploads(const std::string& dir) {
  std::vector<ArtifactUpload> uploads;
  for (const WalkEntry& e : RealFs().Walk(dir, {}))
    uploads.push_back({dir + "/" + e.relpath, "model/" + e.relpath});
  return uploads;
}

void RunTrain() {
  TrainFlags& f = Flags();
  if (f.no_log && !f.register_model.empty())
    ThrowUsage("--register needs the run logged (drop --no-log)");
  int64_t start = NowMillis();
  auto [config_path, section] =
      f.config.empty() ? std::pair<std::string, std::string>{} : SplitSpec(f.config);
  std::string source = config_path.empty() ? "flags" : config_path;
  Json document = train::LoadConfigDocument(config_path, section, Overrides(f));
  train::TrainConfig config = train::ParseTrainConfig(document, source);
  // Outputs' folders first: a typo in a path should not cost a training run.
  std::string out_dir = AbsoluteFromCwd(f.out);
  MakeParentDirs(out_dir);
  if (!f.metrics.empty()) MakeParentDirs(f.metrics);
  if (!f.plots.empty()) MakeParentDirs(f.plots);

  train::TrainReport report = train::Train(config, source, f.jobs);

  train::ModelDirMeta meta;
  meta.example = &report.example;
  meta.created_seconds = ReproducibleTimeMicros() / 1000000;
  Json metrics_json = MetricsJson(report.metrics);
  if (!f.metrics.empty())
    RealFs().WriteFileAtomic(AbsoluteFromCwd(f.metrics), metrics_json.dump(4) + "\n");
  if (!f.plots.empty()) {
    if (report.model.task != train::Task::kBinary || report.roc.fpr.empty())
      ThrowUsage("--plots writes a ROC curve, which only a binary task has");
    RealFs().WriteFileAtomic(AbsoluteFromCwd(f.plots), train::RocCurveCsv(report.roc));
  }

  std::optional<RecordedRun> recorded;
  if (f.no_log) {
    train::SaveModelDir(report.model, out_dir, meta);
  } else {
    TrackSession session = OpenTracking();
    RunRecord record;
    record.experiment = f.experiment;
    record.run_name = f.run_name;
    record.start_time = start;
    for (const auto& [key, value] : report.params) record.params.push_back({key, value});
    int64_t now = NowMillis();
    for (const auto& [name, value] : report.metrics)
      if (std::isfinite(value)) record.metrics.push_back({name, value, now, 0});
    record.tags.push_back(
        {"leanops.model_type", std::string(train::ModelTypeName(report.model.type))});
    record.tags.push_back({"leanops.task", std::string(train::TaskName(report.model.task))});
    record.artifacts = [&](const track::RunInfo& info) {
      meta.run_id = info.run_id;
      meta.artifact_path = "model";
      train::SaveModelDir(report.model, out_dir, meta);
      return ModelUploads(out_dir);
    };
    record.register_model = f.register_model;
    recorded = RecordRun(session, record);
  }

  if (f.json) {
    nlohmann::json json = {{"model_dir", f.out},
                           {"task", train::TaskName(report.model.task)},
                           {"model_type", train::ModelTypeName(report.model.type)},
                           {"train_rows", report.train_rows},
                           {"eval_rows", report.eval_rows},
                           {"evaluated_on", report.evaluated_on},
                           {"metrics", nlohmann::json::parse(metrics_json.dump())},
                           {"notes", report.notes}};
    if (recorded) {
      json["run_id"] = recorded->info.run_id;
      json["experiment_id"] = recorded->experiment_id;
      if (recorded->version) json["model_version"] = track::ToJson(*recorded->version);
    }
    PrintJson(json);
    return;
  }
  for (const std::string& note : report.notes) Say("note: " + note);
  Say(fmt::format("Trained {} ({}) on {} rows; evaluated on {}: {} rows",
                  train::ModelTypeName(report.model.type), train::TaskName(report.model.task),
                  report.train_rows, report.evaluated_on, report.eval_rows));
  for (const auto& [name, value] : report.metrics)
    Say(fmt::format("  {:<10} {}", name, MetricText(value)));
  std::string where = fmt::format("Model written to {}", f.out);
  if (recorded) where += fmt::format(" and logged as run {}", recorded->info.run_id);
  Say(where);
  if (recorded && recorded->version)
    Say(fmt::format("Registered model '{}' version {}", recorded->version->name,
                    recorded->version->version));
}

}  // namespace

void RegisterTrainCommand(CLI::App& app) {
  TrainFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train a model from a config: transforms + XGBoost, random forest, linear, logistic");
  cmd->add_option("-c,--config", f.config,
                  "Training config (YAML/JSON/TOML), or a section of one: params.yaml:train");
  cmd->add_option("--data", f.data, "Training CSV file (repeatable; overrides data.train)");
  cmd->add_option("--test", f.test, "Evaluate on this CSV file instead of a holdout (data.test)");
  cmd->add_option("--target", f.target, "Target column (data.target)");
  cmd->add_option("--task", f.task, "binary, multiclass or regression (default: inferred)");
  cmd->add_option("--model", f.model, "xgboost, random_forest, linear or logistic (model.type)");
  cmd->add_option("--set", f.sets, "Override a config value: model.max_depth=8 (repeatable)");
  cmd->add_option("-o,--out", f.out, "Model directory to write (default: model)");
  cmd->add_option("--metrics", f.metrics,
                  "Write the evaluation metrics as JSON (for dvc.yaml metrics:)");
  cmd->add_option("--plots", f.plots,
                  "Write the ROC curve as CSV fpr,tpr,threshold (binary tasks)");
  cmd->add_option("--register", f.register_model, "Register the model as a new version of NAME");
  cmd->add_option("--experiment", f.experiment, "Experiment to log the run to (default: Default)");
  cmd->add_option("--run-name", f.run_name, "Run name (default: a generated one)");
  cmd->add_flag("--no-log", f.no_log, "Do not log a run to the tracking store");
  cmd->add_option("-j,--jobs", f.jobs, "Threads (default: all cores)");
  cmd->add_flag("--json", f.json, "Print the result as JSON");
  AddTrackingUriOption(cmd);
  cmd->callback(RunTrain);
}

}  // namespace leanops::cli
