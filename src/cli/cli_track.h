// Shared plumbing of the tracking and registry commands (experiments, runs,
// models, artifacts): opening the store the settings name, resolving what
// the user typed (names, ids, short run ids), and formatting values.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "track/artifact_store.h"
#include "track/entities.h"
#include "track/store.h"
#include "track/tracking_config.h"

namespace leanops::cli {

/// Adds --tracking-uri to a command (every tracking command takes it).
void AddTrackingUriOption(CLI::App* cmd);

struct TrackSession {
  track::TrackingSettings settings;
  std::unique_ptr<track::Store> store;
};

/// Resolves the settings (tracking_config.h) with --tracking-uri and opens
/// the store.
TrackSession OpenTracking();

bool IsNotFound(const Error& error);

/// An experiment by name, else (for a number) by id; RESOURCE_DOES_NOT_EXIST
/// when neither names one.
track::Experiment ResolveExperiment(track::Store& store, const std::string& name_or_id);

/// Ids of every experiment in `view`.
std::vector<std::string> AllExperimentIds(track::Store& store, track::ViewType view);

/// A full run id, or a unique prefix of one (at least 4 hex digits, as
/// `runs list` shows 8); RESOURCE_DOES_NOT_EXIST / INVALID_PARAMETER_VALUE
/// when it names no run or several.
std::string ResolveRunId(track::Store& store, const std::string& id_or_prefix);

/// Runs matching `query`, every page, at most `limit`.
std::vector<track::Run> SearchRunsUpTo(track::Store& store, track::RunQuery query, int64_t limit);

/// Creates the registered model `name` unless it exists.
void EnsureRegisteredModel(track::Store& store, const std::string& name);

/// The artifact store of a run: a folder, S3, or for "mlflow-artifacts:"
/// URIs the artifact proxy of the session's tracking server.
std::unique_ptr<track::ArtifactStore> OpenRunArtifacts(const TrackSession& session,
                                                       const track::RunInfo& info);

/// Downloads the artifact directory `dir` into `local_dir`, recursively;
/// returns the number of files.
size_t DownloadTree(track::ArtifactStore& artifacts, const std::string& dir,
                    const std::string& local_dir);

/// A local file to upload as a run artifact.
struct ArtifactUpload {
  std::string local_file;
  std::string artifact_path;
};

/// A finished run, as `runs log` and `train` record it (run_record.cc).
struct RunRecord {
  std::string experiment;  // name or id; a missing name is created (as mlflow.set_experiment)
  std::string run_name;    // "" = generated
  int64_t start_time = 0;  // milliseconds since the epoch
  std::vector<track::Param> params;
  std::vector<track::Metric> metrics;
  std::vector<track::Tag> tags;
  /// Called once the run exists (the model directory records its run id);
  /// returns the files to upload.
  std::function<std::vector<ArtifactUpload>(const track::RunInfo&)> artifacts;
  std::string register_model;  // "" = do not register
  std::string model_path = "model";
  /// false: leave the run RUNNING for the caller to finish (a parent run
  /// whose children are logged next).
  bool finish = true;
};

struct RecordedRun {
  std::string experiment_id;
  track::RunInfo info;
  std::optional<track::ModelVersion> version;
};

/// Creates the run with its lineage (track/lineage.h), logs everything in
/// batches within the store's limits, uploads, marks it FINISHED (FAILED
/// when a step throws, then rethrows) and registers the model version.
RecordedRun RecordRun(TrackSession& session, const RunRecord& record);

int64_t NowMillis();

/// The local path of a model named on the command line: a path as it is;
/// models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest,
/// models:/NAME/STAGE or runs:/RUN_ID/PATH resolved through the tracking
/// store, their artifacts used in place when local, else downloaded under
/// `scratch` (a directory the caller removes).
std::string FetchModel(const std::string& spec, const std::string& scratch);

/// "FILE[:SUFFIX]" (params.yaml:train): the whole text when it names an
/// existing path (a path may contain ':'), else split at the last ':'.
std::pair<std::string, std::string> SplitSpec(const std::string& spec);

/// "k=v" from a repeated option; kUsage naming `option` without '='.
track::Tag ParseKeyValue(const std::string& text, const char* option);

/// Local time "2024-05-01 12:34:56"; "-" for 0.
std::string FormatTime(int64_t millis);
/// The shortest text that reads back the same double ("0.91", "1", "nan").
std::string FormatNumber(double value);
/// The first 8 digits of a run id, as `runs list` shows it.
std::string ShortRunId(const std::string& run_id);

/// Registration of the command groups (cli_experiments.cc, cli_runs.cc,
/// cli_run_log.cc, cli_models.cc, cli_track.cc for artifacts).
void RegisterExperimentCommands(CLI::App& app);
void RegisterRunCommands(CLI::App& runs);
void RegisterRunLogCommand(CLI::App& runs);
void RegisterModelCommands(CLI::App& app);
void RegisterArtifactCommands(CLI::App& app);

}  // namespace leanops::cli
