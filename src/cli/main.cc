// leanops: one binary for the lean MLOps loop. This file only parses the
// command line and maps errors to exit codes (see README "Exit codes").
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/cli_common.h"
#include "core/error.h"
#include "leanops_version.h"

namespace {

// Errors are one line; a message that quotes a multi-line source is folded.
std::string OneLine(std::string message) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  return message;
}

}  // namespace

int main(int argc, char** argv) {
  using leanops::cli::Globals;
  for (int i = 0; i < argc; ++i) Globals().command_line += (i ? " " : "") + std::string(argv[i]);
  Globals().command_line.replace(0, std::string(argv[0]).size(), "leanops");

  CLI::App app{
      "leanops: the lean MLOps loop in one binary. Data versioning compatible with\n"
      "DVC repositories (.dvc files, .dvc/cache, .dvc/config, remotes).",
      "leanops"};
  app.footer(
      "Exit codes: 0 success, 1 a stage, a promotion gate or a validation failed, 2 usage\n"
      "error, 3 user or data error, 4 I/O, network or lock error, 5 internal error, 130\n"
      "interrupted. Run 'leanops COMMAND --help' for a command's options.");
  app.set_version_flag("--version", std::string("leanops ") + LEANOPS_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("-q,--quiet", Globals().quiet, "Print nothing but errors");
  leanops::cli::RegisterDataCommands(app);
  leanops::cli::RegisterTransferCommands(app);
  leanops::cli::RegisterRemoteCommands(app);
  leanops::cli::RegisterPipelineCommands(app);
  leanops::cli::RegisterMetricsCommands(app);
  leanops::cli::RegisterTrackCommands(app);
  leanops::cli::RegisterServerCommand(app);
  leanops::cli::RegisterValidateCommand(app);
  leanops::cli::RegisterProfileCommand(app);
  leanops::cli::RegisterTrainCommand(app);
  leanops::cli::RegisterPredictCommands(app);
  leanops::cli::RegisterTuneCommand(app);

  // CLI11 reports an unknown command as a missing one; name it instead.
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known |= sub->get_name() == arg;
    if (!known) {
      std::fprintf(stderr, "leanops: error: unknown command '%s' (see 'leanops --help')\n",
                   arg.c_str());
      return leanops::ExitCodeFor(leanops::ErrorKind::kUsage);
    }
    break;
  }

  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "leanops: error: %s (see 'leanops --help')\n", e.what());
    return leanops::ExitCodeFor(leanops::ErrorKind::kUsage);
  } catch (const leanops::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "leanops: error: %s\n", OneLine(e.what()).c_str());
    return leanops::ExitCodeFor(e.kind());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "leanops: error: out of memory\n");
    return leanops::ExitCodeFor(leanops::ErrorKind::kIO);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leanops: error: internal error: %s\n", e.what());
    return leanops::ExitCodeFor(leanops::ErrorKind::kInternal);
  }
}
