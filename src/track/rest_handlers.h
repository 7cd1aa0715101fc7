// Inside `leanops server`: one API request as a handler sees it, and the
// route tables of the tracking, registry and artifact endpoints.
//
// Request fields follow MLflow's handlers (mlflow/server/handlers.py): for
// GET they come from the query string (a repeated field as k=v&k=v), for
// other methods from the JSON body. Accessors check types and presence with
// MLflow's messages, e.g.
//   Missing value for required parameter 'name'. See the API docs for more
//   information about request parameters.
// and throw INVALID_PARAMETER_VALUE.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "track/artifact_store.h"
#include "track/entities.h"
#include "track/http_server.h"
#include "track/rest_server.h"
#include "track/store.h"

namespace leanops::track::rest {

class Call {
 public:
  Call(Store& store, const ServerOptions& options, const http::Request& request,
       http::BodyReader& body, http::Response& response)
      : store(store), options(options), request(request), body(body), response(response) {}

  Store& store;
  const ServerOptions& options;
  const http::Request& request;
  http::BodyReader& body;
  http::Response& response;
  /// The root of proxied artifacts; nullptr when they are not served.
  ArtifactStore* destination = nullptr;
  /// The <path> of /mlflow-artifacts/.../<path> (already percent-decoded once).
  std::string artifact_path;

  /// The request message; the body is read and parsed on first use.
  const nlohmann::json& Fields();
  /// The size of the JSON body (after Fields()).
  size_t body_size() const { return body_size_; }
  /// The field's value, or nullptr when absent or null.
  const nlohmann::json* Raw(const char* name);

  std::string String(const char* name);  // "" when absent
  std::string RequiredString(const char* name);
  std::optional<int64_t> Int(const char* name);
  int64_t RequiredInt(const char* name);
  std::optional<double> Double(const char* name);
  double RequiredDouble(const char* name);
  std::optional<bool> Bool(const char* name);
  std::vector<std::string> StringList(const char* name);
  /// A list of {key, value} objects (tags, params).
  std::vector<Tag> Tags(const char* name);

  /// Answers 200 with the message as JSON.
  void Reply(const nlohmann::json& message);
  /// Answers 200 with JSON already written (rest_json_writer.h).
  void ReplyJsonText(std::string text);

  /// MLflow's message for a field of the wrong type, with its " See the API
  /// docs ..." suffix.
  [[noreturn]] static void ThrowBadValue(const char* name, const nlohmann::json& value);
  [[noreturn]] static void ThrowMissing(const char* name);

 private:
  void Parse();
  bool parsed_ = false;
  size_t body_size_ = 0;
  nlohmann::json fields_;
};

/// Puts a page of a search into an answer as MLflow does: the items under
/// `name` (left out when there are none) and next_page_token when set.
template <typename T, typename ToJson>
void PutPage(nlohmann::json& out, const char* name, const Page<T>& page, ToJson to_json) {
  if (!page.items.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const T& item : page.items) list.push_back(to_json(item));
    out[name] = std::move(list);
  }
  if (!page.next_page_token.empty()) out["next_page_token"] = page.next_page_token;
}

using Handler = void (*)(Call&);

struct Route {
  const char* method;
  const char* path;  // after /api/2.0 (or /ajax-api/2.0)
  Handler handler;
};

std::vector<Route> TrackingRoutes();
std::vector<Route> RegistryRoutes();
/// /mlflow/artifacts/list; the /mlflow-artifacts/... proxy is routed by
/// prefix, see ArtifactProxyHandler.
std::vector<Route> ArtifactRoutes();

/// The handler of `method` on /mlflow-artifacts/<rest> (rest = "artifacts",
/// "artifacts/<path>", "mpu/create/<path>", ...); nullptr for a route that
/// does not exist. Sets call.artifact_path.
Handler ArtifactProxyHandler(const std::string& method, const std::string& rest, Call& call);

/// Whether `rest` names an mlflow-artifacts route with some method.
bool IsArtifactProxyPath(const std::string& rest);

}  // namespace leanops::track::rest
