// leanops tune: a hyperparameter search (tune.h) logged as one parent run
// with a child run per trial, the best values optionally written back into
// a params file.
#include <fmt/format.h>

#include <cmath>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "cli/csv_flags.h"
#include "core/file_system.h"
#include "core/parallel.h"
#include "data/repo.h"
#include "pipeline/params_edit.h"
#include "pipeline/params_file.h"
#include "train/train_config.h"
#include "train/tune.h"

namespace leanops::cli {
namespace {

struct TuneFlags {
  std::string config;
  int trials = 0;
  int jobs = 0;
  std::string sampler;
  int64_t seed = -1;
  std::string experiment = "Default";
  std::string run_name;
  bool no_log = false;
  bool json = false;
};

TuneFlags& Flags() {
  static TuneFlags flags;
  return flags;
}

std::string ValueText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string StateOf(const train::Trial& t) {
  if (!t.error.empty()) return "FAIL";
  return t.pruned ? "PRUNED" : "COMPLETE";
}

// Writes the best values into FILE[:SECTION] (a YAML params file).
void WriteBest(const std::string& spec, const Json& params) {
  auto [path, section] = SplitSpec(spec);
  if (path.ends_with(".json") || path.ends_with(".toml"))
    ThrowUsage("output '{}': the best values are written into a YAML file", path);
  std::string abs = AbsoluteFromCwd(path);
  std::string text = RealFs().Stat(abs).is_file() ? RealFs().ReadFile(abs) : "";
  std::vector<std::pair<std::string, Json>> values;
  for (const auto& [key, value] : params.items())
    values.emplace_back(section.empty() ? key : section + "." + key, value);
  MakeParentDirs(abs);
  RealFs().WriteFileAtomic(abs, SetYamlValues(text, values, path));
}

void RunTune() {
  TuneFlags& f = Flags();
  std::string abs = AbsoluteFromCwd(f.config);
  std::optional<Json> document = LoadParamsFile(RealFs(), abs, f.config);
  if (!document) ThrowData("tune config '{}' does not exist", f.config);
  train::TuneConfig config = train::ParseTuneConfig(*document, f.config);
  if (f.trials > 0) config.trials = f.trials;
  if (f.jobs > 0) config.jobs = f.jobs;
  if (f.seed >= 0) config.seed = static_cast<uint64_t>(f.seed);
  if (!f.sampler.empty()) {
    if (f.sampler != "tpe" && f.sampler != "random")
      ThrowUsage("--sampler: expected tpe or random, not '{}'", f.sampler);
    config.tpe = f.sampler == "tpe";
  }
  auto [base_path, base_section] = SplitSpec(config.base);
  Json base = train::LoadConfigDocument(base_path, base_section, {});

  std::optional<TrackSession> session;
  std::optional<RecordedRun> parent;
  if (!f.no_log) {
    session = OpenTracking();
    RunRecord record;
    record.experiment = f.experiment;
    record.run_name = f.run_name;
    record.start_time = NowMillis();
    record.params = {{"tune.metric", config.metric},
                     {"tune.direction", config.maximize ? "maximize" : "minimize"},
                     {"tune.sampler", config.tpe ? "tpe" : "random"},
                     {"tune.trials", std::to_string(config.trials)},
                     {"tune.seed", std::to_string(config.seed)},
                     {"tune.base", config.base}};
    record.finish = false;
    parent = RecordRun(*session, record);
  }
  auto log_trial = [&](const train::Trial& t) {
    if (!f.json)
      Say(fmt::format("trial {:>3} {:<8} {:>9} {:6.1f}s  {}", t.number, StateOf(t),
                      t.value ? fmt::format("{:.5f}", *t.value) : "-", t.seconds,
                      t.error.empty() ? t.params.dump() : t.error));
    if (!parent) return;
    RunRecord child;
    child.experiment = parent->experiment_id;
    child.run_name = fmt::format("trial-{}", t.number);
    child.start_time = NowMillis() - static_cast<int64_t>(t.seconds * 1000);
    for (const auto& [key, value] : t.params.items())
      child.params.push_back({key, ValueText(value)});
    int64_t now = NowMillis();
    for (const auto& [name, value] : t.metrics)
      if (std::isfinite(value)) child.metrics.push_back({name, value, now, 0});
    child.tags = {{"mlflow.parentRunId", parent->info.run_id},
                  {"leanops.trial_number", std::to_string(t.number)},
                  {"leanops.trial_state", StateOf(t)}};
    RecordRun(*session, child);
  };

  train::TuneResult result;
  try {
    result = train::RunTune(config, base, base_path.empty() ? config.base : base_path,
                            DefaultJobs(), log_trial);
  } catch (const Error&) {
    if (parent)
      session->store->UpdateRun(
          {parent->info.run_id, track::RunStatus::kFailed, NowMillis(), std::nullopt});
    throw;
  }
  if (!result.best) {
    if (parent)
      session->store->UpdateRun(
          {parent->info.run_id, track::RunStatus::kFailed, NowMillis(), std::nullopt});
    ThrowFailed("no trial finished (every one failed or was pruned)");
  }
  const train::Trial& best = result.trials[*result.best];
  if (parent) {
    std::vector<track::Param> params;
    for (const auto& [key, value] : best.params.items())
      params.push_back({"best." + key, ValueText(value)});
    std::vector<track::Metric> metrics = {{"best_" + config.metric, *best.value, NowMillis(), 0}};
    session->store->LogBatch(parent->info.run_id, metrics, params,
                             {{"leanops.best_trial", std::to_string(best.number)}});
    session->store->UpdateRun(
        {parent->info.run_id, track::RunStatus::kFinished, NowMillis(), std::nullopt});
  }
  if (!config.output.empty()) WriteBest(config.output, best.params);

  size_t pruned = 0, failed = 0;
  for (const train::Trial& t : result.trials) {
    pruned += t.pruned;
    failed += !t.error.empty();
  }
  if (f.json) {
    nlohmann::json trials = nlohmann::json::array();
    for (const train::Trial& t : result.trials)
      trials.push_back({{"number", t.number},
                        {"state", StateOf(t)},
                        {"value", t.value ? nlohmann::json(*t.value) : nlohmann::json()},
                        {"params", nlohmann::json::parse(t.params.dump())},
                        {"seconds", t.seconds}});
    nlohmann::json json = {{"metric", config.metric},
                           {"best_trial", best.number},
                           {"best_value", *best.value},
                           {"best_params", nlohmann::json::parse(best.params.dump())},
                           {"trials", trials}};
    if (parent) json["run_id"] = parent->info.run_id;
    PrintJson(json);
    return;
  }
  Say(fmt::format("{} trials ({} pruned, {} failed); best: trial {} with {} {:.5f}",
                  result.trials.size(), pruned, failed, best.number, config.metric, *best.value));
  Say("Best params: " + best.params.dump());
  if (!config.output.empty()) Say("Written to " + config.output);
  if (parent) Say("Logged as run " + parent->info.run_id + " with a child run per trial");
}

}  // namespace

void RegisterTuneCommand(CLI::App& app) {
  TuneFlags& f = Flags();
  CLI::App* cmd =
      app.add_subcommand("tune", "Search hyperparameters (random or TPE, median pruning)");
  cmd->add_option("-c,--config", f.config, "Tune config (YAML/JSON): base, metric, space, ...")
      ->required();
  cmd->add_option("--trials", f.trials, "Number of trials (overrides trials:)");
  cmd->add_option("-j,--jobs", f.jobs, "Trials run at once (overrides jobs:)");
  cmd->add_option("--sampler", f.sampler, "tpe or random (overrides sampler:)");
  cmd->add_option("--seed", f.seed, "Seed of the sampler (overrides seed:)");
  cmd->add_option("--experiment", f.experiment, "Experiment to log to (default: Default)");
  cmd->add_option("--run-name", f.run_name, "Name of the parent run");
  cmd->add_flag("--no-log", f.no_log, "Do not log runs to the tracking store");
  cmd->add_flag("--json", f.json, "Print the trials and the best one as JSON");
  AddTrackingUriOption(cmd);
  cmd->callback(RunTune);
}

}  // namespace leanops::cli
