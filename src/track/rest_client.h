// RestStore: a Store that talks MLflow's REST API to a tracking server
// (`leanops server` or MLflow's own), so leanops commands and modules work the
// same against a remote server as against a local database.
//
// Requests go over libcurl (loaded on first use, data/curl_library.h), one
// keep-alive connection per thread. A bearer token is sent when given
// (MLFLOW_TRACKING_TOKEN, as MLflow's client reads it). Server errors come
// back as leanops::Error with the server's error_code and message; transport
// failures are kIO naming the URL. Idempotent requests are retried on
// connection errors and 429/503 with backoff, as MLflow's client does.
#pragma once

#include <memory>
#include <string>

#include "track/store.h"

namespace leanops::track {

/// `base_url` is "http://host:port" (a trailing '/' or path prefix is kept).
std::unique_ptr<Store> OpenRestStore(const std::string& base_url, const std::string& token);

}  // namespace leanops::track
