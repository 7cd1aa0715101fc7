// models register|list|show|alias|promote|rollback|archive: the model
// registry, with promotion gates and alias history (track/promotion.h).
#include <algorithm>
#include <cstdio>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "core/strings.h"
#include "pipeline/metrics.h"
#include "track/lineage.h"
#include "track/promotion.h"
#include "track/rest_json.h"

namespace leanops::cli {
namespace {

struct ModelFlags {
  std::string name;
  std::string run_id;
  std::string path = "model";
  std::string source;
  std::string alias;
  int64_t version = 0;
  bool delete_alias = false;
  std::string reason;
  std::vector<std::string> requirements;
  std::string must_beat;
  std::string metric;
  bool higher_is_better = false;
  bool lower_is_better = false;
  bool json = false;
};

ModelFlags& Flags() {
  static ModelFlags flags;
  return flags;
}

void PrintText(const std::string& text) {
  if (!Globals().quiet) std::fputs(text.c_str(), stdout);
}

track::AliasChange Change(const std::string& default_reason) {
  return {track::CurrentUser(), Flags().reason.empty() ? default_reason : Flags().reason};
}

std::string VersionText(std::optional<int64_t> version) {
  return version ? "version " + std::to_string(*version) : "(none)";
}

// A quoted string for a registry filter: MLflow's parser takes '...' or "...".
std::string FilterString(const std::string& text) {
  char quote = text.find('\'') == std::string::npos ? '\'' : '"';
  return quote + text + quote;
}

std::vector<track::ModelVersion> AllVersions(track::Store& store, const std::string& name) {
  std::vector<track::ModelVersion> versions;
  track::ModelSearch query;
  query.filter = "name = " + FilterString(name);
  query.max_results = 1000;
  do {
    track::Page<track::ModelVersion> page = store.SearchModelVersions(query);
    for (track::ModelVersion& v : page.items) versions.push_back(std::move(v));
    query.page_token = page.next_page_token;
  } while (!query.page_token.empty());
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  return versions;
}

std::string AliasList(const std::vector<track::ModelAlias>& aliases) {
  std::string text;
  for (const track::ModelAlias& a : aliases)
    text += fmt::format("{}{}={}", text.empty() ? "" : ", ", a.alias, a.version);
  return text.empty() ? "-" : text;
}

nlohmann::json EventJson(const track::AliasEvent& e) {
  auto version = [](std::optional<int64_t> v) {
    return v ? nlohmann::json(std::to_string(*v)) : nlohmann::json(nullptr);
  };
  return {{"alias", e.alias},
          {"from_version", version(e.from_version)},
          {"to_version", version(e.to_version)},
          {"user", e.user},
          {"timestamp", e.timestamp},
          {"reason", e.reason}};
}

void RunRegister() {
  ModelFlags& f = Flags();
  if (f.run_id.empty() == f.source.empty())
    ThrowUsage("models register: give either --run RUN_ID or --source URI");
  TrackSession s = OpenTracking();
  track::NewModelVersion nv;
  nv.name = f.name;
  nv.user_id = track::CurrentUser();
  if (!f.run_id.empty()) {
    track::Run run = s.store->GetRun(ResolveRunId(*s.store, f.run_id));
    nv.run_id = run.info.run_id;
    nv.source = track::JoinArtifactUri(run.info.artifact_uri, track::CheckArtifactPath(f.path));
  } else {
    nv.source = f.source;
  }
  EnsureRegisteredModel(*s.store, f.name);
  track::ModelVersion version = s.store->CreateModelVersion(nv);
  if (f.json) {
    PrintJson(track::ToJson(version));
    return;
  }
  Say(fmt::format("Registered model '{}' version {} from {}", version.name, version.version,
                  version.source));
}

void RunList() {
  TrackSession s = OpenTracking();
  std::vector<track::RegisteredModel> models;
  track::ModelSearch query;
  query.max_results = 1000;
  do {
    track::Page<track::RegisteredModel> page = s.store->SearchRegisteredModels(query);
    for (track::RegisteredModel& m : page.items) models.push_back(std::move(m));
    query.page_token = page.next_page_token;
  } while (!query.page_token.empty());
  if (Flags().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const track::RegisteredModel& m : models) list.push_back(track::ToJson(m));
    PrintJson(list);
    return;
  }
  TextTable table = {{"Name", "Latest version", "Aliases", "Updated"}};
  for (const track::RegisteredModel& m : models) {
    int64_t latest = 0;
    for (const track::ModelVersion& v : m.latest_versions) latest = std::max(latest, v.version);
    table.push_back({m.name, latest ? std::to_string(latest) : "-", AliasList(m.aliases),
                     FormatTime(m.last_updated_timestamp)});
  }
  PrintText(RenderTable(table));
}

void RunShow() {
  TrackSession s = OpenTracking();
  track::RegisteredModel model = s.store->GetRegisteredModel(Flags().name);
  std::vector<track::ModelVersion> versions = AllVersions(*s.store, model.name);
  std::vector<track::AliasEvent> history = s.store->GetAliasHistory(model.name, "");
  if (Flags().json) {
    nlohmann::json json = {{"registered_model", track::ToJson(model)},
                           {"model_versions", nlohmann::json::array()},
                           {"alias_history", nlohmann::json::array()}};
    for (const track::ModelVersion& v : versions)
      json["model_versions"].push_back(track::ToJson(v));
    for (const track::AliasEvent& e : history) json["alias_history"].push_back(EventJson(e));
    PrintJson(json);
    return;
  }
  std::string text = fmt::format("Model {}\n", model.name);
  if (!model.description.empty()) text += fmt::format("  Description: {}\n", model.description);
  text += fmt::format("  Created: {}\n", FormatTime(model.creation_timestamp));
  text += fmt::format("  Updated: {}\n", FormatTime(model.last_updated_timestamp));
  text += fmt::format("  Aliases: {}\n", AliasList(model.aliases));
  for (const track::Tag& t : model.tags) text += fmt::format("  Tag {}: {}\n", t.key, t.value);
  auto section = [&text](const char* title, const TextTable& table) {
    if (table.size() <= 1) return;
    text += fmt::format("{}:\n", title);
    for (const std::string& line : Split(RenderTable(table), '\n', false))
      text += "  " + line + "\n";
  };
  TextTable table = {{"Version", "Stage", "Aliases", "Run", "Source", "Created"}};
  for (const track::ModelVersion& v : versions) {
    std::string aliases;
    for (const std::string& a : v.aliases) aliases += (aliases.empty() ? "" : ",") + a;
    table.push_back({std::to_string(v.version), v.current_stage, aliases.empty() ? "-" : aliases,
                     v.run_id.empty() ? "-" : ShortRunId(v.run_id), v.source,
                     FormatTime(v.creation_timestamp)});
  }
  section("Versions", table);
  TextTable moves = {{"When", "Alias", "From", "To", "By", "Reason"}};
  for (const track::AliasEvent& e : history) {
    auto v = [](std::optional<int64_t> n) { return n ? std::to_string(*n) : std::string("-"); };
    moves.push_back({FormatTime(e.timestamp), e.alias, v(e.from_version), v(e.to_version), e.user,
                     e.reason.empty() ? "-" : e.reason});
  }
  section("Alias history", moves);
  PrintText(text);
}

std::optional<int64_t> CurrentAliasVersion(track::Store& store, const std::string& name,
                                           const std::string& alias) {
  try {
    return store.GetModelVersionByAlias(name, alias).version;
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
    return std::nullopt;
  }
}

void RunAlias() {
  ModelFlags& f = Flags();
  if (f.delete_alias == (f.version != 0))
    ThrowUsage("models alias: give a VERSION to point the alias at, or --delete");
  TrackSession s = OpenTracking();
  std::optional<int64_t> before = CurrentAliasVersion(*s.store, f.name, f.alias);
  if (f.delete_alias) {
    s.store->DeleteAlias(f.name, f.alias, Change(""));
    Say(fmt::format("Deleted alias @{} of model '{}' (was {})", f.alias, f.name,
                    VersionText(before)));
    return;
  }
  s.store->SetAlias(f.name, f.alias, f.version, Change(""));
  Say(fmt::format("Model '{}' @{}: {} -> version {}", f.name, f.alias, VersionText(before),
                  f.version));
}

void RunPromote() {
  ModelFlags& f = Flags();
  if (f.higher_is_better && f.lower_is_better)
    ThrowUsage("--higher-is-better and --lower-is-better exclude each other");
  if (f.must_beat.empty() != f.metric.empty())
    ThrowUsage("--must-beat ALIAS and --metric NAME go together");
  track::PromotionRequest request;
  request.model = f.name;
  request.version = f.version;
  request.alias = f.alias;
  for (const std::string& r : f.requirements)
    request.requirements.push_back(track::ParseRequirement(r));
  if (!f.must_beat.empty())
    request.must_beat = track::MustBeat{f.must_beat, f.metric, !f.lower_is_better};
  size_t gate_count = 0;
  for (const track::Requirement& r : request.requirements) gate_count += r.comparisons.size();
  gate_count += request.must_beat ? 1 : 0;
  request.change = Change(
      gate_count ? fmt::format("promoted: {} gate{} passed", gate_count, gate_count == 1 ? "" : "s")
                 : std::string("promoted"));

  TrackSession s = OpenTracking();
  track::PromotionResult result = track::Promote(*s.store, request);
  if (f.json) {
    nlohmann::json gates = nlohmann::json::array();
    for (const track::GateOutcome& g : result.gates)
      gates.push_back({{"gate", g.gate}, {"passed", g.passed}, {"detail", g.detail}});
    PrintJson({{"name", f.name},
               {"version", std::to_string(f.version)},
               {"alias", f.alias},
               {"promoted", result.promoted},
               {"previous_version", result.previous_version
                                        ? nlohmann::json(std::to_string(*result.previous_version))
                                        : nlohmann::json(nullptr)},
               {"gates", gates}});
  } else {
    TextTable table = {{"Gate", "Result", "Values"}};
    for (const track::GateOutcome& g : result.gates)
      table.push_back({g.gate, g.passed ? "pass" : "FAIL", g.detail});
    PrintText(RenderTable(table));
  }
  if (!result.promoted) {
    std::string failed;
    size_t failures = 0;
    for (const track::GateOutcome& g : result.gates) {
      if (g.passed) continue;
      failed += fmt::format("{}'{}' ({})", failures++ ? ", " : "", g.gate, g.detail);
    }
    ThrowFailed("model '{}' version {} not promoted to @{}: failed gate{} {}", f.name, f.version,
                f.alias, failures == 1 ? "" : "s", failed);
  }
  if (!f.json)
    Say(fmt::format("Model '{}' @{}: {} -> version {}", f.name, f.alias,
                    VersionText(result.previous_version), f.version));
}

void RunRollback() {
  ModelFlags& f = Flags();
  TrackSession s = OpenTracking();
  track::RollbackResult result = track::Rollback(*s.store, f.name, f.alias, Change("rollback"));
  Say(fmt::format("Model '{}' @{} rolled back: {} -> version {}", f.name, f.alias,
                  VersionText(result.from_version), result.to_version));
}

void RunArchive() {
  ModelFlags& f = Flags();
  TrackSession s = OpenTracking();
  track::ModelVersion v =
      s.store->TransitionModelVersionStage(f.name, f.version, "Archived", false);
  Say(fmt::format("Model '{}' version {} is now {}", v.name, v.version, v.current_stage));
}

}  // namespace

void RegisterModelCommands(CLI::App& app) {
  ModelFlags& f = Flags();
  CLI::App* models = app.add_subcommand("models", "The model registry: versions, aliases, gates");
  models->require_subcommand(1);

  CLI::App* reg = models->add_subcommand("register", "Register a new version of a model");
  reg->add_option("name", f.name, "Registered model name (created when missing)")->required();
  reg->add_option("--run", f.run_id, "Run whose artifacts hold the model");
  reg->add_option("--path", f.path, "Artifact path of the model in the run (default: model)");
  reg->add_option("--source", f.source, "Model location, instead of --run");
  reg->add_flag("--json", f.json, "Print the new version as JSON");
  AddTrackingUriOption(reg);
  reg->callback(RunRegister);

  CLI::App* list = models->add_subcommand("list", "List registered models");
  list->add_flag("--json", f.json, "Print the models as JSON");
  AddTrackingUriOption(list);
  list->callback(RunList);

  CLI::App* show =
      models->add_subcommand("show", "Show a model: versions, stages, aliases, alias history");
  show->add_option("name", f.name, "Registered model name")->required();
  show->add_flag("--json", f.json, "Print the model as JSON");
  AddTrackingUriOption(show);
  show->callback(RunShow);

  CLI::App* alias = models->add_subcommand("alias", "Point an alias at a version, or delete it");
  alias->add_option("name", f.name, "Registered model name")->required();
  alias->add_option("alias", f.alias, "Alias, e.g. production")->required();
  alias->add_option("version", f.version, "Version to point it at");
  alias->add_flag("--delete", f.delete_alias, "Delete the alias instead");
  alias->add_option("--reason", f.reason, "Why (kept in the alias history)");
  AddTrackingUriOption(alias);
  alias->callback(RunAlias);

  CLI::App* promote = models->add_subcommand(
      "promote", "Move an alias to a version only if every gate passes (exit 1 otherwise)");
  promote->add_option("name", f.name, "Registered model name")->required();
  promote->add_option("--version", f.version, "Candidate version")->required();
  promote->add_option("--alias", f.alias, "Alias to move, e.g. production")->required();
  promote->add_option("--require", f.requirements,
                      "Gate on the candidate's run, e.g. \"metrics.auc >= 0.85\" (repeatable)");
  promote->add_option("--must-beat", f.must_beat,
                      "Alias whose version's run the candidate must beat on --metric");
  promote->add_option("--metric", f.metric, "Metric for --must-beat");
  promote->add_flag("--higher-is-better", f.higher_is_better, "For --metric (the default)");
  promote->add_flag("--lower-is-better", f.lower_is_better, "For --metric (losses, errors)");
  promote->add_option("--reason", f.reason, "Why (kept in the alias history)");
  promote->add_flag("--json", f.json, "Print the gates and the outcome as JSON");
  AddTrackingUriOption(promote);
  promote->callback(RunPromote);

  CLI::App* rollback = models->add_subcommand(
      "rollback", "Point an alias back at the version it held before its last move");
  rollback->add_option("name", f.name, "Registered model name")->required();
  rollback->add_option("--alias", f.alias, "Alias to roll back")->required();
  rollback->add_option("--reason", f.reason, "Why (kept in the alias history)");
  AddTrackingUriOption(rollback);
  rollback->callback(RunRollback);

  CLI::App* archive = models->add_subcommand("archive", "Move a version to stage Archived");
  archive->add_option("name", f.name, "Registered model name")->required();
  archive->add_option("--version", f.version, "Version to archive")->required();
  AddTrackingUriOption(archive);
  archive->callback(RunArchive);
}

}  // namespace leanops::cli
