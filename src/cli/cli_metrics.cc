// metrics show|diff, params diff, plots show: read the pipelines' metrics,
// params and plots (pipeline/metrics.h, pipeline/plots.h) and print them as
// DVC does. Read-only: no lock is taken.
#include <cstdio>

#include "cli/cli_common.h"
#include "core/error.h"
#include "core/file_system.h"
#include "pipeline/metrics.h"
#include "pipeline/plots.h"

namespace leanops::cli {
namespace {

struct MetricsFlags {
  std::string a_rev = "HEAD";
  std::string b_rev = kWorkspace;
  bool all = false;
  bool json = false;
  bool all_branches = false;
  bool all_tags = false;
  std::string out_dir = "dvc_plots";
};

MetricsFlags& Flags() {
  static MetricsFlags flags;
  return flags;
}

void PrintText(const std::string& text) {
  if (!Globals().quiet) std::fputs(text.c_str(), stdout);
}

void PrintPythonJson(const Json& value) { std::printf("%s\n", DumpJsonLikePython(value).c_str()); }

// Paths are shown relative to the current directory, as DVC shows them.
std::string FromCwd(const std::string& root, const std::string& rel) {
  return RelativePath(AbsoluteFromCwd("."), root + "/" + rel);
}

void RebasePaths(const std::string& root, std::vector<FileData>& files) {
  for (FileData& f : files) f.path = FromCwd(root, f.path);
}
void RebasePaths(const std::string& root, std::vector<DiffRow>& rows) {
  for (DiffRow& r : rows) r.path = FromCwd(root, r.path);
}

void RunMetricsShow() {
  Session s = OpenForRead();
  const std::string& root = s.repo->root();
  std::vector<RevisionMetrics> revisions =
      ShowMetrics(s.repo->fs(), root, Flags().all_branches, Flags().all_tags);
  for (RevisionMetrics& r : revisions) RebasePaths(root, r.files);
  if (Flags().json) {
    PrintPythonJson(MetricsShowJson(revisions));
    return;
  }
  bool revision_column = Flags().all_branches || Flags().all_tags;
  PrintText(RenderTable(MetricsShowTable(revisions, revision_column)));
}

void RunDiff(bool metrics) {
  Session s = OpenForRead();
  const std::string& root = s.repo->root();
  std::vector<DiffRow> rows =
      metrics ? DiffMetrics(s.repo->fs(), root, Flags().a_rev, Flags().b_rev, Flags().all)
              : DiffParams(s.repo->fs(), root, Flags().a_rev, Flags().b_rev, Flags().all);
  RebasePaths(root, rows);
  if (Flags().json) {
    PrintPythonJson(DiffJson(rows));
    return;
  }
  PrintText(RenderTable(DiffTable(rows, Flags().a_rev, Flags().b_rev, metrics)));
}

void RunPlotsShow() {
  Session s = OpenForRead();
  RevisionView view = LoadRevisionView(s.repo->fs(), s.repo->root(), kWorkspace, "");
  std::vector<PlotData> plots = CollectPlots(view);
  if (Flags().json) {
    PrintPythonJson(PlotsJson(plots));
    return;
  }
  if (plots.empty()) {
    Say("No plots were loaded, visualization file will not be created.");  // as DVC says it
    return;
  }
  std::string path = WritePlotsHtml(s.repo->fs(), AbsoluteFromCwd(Flags().out_dir), plots);
  Say("file://" + path);
}

void AddDiffOptions(CLI::App* cmd, const char* what) {
  MetricsFlags& f = Flags();
  cmd->add_option("a_rev", f.a_rev, "Old git revision (default: HEAD)");
  cmd->add_option("b_rev", f.b_rev, "New git revision (default: the workspace)");
  cmd->add_flag("--all", f.all, std::string("Show unchanged ") + what + " too");
  cmd->add_flag("--json", f.json, "Print the result as JSON");
}

}  // namespace

void RegisterMetricsCommands(CLI::App& app) {
  MetricsFlags& f = Flags();

  CLI::App* metrics = app.add_subcommand("metrics", "Show and compare the pipelines' metrics");
  metrics->require_subcommand(1);
  CLI::App* show = metrics->add_subcommand("show", "Print the metrics of the workspace");
  show->add_flag("--json", f.json, "Print the result as JSON");
  show->add_flag("-a,--all-branches", f.all_branches, "Also show the metrics of every branch");
  show->add_flag("-T,--all-tags", f.all_tags, "Also show the metrics of every tag");
  show->callback(RunMetricsShow);
  CLI::App* mdiff = metrics->add_subcommand(
      "diff", "Compare metrics between revisions (default HEAD, workspace)");
  AddDiffOptions(mdiff, "metrics");
  mdiff->callback([] { RunDiff(true); });

  CLI::App* params = app.add_subcommand("params", "Compare the pipelines' parameters");
  params->require_subcommand(1);
  CLI::App* pdiff =
      params->add_subcommand("diff", "Compare params between revisions (default HEAD, workspace)");
  AddDiffOptions(pdiff, "params");
  pdiff->callback([] { RunDiff(false); });

  CLI::App* plots = app.add_subcommand("plots", "Render the pipelines' plots");
  plots->require_subcommand(1);
  CLI::App* pshow =
      plots->add_subcommand("show", "Write the plots as one self-contained HTML page");
  pshow->add_option("-o,--out", f.out_dir, "Directory for index.html (default: dvc_plots)");
  pshow->add_flag("--json", f.json, "Print the plots' data as JSON instead");
  pshow->callback(RunPlotsShow);
}

}  // namespace leanops::cli
