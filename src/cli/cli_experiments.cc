// experiments create|list|show|delete.
#include <cstdint>
#include <cstdio>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "pipeline/metrics.h"
#include "track/rest_json.h"

namespace leanops::cli {
namespace {

struct ExperimentFlags {
  std::string name;
  std::string artifact_location;
  std::vector<std::string> tags;
  std::string view = "active";
  std::string filter;
  bool json = false;
};

ExperimentFlags& Flags() {
  static ExperimentFlags flags;
  return flags;
}

void PrintText(const std::string& text) {
  if (!Globals().quiet) std::fputs(text.c_str(), stdout);
}

track::ViewType ParseView(const std::string& view) {
  if (view == "active") return track::ViewType::kActiveOnly;
  if (view == "deleted") return track::ViewType::kDeletedOnly;
  if (view == "all") return track::ViewType::kAll;
  ThrowUsage("--view '{}': expected active, deleted or all", view);
}

int64_t CountRuns(track::Store& store, const std::string& experiment_id) {
  track::RunQuery query;
  query.experiment_ids = {experiment_id};
  return static_cast<int64_t>(SearchRunsUpTo(store, query, INT64_MAX).size());
}

void RunCreate() {
  ExperimentFlags& f = Flags();
  std::vector<track::Tag> tags;
  for (const std::string& t : f.tags) tags.push_back(ParseKeyValue(t, "--tag"));
  TrackSession s = OpenTracking();
  std::string id = s.store->CreateExperiment(f.name, f.artifact_location, tags);
  if (f.json) {
    PrintJson({{"experiment_id", id}});
    return;
  }
  Say(fmt::format("Created experiment '{}' with id {}", f.name, id));
}

void RunList() {
  ExperimentFlags& f = Flags();
  track::ExperimentQuery query;
  query.view = ParseView(f.view);
  query.filter = f.filter;
  TrackSession s = OpenTracking();
  std::vector<track::Experiment> experiments;
  do {
    track::Page<track::Experiment> page = s.store->SearchExperiments(query);
    for (track::Experiment& e : page.items) experiments.push_back(std::move(e));
    query.page_token = page.next_page_token;
  } while (!query.page_token.empty());

  if (f.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const track::Experiment& e : experiments) list.push_back(track::ToJson(e));
    PrintJson(list);
    return;
  }
  bool lifecycle = query.view != track::ViewType::kActiveOnly;
  TextTable table = {{"Experiment Id", "Name", "Artifact Location"}};
  if (lifecycle) table[0].push_back("Lifecycle");
  for (const track::Experiment& e : experiments) {
    table.push_back({e.experiment_id, e.name, e.artifact_location});
    if (lifecycle) table.back().push_back(track::LifecycleName(e.lifecycle_stage));
  }
  PrintText(RenderTable(table));
}

void RunShow() {
  TrackSession s = OpenTracking();
  track::Experiment e = ResolveExperiment(*s.store, Flags().name);
  int64_t runs = CountRuns(*s.store, e.experiment_id);
  if (Flags().json) {
    nlohmann::json json = track::ToJson(e);
    json["run_count"] = runs;
    PrintJson(json);
    return;
  }
  std::string text = fmt::format("Experiment {} (id {})\n", e.name, e.experiment_id);
  text += fmt::format("  Artifact location: {}\n", e.artifact_location);
  text += fmt::format("  Lifecycle: {}\n", track::LifecycleName(e.lifecycle_stage));
  text += fmt::format("  Created: {}\n", FormatTime(e.creation_time));
  text += fmt::format("  Last updated: {}\n", FormatTime(e.last_update_time));
  text += fmt::format("  Active runs: {}\n", runs);
  if (!e.tags.empty()) {
    text += "Tags:\n";
    for (const track::Tag& t : e.tags) text += fmt::format("  {}: {}\n", t.key, t.value);
  }
  PrintText(text);
}

void RunDelete() {
  TrackSession s = OpenTracking();
  track::Experiment e = ResolveExperiment(*s.store, Flags().name);
  s.store->DeleteExperiment(e.experiment_id);
  Say(fmt::format("Deleted experiment '{}' (id {}) and its runs", e.name, e.experiment_id));
}

}  // namespace

void RegisterExperimentCommands(CLI::App& app) {
  ExperimentFlags& f = Flags();
  CLI::App* experiments = app.add_subcommand("experiments", "Create, list and delete experiments");
  experiments->require_subcommand(1);

  CLI::App* create = experiments->add_subcommand("create", "Create an experiment");
  create->add_option("name", f.name, "Experiment name")->required();
  create->add_option("--artifact-location", f.artifact_location,
                     "Where its runs keep artifacts (default: <artifact root>/<id>)");
  create->add_option("--tag", f.tags, "Tag KEY=VALUE (repeatable)");
  create->add_flag("--json", f.json, "Print the new id as JSON");
  AddTrackingUriOption(create);
  create->callback(RunCreate);

  CLI::App* list = experiments->add_subcommand("list", "List experiments");
  list->add_option("--view", f.view, "active (default), deleted or all");
  list->add_option("--filter", f.filter, "MLflow filter, e.g. \"name LIKE 'churn%'\"");
  list->add_flag("--json", f.json, "Print the experiments as JSON");
  AddTrackingUriOption(list);
  list->callback(RunList);

  CLI::App* show = experiments->add_subcommand("show", "Show one experiment");
  show->add_option("experiment", f.name, "Experiment name or id")->required();
  show->add_flag("--json", f.json, "Print the experiment as JSON");
  AddTrackingUriOption(show);
  show->callback(RunShow);

  CLI::App* del = experiments->add_subcommand("delete", "Delete an experiment and its runs");
  del->add_option("experiment", f.name, "Experiment name or id")->required();
  AddTrackingUriOption(del);
  del->callback(RunDelete);
}

}  // namespace leanops::cli
