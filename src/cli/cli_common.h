// Shared plumbing of the CLI layer: opening the repository (with the write
// lock for writers), progress on a terminal, and output helpers.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/lock.h"
#include "core/progress.h"
#include "data/repo.h"

namespace leanops::cli {

/// Options every command understands.
struct GlobalOptions {
  bool quiet = false;
  std::string command_line;  // for the lock holder text
};

GlobalOptions& Globals();

/// An open repository; `lock` is held for writers until destruction.
struct Session {
  std::unique_ptr<Repo> repo;
  std::unique_ptr<RepoLock> lock;
};

/// Opens the repository around the cwd without locking (readers).
Session OpenForRead();
/// Opens it and takes the write lock, printing a note when waiting.
Session OpenForWrite(bool no_wait);

/// A progress bar on stderr when it is a terminal and not --quiet; else silent.
Progress& CommandProgress();

/// Prints a line on stdout unless --quiet.
void Say(const std::string& line);
void PrintJson(const nlohmann::json& value);

/// Now in microseconds since the epoch, or SOURCE_DATE_EPOCH (seconds) when
/// set: the reproducible-builds convention, so that a pipeline stage that
/// records a time can write the same bytes on a re-run. A malformed value
/// is a usage error.
int64_t ReproducibleTimeMicros();

/// Human-readable byte count ("1.5 GiB").
std::string HumanBytes(uint64_t bytes);

/// Command registration, one per command group.
void RegisterDataCommands(CLI::App& app);
void RegisterTransferCommands(CLI::App& app);
void RegisterRemoteCommands(CLI::App& app);
void RegisterPipelineCommands(CLI::App& app);
void RegisterMetricsCommands(CLI::App& app);
/// experiments, runs, models, artifacts (cli_track.cc).
void RegisterTrackCommands(CLI::App& app);
/// leanops server (cli_server.cc).
void RegisterServerCommand(CLI::App& app);
void RegisterValidateCommand(CLI::App& app);
/// leanops profile (cli_profile.cc).
void RegisterProfileCommand(CLI::App& app);
/// leanops train (cli_train.cc); predict and evaluate (cli_predict.cc).
void RegisterTrainCommand(CLI::App& app);
void RegisterPredictCommands(CLI::App& app);
/// leanops tune (cli_tune.cc).
void RegisterTuneCommand(CLI::App& app);

}  // namespace leanops::cli
