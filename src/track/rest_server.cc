// RestServer: routes requests to the handlers in rest_handlers_*.cc and
// rest_artifacts.cc, checks the bearer token, and turns errors into MLflow's
// {"error_code", "message"} bodies.
#include "track/rest_server.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "leanops_version.h"
#include "track/api_error.h"
#include "track/artifact_store.h"
#include "track/http_server.h"
#include "track/rest_handlers.h"

namespace leanops::track {
namespace {

using nlohmann::json;

constexpr std::string_view kApiPrefixes[] = {"/api/2.0", "/ajax-api/2.0"};
constexpr std::string_view kArtifactsPrefix = "/mlflow-artifacts/";

void ReplyError(http::Response& response, int status, const char* code,
                const std::string& message) {
  response = http::Response();
  response.status = status;
  response.content_type = "application/json";
  json body = {{"error_code", code}, {"message", message}};
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Takes the same time wherever the strings differ, so that response timing
// does not tell how much of a guessed token was right.
bool ConstantTimeEquals(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    unsigned char want = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    diff |= static_cast<unsigned char>(static_cast<unsigned char>(given[i]) ^ want);
  }
  return diff == 0;
}

bool Authorized(const http::Request& request, const std::string& token) {
  const std::string* header = request.Header("authorization");
  if (header == nullptr || header->size() < 7) return false;
  std::string scheme = header->substr(0, 7);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return false;
  std::string_view given(*header);
  given.remove_prefix(7);
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
  return ConstantTimeEquals(given, token);
}

}  // namespace

struct RestServer::Impl {
  Impl(Store& store, ServerOptions options) : store(store), options(std::move(options)) {
    for (auto routes : {rest::TrackingRoutes(), rest::RegistryRoutes(), rest::ArtifactRoutes()}) {
      for (const rest::Route& route : routes) {
        table[route.path].emplace_back(route.method, route.handler);
      }
    }
    if (!this->options.artifacts_destination.empty()) {
      destination = OpenArtifactStore(this->options.artifacts_destination);
    }
    http::Options http_options;
    http_options.host = this->options.host;
    http_options.port = this->options.port;
    http_options.threads = this->options.threads;
    http_options.max_body_bytes = this->options.max_request_bytes;
    server = std::make_unique<http::Server>(
        http_options, [this](const http::Request& request, http::BodyReader& body,
                             http::Response& response) { Handle(request, body, response); });
  }

  void Handle(const http::Request& request, http::BodyReader& body, http::Response& response);
  void Dispatch(const http::Request& request, http::BodyReader& body, http::Response& response);

  Store& store;
  ServerOptions options;
  std::unique_ptr<ArtifactStore> destination;  // the proxied artifacts' root
  // path after the API prefix -> (method, handler)
  std::unordered_map<std::string, std::vector<std::pair<std::string, rest::Handler>>> table;
  std::unique_ptr<http::Server> server;
};

void RestServer::Impl::Handle(const http::Request& request, http::BodyReader& body,
                              http::Response& response) {
  try {
    Dispatch(request, body, response);
  } catch (const Error& e) {
    std::string_view code = e.code();
    if (code == http::kPayloadTooLarge) {
      ReplyError(response, 413, kBadRequest, e.what());
    } else if (!code.empty()) {
      ReplyError(response, HttpStatusForCode(e.code()), e.code(), e.what());
    } else if (e.kind() == ErrorKind::kData) {
      ReplyError(response, 400, kInvalidParameter, e.what());
    } else {
      ReplyError(response, 500, "INTERNAL_ERROR", e.what());
    }
  } catch (const std::exception& e) {
    ReplyError(response, 500, "INTERNAL_ERROR", e.what());
  }
}

void RestServer::Impl::Dispatch(const http::Request& request, http::BodyReader& body,
                                http::Response& response) {
  const std::string& path = request.path;
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (path == "/health") {
    // Load balancers probe this without credentials.
    if (!get) return ReplyError(response, 405, "ENDPOINT_NOT_FOUND", "Method not allowed");
    response.content_type = "text/plain; charset=utf-8";
    response.body = "OK";
    return;
  }
  if (!options.auth_token.empty() && !Authorized(request, options.auth_token)) {
    ReplyError(response, 401, "UNAUTHENTICATED",
               "Authentication required: send 'Authorization: Bearer <token>'");
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"leanops\"");
    return;
  }
  if (path == "/version") {
    if (!get) return ReplyError(response, 405, "ENDPOINT_NOT_FOUND", "Method not allowed");
    response.content_type = "text/plain; charset=utf-8";
    response.body = LEANOPS_VERSION;
    return;
  }

  std::string rest;
  for (std::string_view prefix : kApiPrefixes) {
    if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
        path[prefix.size()] == '/') {
      rest = path.substr(prefix.size());
      break;
    }
  }
  rest::Call call(store, options, request, body, response);
  call.destination = destination.get();
  rest::Handler handler = nullptr;
  bool path_exists = false;
  if (rest.compare(0, kArtifactsPrefix.size(), kArtifactsPrefix) == 0) {
    std::string tail = rest.substr(kArtifactsPrefix.size());
    path_exists = destination != nullptr && rest::IsArtifactProxyPath(tail);
    if (path_exists) handler = rest::ArtifactProxyHandler(request.method, tail, call);
  } else if (!rest.empty()) {
    auto it = table.find(rest);
    if (it != table.end()) {
      path_exists = true;
      for (const auto& [method, candidate] : it->second) {
        if (method == request.method) handler = candidate;
      }
    }
  }
  if (handler == nullptr) {
    if (path_exists) {
      return ReplyError(response, 405, "ENDPOINT_NOT_FOUND",
                        "The method " + request.method + " is not allowed for " + path);
    }
    return ReplyError(response, 404, "ENDPOINT_NOT_FOUND", "No API endpoint at " + path);
  }
  handler(call);
}

RestServer::RestServer(Store& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}
RestServer::~RestServer() = default;
void RestServer::Bind() { impl_->server->Bind(); }
int RestServer::port() const { return impl_->server->port(); }
void RestServer::Serve() { impl_->server->Serve(); }
void RestServer::Stop() { impl_->server->Stop(); }

}  // namespace leanops::track
