// Recording a finished run: shared by `runs log` and `train`.
#include <algorithm>
#include <chrono>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "core/file_system.h"
#include "data/repo.h"
#include "track/lineage.h"

namespace leanops::cli {
namespace {

// The store's batch limits (store.h): split params, tags and metrics into
// batches that respect each.
void LogInBatches(track::Store& store, const std::string& run_id,
                  const std::vector<track::Metric>& metrics,
                  const std::vector<track::Param>& params, const std::vector<track::Tag>& tags) {
  size_t m = 0, p = 0, t = 0;
  while (m < metrics.size() || p < params.size() || t < tags.size()) {
    size_t np = std::min(params.size() - p, track::kMaxBatchParams);
    size_t nt = std::min(tags.size() - t, track::kMaxBatchTags);
    size_t nm =
        std::min({metrics.size() - m, track::kMaxBatchMetrics, track::kMaxBatchEntries - np - nt});
    store.LogBatch(run_id, {metrics.begin() + m, metrics.begin() + m + nm},
                   {params.begin() + p, params.begin() + p + np},
                   {tags.begin() + t, tags.begin() + t + nt});
    m += nm;
    p += np;
    t += nt;
  }
}

}  // namespace

std::pair<std::string, std::string> SplitSpec(const std::string& spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || RealFs().Stat(AbsoluteFromCwd(spec)).exists())
    return {spec, ""};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RecordedRun RecordRun(TrackSession& s, const RunRecord& record) {
  track::Store& store = *s.store;
  RecordedRun recorded;
  try {
    recorded.experiment_id = ResolveExperiment(store, record.experiment).experiment_id;
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
    // As mlflow.set_experiment does: a pipeline's first run creates it.
    recorded.experiment_id = store.CreateExperiment(record.experiment, "", {});
  }
  std::string project =
      s.settings.project_dir.empty() ? AbsoluteFromCwd(".") : s.settings.project_dir;
  std::string user = track::CurrentUser();
  std::vector<track::DatasetInput> inputs = track::DvcDatasetInputs(RealFs(), project);

  track::NewRun new_run;
  new_run.experiment_id = recorded.experiment_id;
  new_run.run_name = record.run_name;
  new_run.user_id = user;
  new_run.start_time = record.start_time;
  new_run.tags = track::LineageTags(project, user);
  track::Run run = store.CreateRun(new_run);
  recorded.info = run.info;
  const std::string& run_id = run.info.run_id;
  try {
    LogInBatches(store, run_id, record.metrics, record.params, record.tags);
    if (!inputs.empty()) store.LogInputs(run_id, inputs);
    std::vector<ArtifactUpload> uploads;
    if (record.artifacts) uploads = record.artifacts(run.info);
    if (!uploads.empty()) {
      std::unique_ptr<track::ArtifactStore> artifacts = OpenRunArtifacts(s, run.info);
      for (const ArtifactUpload& u : uploads) artifacts->Upload(u.local_file, u.artifact_path);
    }
    if (record.finish)
      store.UpdateRun({run_id, track::RunStatus::kFinished, NowMillis(), std::nullopt});
  } catch (const Error&) {
    // Leave the run visibly failed rather than RUNNING forever; the
    // original error is what the user needs to see.
    try {
      store.UpdateRun({run_id, track::RunStatus::kFailed, NowMillis(), std::nullopt});
    } catch (const Error&) {
    }
    throw;
  }
  if (!record.register_model.empty()) {
    EnsureRegisteredModel(store, record.register_model);
    track::NewModelVersion nv;
    nv.name = record.register_model;
    nv.source = track::JoinArtifactUri(run.info.artifact_uri, record.model_path);
    nv.run_id = run_id;
    nv.user_id = user;
    recorded.version = store.CreateModelVersion(nv);
  }
  return recorded;
}

}  // namespace leanops::cli
