// `leanops server`: MLflow's REST API over a Store.
//
// Serves every tracking and registry endpoint of MLflow's REST API 2.0 at
// /api/2.0/mlflow/... and /ajax-api/2.0/mlflow/..., the mlflow-artifacts proxy
// at /api/2.0/mlflow-artifacts/artifacts/..., GET /health ("OK") and
// GET /version. Requests and answers are MLflow's JSON; errors are
//   {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}
// with the HTTP status MLflow uses for the code. Connections are kept alive;
// requests are handled on a pool of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "track/store.h"

namespace leanops::track {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 5000;  // 0 = any free port (see RestServer::port)
  /// Root of proxied artifacts (a local folder or s3://...); the runs of
  /// experiments whose artifact location is "mlflow-artifacts:/..." keep
  /// their files there. "" = artifacts are not proxied (404).
  std::string artifacts_destination;
  /// When set, every request but /health must carry "Authorization: Bearer <token>".
  std::string auth_token;
  /// Larger request bodies get 413 before they are read.
  int64_t max_request_bytes = int64_t{1} << 30;
  int threads = 16;
};

class RestServer {
 public:
  RestServer(Store& store, ServerOptions options);
  ~RestServer();
  /// Binds the socket; throws kIO naming host:port when it cannot.
  void Bind();
  /// The bound port (after Bind).
  int port() const;
  /// Serves until Stop() is called (from another thread or a signal watcher).
  void Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leanops::track
