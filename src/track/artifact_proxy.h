// Run artifacts behind a tracking server's artifact proxy, as MLflow's
// client reaches them (mlflow/store/artifact/mlflow_artifacts_repo.py):
//
//   mlflow-artifacts:/1/abc/artifacts             on the server of the tracking URI
//   mlflow-artifacts://host:port/1/abc/artifacts  on host:port (the tracking URI's scheme)
//
// over the proxy's endpoints under /api/2.0/mlflow-artifacts/artifacts:
// GET ?path=DIR lists ({"files": [{"path": name, "is_dir", "file_size"}]}),
// GET /PATH downloads, PUT /PATH uploads the raw file, DELETE /PATH removes.
#pragma once

#include <memory>
#include <string>

#include "track/artifact_store.h"

namespace leanops::track {

/// The store of a run's artifact URI: the proxy's for mlflow-artifacts URIs
/// (which need an http(s) `tracking_uri`; a kData error says so otherwise),
/// OpenArtifactStore's for folders and S3.
std::unique_ptr<ArtifactStore> OpenRunArtifactStore(const std::string& artifact_uri,
                                                    const std::string& tracking_uri);

}  // namespace leanops::track
