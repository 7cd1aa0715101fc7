// runs list|show|compare|diff|delete: reading tracked runs. (`runs log` is
// in cli_run_log.cc.)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "core/strings.h"
#include "pipeline/metrics.h"
#include "track/lineage.h"
#include "track/rest_json.h"
#include "track/search_filter.h"

namespace leanops::cli {
namespace {

struct RunFlags {
  std::vector<std::string> experiments;
  std::string filter;
  std::vector<std::string> order_by;
  int64_t max = 1000;
  std::string run_id;
  std::vector<std::string> run_ids;
  bool json = false;
};

RunFlags& Flags() {
  static RunFlags flags;
  return flags;
}

// Columns beyond the fixed ones in `runs list`: enough to tell runs apart
// without flooding a terminal.
constexpr size_t kMaxMetricColumns = 8;
constexpr size_t kMaxParamColumns = 6;

void PrintText(const std::string& text) {
  if (!Globals().quiet) std::fputs(text.c_str(), stdout);
}

std::optional<double> MetricOf(const track::Run& run, const std::string& key) {
  for (const track::Metric& m : run.metrics)
    if (m.key == key) return m.value;
  return std::nullopt;
}

std::optional<std::string> ValueOf(const std::vector<track::Tag>& tags, const std::string& key) {
  for (const track::Tag& t : tags)
    if (t.key == key) return t.value;
  return std::nullopt;
}

std::string OrNone(const std::optional<std::string>& value) { return value ? *value : "-"; }
std::string OrNone(const std::optional<double>& value) {
  return value ? FormatNumber(*value) : "-";
}

nlohmann::json JsonOrNull(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}
nlohmann::json JsonOrNull(const std::optional<double>& value) {
  return value ? track::DoubleToJson(*value) : nlohmann::json(nullptr);
}

// ------------------------------------------------------------------- list

// Metric columns: those ordered by first, then every metric key; params:
// those ordered by, then the ones whose values differ between the runs
// (all of them for a single run).
std::pair<std::vector<std::string>, std::vector<std::string>> ListColumns(
    const std::vector<track::Run>& runs, const std::vector<std::string>& order_by) {
  std::vector<std::string> metrics;
  std::vector<std::string> params;
  auto add = [](std::vector<std::string>& to, const std::string& key, size_t max) {
    if (to.size() < max && std::find(to.begin(), to.end(), key) == to.end()) to.push_back(key);
  };
  for (const std::string& clause : order_by) {
    track::OrderBy o = track::ParseRunOrderBy(clause);
    if (o.type == track::EntityType::kMetric) add(metrics, o.key, kMaxMetricColumns);
    if (o.type == track::EntityType::kParam) add(params, o.key, kMaxParamColumns);
  }
  std::set<std::string> metric_keys;
  std::map<std::string, std::set<std::string>> param_values;
  for (const track::Run& r : runs) {
    for (const track::Metric& m : r.metrics) metric_keys.insert(m.key);
    for (const track::Param& p : r.params) param_values[p.key].insert(p.value);
  }
  for (const std::string& key : metric_keys) add(metrics, key, kMaxMetricColumns);
  for (const auto& [key, values] : param_values) {
    bool everywhere = true;
    for (const track::Run& r : runs) everywhere &= ValueOf(r.params, key).has_value();
    if (runs.size() == 1 || values.size() > 1 || !everywhere) add(params, key, kMaxParamColumns);
  }
  return {metrics, params};
}

void RunList() {
  RunFlags& f = Flags();
  if (f.max <= 0) ThrowUsage("--max must be positive");
  TrackSession s = OpenTracking();
  track::RunQuery query;
  for (const std::string& e : f.experiments)
    query.experiment_ids.push_back(ResolveExperiment(*s.store, e).experiment_id);
  if (query.experiment_ids.empty())
    query.experiment_ids = AllExperimentIds(*s.store, track::ViewType::kActiveOnly);
  query.filter = f.filter;
  query.order_by = f.order_by;
  std::vector<track::Run> runs = SearchRunsUpTo(*s.store, query, f.max);

  if (f.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const track::Run& r : runs) list.push_back(track::ToJson(r));
    PrintJson(list);
    return;
  }
  auto [metrics, params] = ListColumns(runs, f.order_by);
  TextTable table = {{"Run ID", "Name", "Status", "Start"}};
  for (const std::string& m : metrics) table[0].push_back("metrics." + m);
  for (const std::string& p : params) table[0].push_back("params." + p);
  for (const track::Run& r : runs) {
    std::vector<std::string> row = {ShortRunId(r.info.run_id), r.info.run_name,
                                    track::RunStatusName(r.info.status),
                                    FormatTime(r.info.start_time)};
    for (const std::string& m : metrics) row.push_back(OrNone(MetricOf(r, m)));
    for (const std::string& p : params) row.push_back(OrNone(ValueOf(r.params, p)));
    table.push_back(std::move(row));
  }
  PrintText(RenderTable(table));
}

// ------------------------------------------------------------------- show

void RunShow() {
  TrackSession s = OpenTracking();
  track::Run run = s.store->GetRun(ResolveRunId(*s.store, Flags().run_id));
  if (Flags().json) {
    PrintJson(track::ToJson(run));
    return;
  }
  const track::RunInfo& info = run.info;
  std::string experiment = info.experiment_id;
  try {
    experiment = s.store->GetExperiment(info.experiment_id).name + " (id " + experiment + ")";
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
  }
  std::string text = fmt::format("Run {} ({})\n", info.run_id, info.run_name);
  text += fmt::format("  Experiment: {}\n", experiment);
  text += fmt::format("  Status: {}\n", track::RunStatusName(info.status));
  text += fmt::format("  Lifecycle: {}\n", track::LifecycleName(info.lifecycle_stage));
  text += fmt::format("  User: {}\n", info.user_id);
  text += fmt::format("  Start: {}\n", FormatTime(info.start_time));
  text += fmt::format("  End: {}\n", info.end_time ? FormatTime(*info.end_time) : "-");
  text += fmt::format("  Artifact URI: {}\n", info.artifact_uri);
  auto section = [&text](const char* title, TextTable table) {
    if (table.size() <= 1) return;
    text += fmt::format("{}:\n", title);
    for (const std::string& line : Split(RenderTable(table), '\n', false))
      text += "  " + line + "\n";
  };
  TextTable params = {{"Key", "Value"}};
  for (const track::Param& p : run.params) params.push_back({p.key, p.value});
  section("Params", params);
  TextTable metrics = {{"Key", "Value", "Step"}};
  for (const track::Metric& m : run.metrics)
    metrics.push_back({m.key, FormatNumber(m.value), std::to_string(m.step)});
  section("Metrics", metrics);
  TextTable tags = {{"Key", "Value"}};
  for (const track::Tag& t : run.tags) tags.push_back({t.key, t.value});
  section("Tags", tags);
  TextTable inputs = {{"Dataset", "Digest", "Source type", "Source"}};
  for (const track::DatasetInput& in : run.inputs)
    inputs.push_back(
        {in.dataset.name, in.dataset.digest, in.dataset.source_type, in.dataset.source});
  section("Inputs", inputs);
  PrintText(text);
}

// ---------------------------------------------------------------- compare

std::vector<track::Run> LoadRuns(track::Store& store, const std::vector<std::string>& ids) {
  std::vector<track::Run> runs;
  for (const std::string& id : ids) runs.push_back(store.GetRun(ResolveRunId(store, id)));
  return runs;
}

void RunCompare() {
  if (Flags().run_ids.size() < 2) ThrowUsage("runs compare: name at least two runs");
  TrackSession s = OpenTracking();
  std::vector<track::Run> runs = LoadRuns(*s.store, Flags().run_ids);
  std::set<std::string> param_keys;
  std::set<std::string> metric_keys;
  for (const track::Run& r : runs) {
    for (const track::Param& p : r.params) param_keys.insert(p.key);
    for (const track::Metric& m : r.metrics) metric_keys.insert(m.key);
  }

  struct Row {
    std::string key;
    std::vector<std::optional<std::string>> texts;  // for the table and for equality
    nlohmann::json values = nlohmann::json::array();
    bool differs = false;
  };
  std::vector<Row> rows;
  for (const std::string& key : param_keys) {
    Row row{"params." + key, {}, nlohmann::json::array(), false};
    for (const track::Run& r : runs) {
      row.texts.push_back(ValueOf(r.params, key));
      row.values.push_back(JsonOrNull(row.texts.back()));
    }
    rows.push_back(std::move(row));
  }
  for (const std::string& key : metric_keys) {
    Row row{"metrics." + key, {}, nlohmann::json::array(), false};
    for (const track::Run& r : runs) {
      std::optional<double> value = MetricOf(r, key);
      row.texts.push_back(value ? std::optional<std::string>(FormatNumber(*value)) : std::nullopt);
      row.values.push_back(JsonOrNull(value));
    }
    rows.push_back(std::move(row));
  }
  for (Row& row : rows)
    for (const auto& t : row.texts) row.differs |= t != row.texts.front();

  if (Flags().json) {
    nlohmann::json json = {{"runs", nlohmann::json::array()}, {"rows", nlohmann::json::array()}};
    for (const track::Run& r : runs)
      json["runs"].push_back({{"run_id", r.info.run_id}, {"run_name", r.info.run_name}});
    for (const Row& row : rows)
      json["rows"].push_back({{"key", row.key}, {"values", row.values}, {"differs", row.differs}});
    PrintJson(json);
    return;
  }
  TextTable table = {{"", "Key"}};
  for (const track::Run& r : runs) table[0].push_back(ShortRunId(r.info.run_id));
  TextTable names = {{"", "run name"}};
  for (const track::Run& r : runs) names[0].push_back(r.info.run_name);
  table.push_back(names[0]);
  for (const Row& row : rows) {
    std::vector<std::string> line = {row.differs ? "*" : "", row.key};
    for (const auto& t : row.texts) line.push_back(OrNone(t));
    table.push_back(std::move(line));
  }
  PrintText(RenderTable(table));
  Say("(* marks values that differ)");
}

// ------------------------------------------------------------------- diff

struct Difference {
  std::string key;
  nlohmann::json a;  // null when the run lacks it
  nlohmann::json b;
  std::string text;  // "lr: 0.1 -> 0.2"
};

std::string Side(const std::optional<std::string>& value) { return value ? *value : "(none)"; }

void DiffStrings(const std::vector<track::Tag>& a, const std::vector<track::Tag>& b,
                 const std::function<bool(const std::string&)>& wanted,
                 std::vector<Difference>& out) {
  std::set<std::string> keys;
  for (const auto* list : {&a, &b})
    for (const track::Tag& t : *list)
      if (wanted(t.key)) keys.insert(t.key);
  for (const std::string& key : keys) {
    std::optional<std::string> va = ValueOf(a, key);
    std::optional<std::string> vb = ValueOf(b, key);
    if (va == vb) continue;
    out.push_back({key, JsonOrNull(va), JsonOrNull(vb),
                   fmt::format("{}: {} -> {}", key, Side(va), Side(vb))});
  }
}

std::vector<Difference> DiffMetrics(const track::Run& a, const track::Run& b) {
  std::set<std::string> keys;
  for (const track::Run* r : {&a, &b})
    for (const track::Metric& m : r->metrics) keys.insert(m.key);
  std::vector<Difference> out;
  for (const std::string& key : keys) {
    std::optional<double> va = MetricOf(a, key);
    std::optional<double> vb = MetricOf(b, key);
    bool same = va && vb ? (*va == *vb || (std::isnan(*va) && std::isnan(*vb))) : va == vb;
    if (same) continue;
    std::string text = fmt::format("{}: {} -> {}", key, va ? FormatNumber(*va) : "(none)",
                                   vb ? FormatNumber(*vb) : "(none)");
    // Ten significant digits hide the binary noise of the subtraction (0.95 - 0.91).
    if (va && vb) text += fmt::format(" ({:+.10g})", *vb - *va);
    out.push_back({key, JsonOrNull(va), JsonOrNull(vb), text});
  }
  return out;
}

std::map<std::string, std::string> DigestsByName(const track::Run& run) {
  std::map<std::string, std::string> digests;
  for (const track::DatasetInput& in : run.inputs) {
    std::string& d = digests[in.dataset.name];
    d += (d.empty() ? "" : ",") + in.dataset.digest;
  }
  return digests;
}

std::vector<Difference> DiffDatasets(const track::Run& a, const track::Run& b) {
  std::map<std::string, std::string> da = DigestsByName(a);
  std::map<std::string, std::string> db = DigestsByName(b);
  std::set<std::string> names;
  for (const auto* m : {&da, &db})
    for (const auto& [name, digest] : *m) names.insert(name);
  std::vector<Difference> out;
  for (const std::string& name : names) {
    std::optional<std::string> va, vb;
    if (da.count(name)) va = da[name];
    if (db.count(name)) vb = db[name];
    if (va == vb) continue;
    std::string text;
    if (va && vb)
      text = fmt::format("{}: md5 {} -> {}", name, *va, *vb);
    else if (va)
      text = fmt::format("{}: only in A (md5 {})", name, *va);
    else
      text = fmt::format("{}: only in B (md5 {})", name, *vb);
    out.push_back({name, JsonOrNull(va), JsonOrNull(vb), text});
  }
  return out;
}

std::string KeyList(const std::vector<Difference>& diffs) {
  std::string list;
  for (const Difference& d : diffs) list += (list.empty() ? "" : ", ") + d.key;
  return list;
}

// What could explain the metrics moving: recorded inputs that changed.
std::vector<std::string> Causes(const std::vector<Difference>& params,
                                const std::vector<Difference>& datasets,
                                const std::vector<Difference>& code) {
  std::vector<std::string> causes;
  if (!params.empty()) causes.push_back("params (" + KeyList(params) + ")");
  if (!datasets.empty()) causes.push_back("data (" + KeyList(datasets) + ")");
  if (!code.empty()) causes.push_back("code or environment (" + KeyList(code) + ")");
  return causes;
}

void RunDiff() {
  if (Flags().run_ids.size() != 2) ThrowUsage("runs diff: name exactly two runs (A B)");
  TrackSession s = OpenTracking();
  std::vector<track::Run> runs = LoadRuns(*s.store, Flags().run_ids);
  const track::Run& a = runs[0];
  const track::Run& b = runs[1];

  std::vector<Difference> params, tags, code;
  DiffStrings(
      a.params, b.params, [](const std::string&) { return true; }, params);
  std::vector<Difference> metrics = DiffMetrics(a, b);
  std::vector<Difference> datasets = DiffDatasets(a, b);
  DiffStrings(a.tags, b.tags, track::IsCodeOrEnvironmentTag, code);
  // The run name is shown in the header; other tags are the user's or MLflow's.
  DiffStrings(
      a.tags, b.tags,
      [](const std::string& key) {
        return !track::IsCodeOrEnvironmentTag(key) && key != "mlflow.runName";
      },
      tags);
  std::vector<std::string> causes = Causes(params, datasets, code);

  if (Flags().json) {
    auto list = [](const std::vector<Difference>& diffs) {
      nlohmann::json json = nlohmann::json::array();
      for (const Difference& d : diffs) json.push_back({{"key", d.key}, {"a", d.a}, {"b", d.b}});
      return json;
    };
    PrintJson({{"a", a.info.run_id},
               {"b", b.info.run_id},
               {"params", list(params)},
               {"metrics", list(metrics)},
               {"datasets", list(datasets)},
               {"code_and_environment", list(code)},
               {"tags", list(tags)},
               {"causes", causes}});
    return;
  }
  std::string text = fmt::format("A: {} ({})\nB: {} ({})\n", a.info.run_id, a.info.run_name,
                                 b.info.run_id, b.info.run_name);
  auto section = [&text](const char* title, const std::vector<Difference>& diffs) {
    if (diffs.empty()) return;
    text += fmt::format("{}:\n", title);
    for (const Difference& d : diffs) text += "  " + d.text + "\n";
  };
  section("Params", params);
  section("Metrics", metrics);
  section("Datasets", datasets);
  section("Code and environment", code);
  section("Tags", tags);
  if (params.empty() && metrics.empty() && datasets.empty() && code.empty() && tags.empty()) {
    text += "No differences in params, metrics, datasets, code, environment or tags.\n";
  } else if (!metrics.empty()) {
    std::string why = "Why: ";
    if (causes.empty()) {
      why += "no recorded cause (same params, data, code and environment)";
    } else {
      why += "the metrics changed with ";
      for (size_t i = 0; i < causes.size(); ++i)
        why += (i == 0 ? "" : i + 1 == causes.size() ? " and " : ", ") + causes[i];
    }
    text += why + "\n";
  }
  PrintText(text);
}

// ----------------------------------------------------------------- delete

void RunDelete() {
  TrackSession s = OpenTracking();
  std::string id = ResolveRunId(*s.store, Flags().run_id);
  s.store->DeleteRun(id);
  Say("Deleted run " + id);
}

}  // namespace

void RegisterRunCommands(CLI::App& runs) {
  RunFlags& f = Flags();
  CLI::App* list = runs.add_subcommand("list", "List runs (newest first)");
  list->add_option("--experiment", f.experiments,
                   "Experiment name or id (repeatable; default: every active experiment)");
  list->add_option("--filter", f.filter,
                   "MLflow filter, e.g. \"metrics.auc > 0.8 and params.model = 'gbm'\"");
  list->add_option("--order-by", f.order_by, "e.g. \"metrics.auc DESC\" (repeatable)");
  list->add_option("--max", f.max, "At most this many runs (default 1000)");
  list->add_flag("--json", f.json, "Print the runs as JSON");
  AddTrackingUriOption(list);
  list->callback(RunList);

  CLI::App* show = runs.add_subcommand("show", "Show a run: info, params, metrics, tags, inputs");
  show->add_option("run_id", f.run_id, "Run id (or a unique prefix)")->required();
  show->add_flag("--json", f.json, "Print the run as JSON");
  AddTrackingUriOption(show);
  show->callback(RunShow);

  CLI::App* compare =
      runs.add_subcommand("compare", "Params and metrics of several runs side by side");
  compare->add_option("run_ids", f.run_ids, "Run ids (or unique prefixes)")->required();
  compare->add_flag("--json", f.json, "Print the comparison as JSON");
  AddTrackingUriOption(compare);
  compare->callback(RunCompare);

  CLI::App* diff = runs.add_subcommand(
      "diff", "What differs between two runs: params, metrics, data, code, environment");
  diff->add_option("run_ids", f.run_ids, "Runs A and B (ids or unique prefixes)")->required();
  diff->add_flag("--json", f.json, "Print the differences as JSON");
  AddTrackingUriOption(diff);
  diff->callback(RunDiff);

  CLI::App* del = runs.add_subcommand("delete", "Delete a run");
  del->add_option("run_id", f.run_id, "Run id (or a unique prefix)")->required();
  AddTrackingUriOption(del);
  del->callback(RunDelete);
}

}  // namespace leanops::cli
