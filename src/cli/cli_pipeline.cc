// repro, stage add|list, dag.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>

#include "cli/cli_common.h"
#include "core/error.h"
#include "core/strings.h"
#include "data/ops.h"
#include "pipeline/dag.h"
#include "pipeline/executor.h"
#include "pipeline/repro.h"
#include "pipeline/stage_add.h"

namespace leanops::cli {
namespace {

struct PipelineFlags {
  std::vector<std::string> targets;
  bool force = false;
  bool dry = false;
  bool single_item = false;
  bool downstream = false;
  bool pull = false;
  bool keep_going = false;
  bool no_run_cache = false;
  bool no_wait = false;
  int jobs = 1;
  std::string executor;
  std::string remote;
  // stage add
  std::string name;
  std::vector<std::string> deps, outs, outs_no_cache, outs_persist, metrics, metrics_no_cache,
      plots, plots_no_cache, params;
  std::string wdir;
  bool always_changed = false;
  std::string desc;
  std::vector<std::string> command;
  // dag
  bool dot = false;
  bool mermaid = false;
  bool json = false;
};

PipelineFlags& Flags() {
  static PipelineFlags flags;
  return flags;
}

// Serialises writes of stage output (executor threads) and progress lines.
std::mutex& OutputMutex() {
  static std::mutex m;
  return m;
}

void Print(FILE* stream, const std::string& text) {
  std::lock_guard<std::mutex> lock(OutputMutex());
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

class PrefixedSink : public OutputSink {
 public:
  void Line(const std::string& job, bool is_stderr, std::string_view line) override {
    if (Globals().quiet) return;
    Print(is_stderr ? stderr : stdout, fmt::format("[{}] {}\n", job, line));
  }
  void Note(const std::string& job, const std::string& text) override {
    if (Globals().quiet) return;
    Print(stdout, fmt::format("Stage '{}': {}\n", job, text));
  }
};

class PrintingListener : public ReproListener {
 public:
  void OnStage(const std::string& address, StageEvent event, const std::string& detail) override {
    std::string line;
    switch (event) {
      case StageEvent::kUnchanged:
        line = fmt::format("Stage '{}' didn't change, skipping", address);
        break;
      case StageEvent::kFrozen:
        line = fmt::format("Stage '{}' is frozen, skipping", address);
        break;
      case StageEvent::kStarting: {
        line = fmt::format("Running stage '{}':", address);
        for (const std::string& c : Split(detail, '\n', false)) line += "\n> " + c;
        break;
      }
      case StageEvent::kWouldRun:
        line = fmt::format("Would run stage '{}' ({})", address, detail);
        break;
      case StageEvent::kCheckedOut:
        line = fmt::format("Stage '{}' is cached - skipping run, checking out outputs ({})",
                           address, detail);
        changed_any_ = true;
        break;
      case StageEvent::kSucceeded:
        ran_any_ = true;
        return;
      case StageEvent::kFailed:
        // A progress report; the one error line comes from main at the end.
        line = fmt::format("Stage '{}' failed: {}", address, detail);
        break;
      case StageEvent::kSkippedUpstream:
        line = fmt::format("Stage '{}' was not run: a stage before it failed", address);
        break;
      case StageEvent::kLockUpdated:
        line = fmt::format("Updating lock file '{}'", detail);
        changed_any_ = true;
        break;
    }
    if (!Globals().quiet) Print(stdout, line + "\n");
  }
  bool changed_any() const { return changed_any_ || ran_any_; }

 private:
  bool ran_any_ = false;
  bool changed_any_ = false;
};

void OnSignal(int) { InterruptFlag().store(true); }

void InstallSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// .leanops/config (INI, beside .dvc/ so DVC's strict config schema never
// sees leanops' own keys):
//   [repro]
//       executor = slurm
//   [slurm]
//       partition = debug
//       sbatch_args = --time=10 --mem=1G
std::unique_ptr<Executor> MakeExecutor(Repo& repo, OutputSink& sink) {
  std::string config_path = repo.root() + "/.leanops/config";
  IniFile config;
  if (repo.fs().Stat(config_path).is_file())
    config = IniFile::Parse(repo.fs().ReadFile(config_path), ".leanops/config");
  std::string kind = Flags().executor;
  if (kind.empty()) kind = config.Get("repro", "executor").value_or("local");
  if (kind == "local") return MakeLocalExecutor(sink);
  if (kind != "slurm") ThrowUsage("unknown executor '{}' (expected 'local' or 'slurm')", kind);
  SlurmOptions options;
  options.partition = config.Get("slurm", "partition").value_or("");
  options.sbatch_args = Split(config.Get("slurm", "sbatch_args").value_or(""), ' ', false);
  options.scratch_dir = repo.dvc_dir() + "/tmp/leanops/slurm";
  repo.fs().MakeDirs(options.scratch_dir);
  return MakeSlurmExecutor(sink, options);
}

// --pull: fetch what the pipeline and the .dvc files reference, then create
// the .dvc-tracked inputs that are missing from the workspace (stage outputs
// are then checked out of the cache by repro itself, instead of running).
void PullMissing(Repo& repo) {
  Fetch(repo, {}, Flags().remote, 0, CommandProgress());
  std::vector<std::string> missing;
  for (const TrackedOutput& out : ListOutputs(repo)) {
    bool from_lock = out.dvc_file.find(':') != std::string::npos;
    if (!from_lock && !repo.fs().Stat(repo.root() + "/" + out.path).exists())
      missing.push_back(repo.root() + "/" + out.dvc_file);
  }
  if (!missing.empty()) Checkout(repo, missing, CheckoutOptions{}, CommandProgress());
}

void RunRepro() {
  PipelineFlags& f = Flags();
  Session s = f.dry ? OpenForRead() : OpenForWrite(f.no_wait);
  if (f.pull && !f.dry) PullMissing(*s.repo);
  ReproOptions options;
  options.targets = f.targets;
  options.force = f.force;
  options.dry = f.dry;
  options.single_item = f.single_item;
  options.downstream = f.downstream;
  options.keep_going = f.keep_going;
  options.run_cache = !f.no_run_cache;
  options.jobs = f.jobs;
  PrefixedSink sink;
  std::unique_ptr<Executor> executor = MakeExecutor(*s.repo, sink);
  PrintingListener listener;
  InstallSignalHandlers();
  ReproSummary summary = Reproduce(*s.repo, options, *executor, listener);
  if (f.dry) return;
  if (!listener.changed_any())
    Say("Data and pipelines are up to date.");
  else
    Say("Use `leanops push` to send your updates to remote storage.");
  (void)summary;
}

std::vector<OutDecl> CollectOuts() {
  PipelineFlags& f = Flags();
  std::vector<OutDecl> outs;
  auto add = [&](const std::vector<std::string>& paths, OutKind kind, bool cache, bool persist) {
    for (const std::string& p : paths) {
      OutDecl o;
      o.path = p;
      o.kind = kind;
      o.cache = cache;
      o.persist = persist;
      outs.push_back(o);
    }
  };
  add(f.outs, OutKind::kOut, true, false);
  add(f.outs_no_cache, OutKind::kOut, false, false);
  add(f.outs_persist, OutKind::kOut, true, true);
  add(f.metrics, OutKind::kMetric, true, false);
  add(f.metrics_no_cache, OutKind::kMetric, false, false);
  add(f.plots, OutKind::kPlot, true, false);
  add(f.plots_no_cache, OutKind::kPlot, false, false);
  return outs;
}

void RunStageAdd() {
  PipelineFlags& f = Flags();
  Session s = OpenForWrite(f.no_wait);
  NewStage stage;
  stage.name = f.name;
  // As DVC's parse_cmd: one argument is the command as written; several are
  // joined, double-quoting those with a space (and no double quote).
  for (const std::string& word : f.command) {
    bool quote = f.command.size() > 1 && word.find(' ') != std::string::npos &&
                 word.find('"') == std::string::npos;
    stage.cmd += (stage.cmd.empty() ? "" : " ") + (quote ? "\"" + word + "\"" : word);
  }
  stage.wdir = f.wdir;
  stage.deps = f.deps;
  stage.outs = CollectOuts();
  stage.always_changed = f.always_changed;
  stage.desc = f.desc;
  // -p a,b  or  -p file.yaml:a,b  or  -p file.yaml: (whole file)
  for (const std::string& spec : f.params) {
    std::string file = "params.yaml", keys = spec;
    if (size_t colon = spec.find(':'); colon != std::string::npos) {
      file = spec.substr(0, colon);
      keys = spec.substr(colon + 1);
    }
    ParamsDecl* decl = nullptr;
    for (ParamsDecl& d : stage.params)
      if (d.file == file) decl = &d;
    if (!decl) decl = &stage.params.emplace_back(ParamsDecl{file, {}});
    for (const std::string& k : Split(keys, ',', false)) decl->keys.push_back(k);
  }
  std::string path = AbsoluteFromCwd("dvc.yaml");
  AddStageToFile(s.repo->fs(), path, s.repo->RelPath(path), stage, f.force);
  // Cached outputs are data, not code: keep them out of git as DVC does.
  std::map<std::string, std::vector<std::string>> ignore;
  std::string base = DirName(path) + (f.wdir.empty() ? "" : "/" + f.wdir);
  for (const OutDecl& o : stage.outs) {
    if (!o.cache || !s.repo->has_git()) continue;
    std::string abs = NormalizePath(base + "/" + o.path);
    ignore[DirName(abs)].push_back(BaseName(abs));
  }
  for (const auto& [dir, names] : ignore) AddGitignoreEntries(s.repo->fs(), dir, names);
  Say(fmt::format("Added stage '{}' in '{}'", stage.name, s.repo->RelPath(path)));
  Say("\nTo track the changes with git, run:\n\n\tgit add " + s.repo->RelPath(path) +
      (ignore.empty() ? "" : " .gitignore"));
}

void RunStageList() {
  Session s = OpenForRead();
  std::vector<Pipeline> pipelines = LoadRepoPipelines(*s.repo);
  PipelineGraph graph(pipelines);
  nlohmann::json out = nlohmann::json::array();
  for (const StageNode& node : graph.nodes()) {
    std::string summary = node.def->desc;
    if (summary.empty()) {
      std::vector<std::string> outs;
      for (const OutDecl& o : node.def->outs) outs.push_back(o.path);
      summary = outs.empty() ? "No outputs" : "Outputs " + fmt::format("{}", fmt::join(outs, ", "));
    }
    if (Flags().json)
      out.push_back({{"name", node.address}, {"description", summary}});
    else
      Say(fmt::format("{:<20}{}", node.address, summary));
  }
  if (Flags().json) PrintJson(out);
}

void RunDag() {
  Session s = OpenForRead();
  std::vector<Pipeline> pipelines = LoadRepoPipelines(*s.repo);
  if (pipelines.empty()) ThrowData("no dvc.yaml found in '{}'", s.repo->root());
  PipelineGraph graph(pipelines);
  std::vector<size_t> subset;
  if (!Flags().targets.empty())
    subset = graph.Plan(graph.Resolve(Flags().targets, s.repo->root()), false, false, false);
  if (Flags().dot)
    std::fputs(graph.RenderDot(subset).c_str(), stdout);
  else if (Flags().mermaid)
    std::fputs(graph.RenderMermaid(subset).c_str(), stdout);
  else
    std::fputs(graph.RenderText(subset).c_str(), stdout);
}

}  // namespace

void RegisterPipelineCommands(CLI::App& app) {
  PipelineFlags& f = Flags();
  CLI::App* repro = app.add_subcommand("repro", "Run the pipeline stages whose inputs changed");
  repro->add_option("targets", f.targets, "Stages (name, dvc.yaml:name, or a dvc.yaml)");
  repro->add_flag("-f,--force", f.force, "Run even when nothing changed");
  repro->add_flag("--dry", f.dry, "Only print what would run");
  repro->add_flag("-s,--single-item", f.single_item, "Only the targets, not their upstream stages");
  repro->add_flag("--downstream", f.downstream, "The targets and every stage after them");
  repro->add_flag("--pull", f.pull, "Download missing data from the remote first");
  repro->add_option("-r,--remote", f.remote, "Remote for --pull (default: core.remote)");
  repro->add_option("-j,--jobs", f.jobs, "Stages run at once (default 1)")
      ->check(CLI::PositiveNumber);
  repro->add_flag("-k,--keep-going", f.keep_going,
                  "After a failure, go on with the stages that do not depend on it");
  repro->add_flag("--no-run-cache", f.no_run_cache, "Run even when the same inputs ran before");
  repro->add_option("--executor", f.executor, "local or slurm (default: .leanops/config, local)");
  repro->add_flag("--no-wait", f.no_wait, "Fail at once if another command holds the lock");
  repro->callback(RunRepro);

  CLI::App* stage = app.add_subcommand("stage", "Define pipeline stages in dvc.yaml");
  stage->require_subcommand(1);
  CLI::App* add = stage->add_subcommand("add", "Add a stage to dvc.yaml in the current directory");
  add->add_option("-n,--name", f.name, "Stage name")->required();
  add->add_option("-d,--deps", f.deps, "A dependency (repeat)")->allow_extra_args(false);
  add->add_option("-o,--outs", f.outs, "An output, cached (repeat)")->allow_extra_args(false);
  add->add_option("-O,--outs-no-cache", f.outs_no_cache, "An output kept out of the cache")
      ->allow_extra_args(false);
  add->add_option("--outs-persist", f.outs_persist, "An output not deleted before a run")
      ->allow_extra_args(false);
  add->add_option("-p,--params", f.params, "Params: key[,key] or file.yaml:key[,key]")
      ->allow_extra_args(false);
  add->add_option("-m,--metrics", f.metrics, "A metrics file, cached")->allow_extra_args(false);
  add->add_option("-M,--metrics-no-cache", f.metrics_no_cache, "A metrics file kept in git")
      ->allow_extra_args(false);
  add->add_option("--plots", f.plots, "A plots file, cached")->allow_extra_args(false);
  add->add_option("--plots-no-cache", f.plots_no_cache, "A plots file kept in git")
      ->allow_extra_args(false);
  add->add_option("-w,--wdir", f.wdir, "Working directory, relative to dvc.yaml");
  add->add_flag("--always-changed", f.always_changed, "Run on every repro");
  add->add_option("--desc", f.desc, "A description");
  add->add_flag("-f,--force", f.force, "Replace a stage of the same name");
  // Everything from the first positional argument on is the command, flags
  // included (`stage add -n t python train.py --lr 0.1`).
  add->prefix_command();
  add->fallthrough(false);
  add->footer("The command follows the options: leanops stage add -n NAME [options] COMMAND...");
  add->callback([add] {
    Flags().command = add->remaining();
    if (Flags().command.empty()) ThrowUsage("stage add: a command is required");
    RunStageAdd();
  });
  CLI::App* list = stage->add_subcommand("list", "List the stages of every dvc.yaml");
  list->add_flag("--json", f.json, "Print the result as JSON");
  list->callback(RunStageList);

  CLI::App* dag = app.add_subcommand("dag", "Show the pipeline graph");
  dag->add_option("targets", f.targets, "Show only these stages and their upstream");
  dag->add_flag("--dot", f.dot, "Graphviz dot");
  dag->add_flag("--mermaid", f.mermaid, "Mermaid flowchart");
  dag->callback(RunDag);
}

}  // namespace leanops::cli
