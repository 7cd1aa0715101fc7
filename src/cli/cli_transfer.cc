// push, pull, fetch.
#include "cli/cli_common.h"
#include "data/ops.h"

namespace leanops::cli {
namespace {

struct TransferFlags {
  std::vector<std::string> targets;
  std::string remote;
  int jobs = 0;
  bool json = false;
  bool no_wait = false;
  bool force = false;
};

TransferFlags& Flags() {
  static TransferFlags flags;
  return flags;
}

void Report(const char* verb, const TransferResult& r) {
  if (Flags().json) {
    PrintJson({{"remote", r.remote}, {verb, r.objects}, {"bytes", r.bytes}});
    return;
  }
  if (r.objects == 0)
    Say("Everything is up to date.");
  else
    Say(fmt::format("{} file{} {} ({})", r.objects, r.objects == 1 ? "" : "s", verb,
                    HumanBytes(r.bytes)));
}

CLI::App* AddTransferCommand(CLI::App& app, const char* name, const char* help) {
  TransferFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("targets", f.targets, ".dvc files or outputs (default: all)");
  cmd->add_option("-r,--remote", f.remote, "Remote name (default: core.remote)");
  cmd->add_option("-j,--jobs", f.jobs, "Parallel transfers (default: the remote's jobs)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", f.json, "Print the result as JSON");
  cmd->add_flag("--no-wait", f.no_wait, "Fail at once if another command holds the lock");
  return cmd;
}

}  // namespace

void RegisterTransferCommands(CLI::App& app) {
  AddTransferCommand(app, "push", "Upload cached data the remote lacks")->callback([] {
    Session s = OpenForWrite(Flags().no_wait);
    Report("pushed",
           Push(*s.repo, Flags().targets, Flags().remote, Flags().jobs, CommandProgress()));
  });
  AddTransferCommand(app, "fetch", "Download data the cache lacks (verified) without checkout")
      ->callback([] {
        Session s = OpenForWrite(Flags().no_wait);
        Report("fetched",
               Fetch(*s.repo, Flags().targets, Flags().remote, Flags().jobs, CommandProgress()));
      });
  CLI::App* pull = AddTransferCommand(app, "pull", "Fetch, then check out into the workspace");
  pull->add_flag("-f,--force", Flags().force, "Overwrite workspace data that is not cached");
  pull->callback([] {
    Session s = OpenForWrite(Flags().no_wait);
    TransferResult fetched =
        Fetch(*s.repo, Flags().targets, Flags().remote, Flags().jobs, CommandProgress());
    CheckoutResult checked = Checkout(*s.repo, Flags().targets,
                                      CheckoutOptions{Flags().force, false, 0}, CommandProgress());
    if (Flags().json) {
      PrintJson({{"remote", fetched.remote},
                 {"fetched", fetched.objects},
                 {"bytes", fetched.bytes},
                 {"added", checked.added},
                 {"modified", checked.modified}});
      return;
    }
    for (const std::string& p : checked.added) Say("A       " + p);
    for (const std::string& p : checked.modified) Say("M       " + p);
    if (fetched.objects == 0 && checked.added.empty() && checked.modified.empty())
      Say("Everything is up to date.");
    else
      Say(fmt::format("{} files fetched, {} added, {} modified", fetched.objects,
                      checked.added.size(), checked.modified.size()));
  });
}

}  // namespace leanops::cli
