// HTTP to a tracking server over libcurl (loaded on first use,
// data/curl_library.h): MLflow's REST API for RestStore (rest_client.h) and
// raw file bodies for the artifact proxy (artifact_proxy.h).
//
// One keep-alive connection per thread. The environment settings of MLflow's
// client are honoured:
//   MLFLOW_TRACKING_TOKEN (read by the caller)        bearer token
//   MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD  basic auth (wins over the token)
//   MLFLOW_TRACKING_INSECURE_TLS=true, MLFLOW_TRACKING_SERVER_CERT_PATH
//   MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR (seconds,
//   waits factor * 1, 2, 4, ...), MLFLOW_HTTP_REQUEST_TIMEOUT (seconds without data)
// with shorter defaults than MLflow's (5 retries from 0.25 s, about 8 s in
// all, instead of a minute), so that a command against a server that is down
// fails promptly. Connection failures, 429 and 503 are retried; failures
// after the server may have acted (timeouts, 502, 504) only for idempotent
// requests. Error answers in MLflow's form become leanops::Error (kData) with
// the server's error_code and message; anything else is kIO naming the URL.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace leanops::track {

struct HttpSettings {
  int max_retries = 5;
  int64_t first_backoff_ms = 250;
  long timeout_seconds = 120;  // MLflow's default
  std::string token;
  std::string username, password;
  bool verify_tls = true;
  std::string ca_file;
};

/// The settings above from the environment, with `token` as bearer token.
HttpSettings ReadHttpSettings(const std::string& token);

/// One request of MLflow's REST API.
struct RestCall {
  const char* method;  // GET, POST, PATCH or DELETE
  std::string path;    // after /api/2.0, e.g. "/mlflow/runs/get"
  nlohmann::json fields = nlohmann::json::object();
  // False when repeating a request the server already carried out would
  // fail or act twice (creates, deletes, renames, alias moves): such a
  // request is retried only when it cannot have reached the server.
  bool idempotent = true;
};

class RestTransport {
 public:
  /// `base_url` is "http://host:port" (a path prefix is kept).
  RestTransport(std::string base_url, HttpSettings settings, Clock& clock);

  /// GET fields go in the query string (a list as k=v&k=v, as python-requests
  /// encodes them), other methods' fields in a JSON body. Returns the JSON
  /// object answered (empty for an empty body).
  nlohmann::json Send(const RestCall& call);

  /// PUT `local_file` as the raw body of `path` (under /api/2.0).
  void PutFile(const std::string& path, const std::string& local_file);

  /// GET `path` (under /api/2.0) into `local_file`, written atomically.
  void GetFile(const std::string& path, const std::string& local_file);

  const std::string& base_url() const { return base_url_; }

 private:
  struct Request;
  struct Answer {
    long status = 0;
    std::string body;  // error answers always; successful ones unless downloaded
  };
  // Sends `request`, retrying as described above; returns a 2xx answer or throws.
  Answer Exchange(const Request& request);
  void Backoff(int attempt);
  int Attempt(const Request& request, Answer* answer, std::string* error) const;

  std::string base_url_;
  HttpSettings settings_;
  Clock& clock_;
  std::string auth_header_;
};

/// A string member of an answer: "" when absent, numbers as JSON writes them.
std::string AnswerText(const nlohmann::json& object, const char* key);

}  // namespace leanops::track
