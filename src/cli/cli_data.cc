// init, add, status (data and pipeline stages), checkout, commit, remove, ls, gc.
#include <algorithm>
#include <cstdio>

#include "cli/cli_common.h"
#include "core/error.h"
#include "core/file_system.h"
#include "data/ops.h"
#include "pipeline/pipeline_status.h"

namespace leanops::cli {
namespace {

struct DataFlags {
  std::vector<std::string> targets;
  int jobs = 0;
  bool json = false;
  bool no_wait = false;
  bool force = false;
  bool relink = false;
  bool outs = false;
  bool cloud = false;
  bool dry = false;
  bool no_scm = false;
  bool workspace = false;
  bool all_branches = false;
  bool all_tags = false;
  bool all_commits = false;
  std::string remote;
};

DataFlags& Flags() {
  static DataFlags flags;
  return flags;
}

void AddJobs(CLI::App* cmd) {
  cmd->add_option("-j,--jobs", Flags().jobs, "Parallel jobs (default: one per core)")
      ->check(CLI::PositiveNumber);
}
void AddNoWait(CLI::App* cmd) {
  cmd->add_flag("--no-wait", Flags().no_wait, "Fail at once if another command holds the lock");
}

void PrintGitHint(const std::vector<std::string>& files) {
  if (files.empty()) return;
  std::string line = "To track the changes with git, run:\n\n\tgit add";
  for (const std::string& f : files) line += " " + f;
  Say(line);
}

void RunAdd() {
  Session s = OpenForWrite(Flags().no_wait);
  std::vector<AddedOutput> added = Add(*s.repo, Flags().targets, Flags().jobs, CommandProgress());
  if (Flags().json) {
    nlohmann::json out = nlohmann::json::array();
    for (const AddedOutput& a : added)
      out.push_back({{"path", a.path},
                     {"dvcfile", a.dvc_file},
                     {"md5", a.oid},
                     {"size", a.size},
                     {"nfiles", a.is_dir ? a.nfiles : 1},
                     {"changed", a.changed}});
    PrintJson(out);
    return;
  }
  std::vector<std::string> to_stage;
  for (const AddedOutput& a : added) {
    if (a.is_dir)
      Say(fmt::format("Added {} ({} files, {}) -> {}", a.path, a.nfiles, HumanBytes(a.size),
                      a.dvc_file));
    else
      Say(fmt::format("Added {} ({}) -> {}", a.path, HumanBytes(a.size), a.dvc_file));
    if (a.changed) {
      to_stage.push_back(a.dvc_file);
      std::string dir = DirName(a.path);
      std::string ignore = dir == "." ? ".gitignore" : dir + "/.gitignore";
      if (std::find(to_stage.begin(), to_stage.end(), ignore) == to_stage.end())
        to_stage.push_back(ignore);
    }
  }
  if (s.repo->has_git()) PrintGitHint(to_stage);
}

// A stage's status in DVC's shape: {"changed deps": {path: state,
// "params.yaml": {state: [keys]}}}, {"changed outs": {...}}, "changed command".
nlohmann::json StageStatusJson(const StageReport& r) {
  nlohmann::json list = nlohmann::json::array();
  if (!r.error.empty()) return nlohmann::json::array({r.error});
  const StageStatus& st = r.status;
  if (st.never_run) list.push_back("never run");
  nlohmann::json deps = nlohmann::json::object();
  for (const PathChange& c : st.deps) deps[c.path] = c.state;
  for (const ParamChange& c : st.params) deps[c.file][c.state].push_back(c.key);
  if (!deps.empty()) list.push_back({{"changed deps", deps}});
  nlohmann::json outs = nlohmann::json::object();
  for (const PathChange& c : st.outs) outs[c.path] = c.state;
  if (!outs.empty()) list.push_back({{"changed outs", outs}});
  if (st.cmd_changed) list.push_back("changed command");
  if (st.always_changed) list.push_back("always changed");
  return list;
}

void PrintStageStatus(const StageReport& r) {
  Say(r.address + ":");
  if (!r.error.empty()) {
    Say("\t" + r.error);
    return;
  }
  const StageStatus& st = r.status;
  if (st.never_run) Say("\tnever run");
  if (!st.deps.empty() || !st.params.empty()) {
    Say("\tchanged deps:");
    for (const PathChange& c : st.deps) Say(fmt::format("\t\t{:<20}{}", c.state + ":", c.path));
    std::string file;
    for (const ParamChange& c : st.params) {
      if (c.file != file) Say("\t\t" + (file = c.file) + ":");
      Say(fmt::format("\t\t\t{:<20}{}", c.state + ":", c.key));
    }
  }
  if (!st.outs.empty()) {
    Say("\tchanged outs:");
    for (const PathChange& c : st.outs) Say(fmt::format("\t\t{:<20}{}", c.state + ":", c.path));
  }
  if (st.cmd_changed) Say("\tchanged command");
  if (st.always_changed) Say("\talways changed");
}

void RunStatus() {
  if (Flags().cloud) {
    Session s = OpenForRead();
    std::string name =
        Flags().remote.empty() ? s.repo->config().DefaultRemote().value_or("") : Flags().remote;
    std::vector<CloudChange> changes = CloudStatus(*s.repo, Flags().targets, Flags().remote);
    if (Flags().json) {
      nlohmann::json out = nlohmann::json::object();
      for (const CloudChange& c : changes) out[c.path] = c.state;
      PrintJson(out);
    } else if (changes.empty()) {
      Say(fmt::format("Cache and remote '{}' are in sync.", name));
    } else {
      for (const CloudChange& c : changes) Say(fmt::format("\t{:<20}{}", c.state + ":", c.path));
    }
    return;
  }
  Session s = OpenForRead();
  // Stage names and dvc.yaml files go to the pipeline check, paths and .dvc
  // files to the data check; no targets means both, everything.
  const std::vector<std::string>& targets = Flags().targets;
  std::vector<std::string> stage_targets, data_targets;
  for (const std::string& t : targets)
    (IsStageTarget(*s.repo, t) ? stage_targets : data_targets).push_back(t);
  std::vector<StageReport> stages;
  if (targets.empty() || !stage_targets.empty())
    stages = PipelineStatus(*s.repo, stage_targets, Flags().jobs);
  std::vector<OutputChange> changes;
  if (targets.empty() || !data_targets.empty())
    changes = Status(*s.repo, data_targets, Flags().jobs);
  if (Flags().json) {
    nlohmann::json out = nlohmann::json::object();
    for (const StageReport& r : stages) out[r.address] = StageStatusJson(r);
    for (const OutputChange& c : changes) {
      nlohmann::json& entry = out[c.dvc_file];
      if (entry.is_null())
        entry = nlohmann::json::array({{{"changed outs", nlohmann::json::object()}}});
      entry[0]["changed outs"][c.path] = c.state;
    }
    PrintJson(out);
    return;
  }
  if (changes.empty() && stages.empty()) {
    Say("Data and pipelines are up to date.");
    return;
  }
  for (const StageReport& r : stages) PrintStageStatus(r);
  std::string current;
  for (const OutputChange& c : changes) {
    if (c.dvc_file != current) {
      Say(c.dvc_file + ":");
      Say("\tchanged outs:");
      current = c.dvc_file;
    }
    Say(fmt::format("\t\t{:<20}{}", c.state + ":", c.path));
  }
}

void RunCheckout() {
  Session s = OpenForWrite(Flags().no_wait);
  CheckoutOptions options{Flags().force, Flags().relink, Flags().jobs};
  CheckoutResult r = Checkout(*s.repo, Flags().targets, options, CommandProgress());
  if (Flags().json) {
    PrintJson({{"added", r.added}, {"modified", r.modified}, {"files_written", r.files_written}});
    return;
  }
  for (const std::string& p : r.added) Say("A       " + p);
  for (const std::string& p : r.modified) Say("M       " + p);
  if (r.added.empty() && r.modified.empty())
    Say("Everything is up to date.");
  else
    Say(fmt::format("{} added, {} modified ({} files written)", r.added.size(), r.modified.size(),
                    r.files_written));
}

void RunCommit() {
  Session s = OpenForWrite(Flags().no_wait);
  std::vector<AddedOutput> done = Commit(*s.repo, Flags().targets, Flags().jobs, CommandProgress());
  if (Flags().json) {
    nlohmann::json out = nlohmann::json::array();
    for (const AddedOutput& a : done)
      out.push_back(
          {{"path", a.path}, {"dvcfile", a.dvc_file}, {"md5", a.oid}, {"changed", a.changed}});
    PrintJson(out);
    return;
  }
  size_t changed = 0;
  for (const AddedOutput& a : done) {
    if (!a.changed) continue;
    ++changed;
    Say(fmt::format("Committed {} -> {}", a.path, a.dvc_file));
  }
  if (changed == 0) Say("Nothing to commit: every output matches its .dvc file.");
}

void RunRemove() {
  Session s = OpenForWrite(Flags().no_wait);
  for (const std::string& path : Remove(*s.repo, Flags().targets, Flags().outs))
    Say("Removed " + path);
}

void RunLs() {
  Session s = OpenForRead();
  std::vector<TrackedOutput> outputs = ListOutputs(*s.repo);
  if (Flags().json) {
    nlohmann::json out = nlohmann::json::array();
    for (const TrackedOutput& o : outputs)
      out.push_back({{"path", o.path},
                     {"type", o.is_dir ? "dir" : "file"},
                     {"md5", o.md5},
                     {"size", o.size},
                     {"nfiles", o.nfiles},
                     {"dvcfile", o.dvc_file}});
    PrintJson(out);
    return;
  }
  size_t width = 4;
  for (const TrackedOutput& o : outputs) width = std::max(width, o.path.size());
  for (const TrackedOutput& o : outputs)
    std::printf("%-*s  %-4s  %10s  %7llu  %s\n", static_cast<int>(width), o.path.c_str(),
                o.is_dir ? "dir" : "file", HumanBytes(o.size).c_str(),
                static_cast<unsigned long long>(o.nfiles), o.md5.c_str());
}

void RunGc() {
  Session s = OpenForWrite(Flags().no_wait);
  GcResult r = CollectGarbage(
      *s.repo, GcOptions{Flags().dry, Flags().cloud, Flags().remote,
                         GcScope{Flags().all_branches, Flags().all_tags, Flags().all_commits}});
  if (Flags().json) {
    PrintJson({{"dry", Flags().dry},
               {"objects", r.objects},
               {"bytes", r.bytes},
               {"remote_objects", r.remote_objects},
               {"temp_files", r.temp_files}});
    return;
  }
  const char* verb = Flags().dry ? "Would remove" : "Removed";
  Say(fmt::format("{} {} objects ({}) from cache.", verb, r.objects, HumanBytes(r.bytes)));
  if (Flags().cloud) Say(fmt::format("{} {} objects from remote.", verb, r.remote_objects));
  if (r.temp_files > 0)
    Say(fmt::format("Removed {} temp files left by interrupted commands.", r.temp_files));
}

}  // namespace

void RegisterDataCommands(CLI::App& app) {
  DataFlags& f = Flags();

  CLI::App* init = app.add_subcommand("init", "Create a DVC-compatible repository here");
  init->add_flag("--no-scm", f.no_scm, "Allow a directory that is not a git repository");
  init->add_flag("-f,--force", f.force, "Reinitialise an existing repository (keeps the cache)");
  init->callback([] {
    Repo::Init(RealFs(), ".", Flags().no_scm, Flags().force);
    Say("Initialized leanops repository (DVC format) in .dvc");
    if (!Flags().no_scm) PrintGitHint({".dvc/config", ".dvc/.gitignore", ".dvcignore"});
  });

  CLI::App* add =
      app.add_subcommand("add", "Track files or directories: cache them and write .dvc files");
  add->add_option("paths", f.targets, "Files or directories to track")->required();
  AddJobs(add);
  AddNoWait(add);
  add->add_flag("--json", f.json, "Print the result as JSON");
  add->callback(RunAdd);

  CLI::App* status = app.add_subcommand("status", "Show tracked data that changed (read-only)");
  status->add_option("targets", f.targets, ".dvc files or outputs (default: all)");
  status->add_flag("-c,--cloud", f.cloud, "Compare the cache with a remote instead");
  status->add_option("-r,--remote", f.remote, "Remote for --cloud (default: core.remote)");
  status->add_flag("--json", f.json, "Print the result as JSON");
  AddJobs(status);
  status->callback(RunStatus);

  CLI::App* checkout = app.add_subcommand("checkout", "Restore tracked data from the cache");
  checkout->add_option("targets", f.targets, ".dvc files or outputs (default: all)");
  checkout->add_flag("-f,--force", f.force,
                     "Overwrite or delete workspace data that is not cached");
  checkout->add_flag("--relink", f.relink, "Recreate links even where contents match");
  AddJobs(checkout);
  AddNoWait(checkout);
  checkout->add_flag("--json", f.json, "Print the result as JSON");
  checkout->callback(RunCheckout);

  CLI::App* commit =
      app.add_subcommand("commit", "Record changed outputs in the cache and .dvc files");
  commit->add_option("targets", f.targets, ".dvc files or outputs (default: all)");
  commit->add_flag("-f,--force", f.force, "Accepted for DVC compatibility (commit never prompts)");
  AddJobs(commit);
  AddNoWait(commit);
  commit->add_flag("--json", f.json, "Print the result as JSON");
  commit->callback(RunCommit);

  CLI::App* remove =
      app.add_subcommand("remove", "Stop tracking: delete .dvc files and .gitignore entries");
  remove->add_option("targets", f.targets, ".dvc files to remove")->required();
  remove->add_flag("--outs", f.outs, "Also delete the tracked data from the workspace");
  AddNoWait(remove);
  remove->callback(RunRemove);

  CLI::App* ls = app.add_subcommand("ls", "List tracked outputs (read-only)");
  ls->add_flag("--json", f.json, "Print the result as JSON");
  ls->callback(RunLs);

  CLI::App* gc =
      app.add_subcommand("gc", "Delete cache objects the workspace no longer references");
  gc->add_flag("-w,--workspace", f.workspace, "Keep what the workspace references (the default)");
  gc->add_flag("-a,--all-branches", f.all_branches, "Also keep what every git branch references");
  gc->add_flag("-T,--all-tags", f.all_tags, "Also keep what every git tag references");
  gc->add_flag("-A,--all-commits", f.all_commits, "Also keep what every git commit references");
  gc->add_flag("-c,--cloud", f.cloud, "Also delete unreferenced objects from the remote");
  gc->add_option("-r,--remote", f.remote, "Remote for --cloud (default: core.remote)");
  gc->add_flag("--dry", f.dry, "Only report what would be deleted");
  gc->add_flag("-f,--force", f.force, "Accepted for DVC compatibility (gc never prompts)");
  AddNoWait(gc);
  gc->add_flag("--json", f.json, "Print the result as JSON");
  gc->callback(RunGc);
}

}  // namespace leanops::cli
