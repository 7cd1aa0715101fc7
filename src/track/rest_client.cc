// RestStore: each Store method is the request MLflow's Python RestStore makes
// (mlflow/store/tracking/rest_store.py, mlflow/store/model_registry/
// rest_store.py, mlflow/utils/rest_utils.py): the RPC's first endpoint under
// /api/2.0, GET fields in the query string (a repeated field as k=v&k=v),
// other methods' fields in a JSON body. Unset optional fields are left out,
// as protobuf's JSON writer leaves them out.
//
// Beyond MLflow's API, two things the registry keeps for `models rollback`:
//
//   SetAlias / DeleteAlias add "leanops_user" and "leanops_reason" (when not
//   empty) to MLflow's request body; MLflow's server ignores unknown fields.
//
//   GetAliasHistory has no MLflow endpoint; a leanops server answers
//     GET /api/2.0/leanops/registered-models/alias-history?name=M[&alias=A]
//   (no alias = every alias of M) with
//     {"events": [{"model": "M", "alias": "A",
//                  "from_version": "1",   (absent when the alias was created)
//                  "to_version": "2",     (absent when the alias was deleted)
//                  "user": "u", "timestamp": 1700000000000, "reason": "r"}]}
//   oldest first. MLflow's own server answers 404 (ENDPOINT_NOT_FOUND).
//
// The environment settings of MLflow's client are honoured:
//   MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD  basic auth (wins over the token)
//   MLFLOW_TRACKING_INSECURE_TLS=true, MLFLOW_TRACKING_SERVER_CERT_PATH
//   MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR (seconds,
//   waits factor * 1, 2, 4, ...), MLFLOW_HTTP_REQUEST_TIMEOUT (seconds without data)
// with shorter defaults than MLflow's (5 retries from 0.25 s, about 8 s in
// all, instead of a minute), so that a command against a server that is down
// fails promptly.
#include "track/rest_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "data/curl_library.h"
#include "leanops_version.h"
#include "track/api_error.h"
#include "track/rest_json.h"

namespace leanops::track {
namespace {

using nlohmann::json;

constexpr const char* kApiPrefix = "/api/2.0";
constexpr int kDefaultMaxRetries = 5;
constexpr double kDefaultBackoffSeconds = 0.25;
constexpr long kDefaultTimeoutSeconds = 120;  // MLflow's default
constexpr long kConnectTimeoutMs = 10000;
constexpr size_t kMaxBodyInMessage = 500;

// Error codes as string literals: Error keeps a pointer to its code, so a
// code read from an answer is replaced by the literal of the same name.
// These are MLflow's codes (databricks.proto ErrorCode) that its REST API uses.
constexpr const char* kKnownCodes[] = {
    "INTERNAL_ERROR",
    "TEMPORARILY_UNAVAILABLE",
    "IO_ERROR",
    "BAD_REQUEST",
    "INVALID_STATE",
    "INVALID_PARAMETER_VALUE",
    "ENDPOINT_NOT_FOUND",
    "MALFORMED_REQUEST",
    "RESOURCE_DOES_NOT_EXIST",
    "RESOURCE_ALREADY_EXISTS",
    "RESOURCE_CONFLICT",
    "ALREADY_EXISTS",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "UNAUTHENTICATED",
    "CUSTOMER_UNAUTHORIZED",
    "REQUEST_LIMIT_EXCEEDED",
    "RESOURCE_EXHAUSTED",
    "ABORTED",
    "CANCELLED",
    "DATA_LOSS",
    "NOT_IMPLEMENTED",
    "DEADLINE_EXCEEDED",
};

const char* KnownCode(const std::string& code) {
  for (const char* known : kKnownCodes)
    if (code == known) return known;
  return "INTERNAL_ERROR";
}

// The code MLflow's client gives an answer that carries none
// (mlflow/exceptions.py get_error_code).
const char* CodeForStatus(long status) {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "ENDPOINT_NOT_FOUND";
    case 409:
      return "ALREADY_EXISTS";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "NOT_IMPLEMENTED";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return "INTERNAL_ERROR";
  }
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

struct HttpSettings {
  int max_retries = kDefaultMaxRetries;
  int64_t first_backoff_ms = static_cast<int64_t>(kDefaultBackoffSeconds * 1000);
  long timeout_seconds = kDefaultTimeoutSeconds;
  std::string token;
  std::string username, password;
  bool verify_tls = true;
  std::string ca_file;
};

double NumberSetting(const char* name, double fallback, double min, double max) {
  std::string text = Env(name);
  if (text.empty()) return fallback;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !(value >= min && value <= max))
    ThrowData("{}='{}' is not a number from {} to {}", name, text, min, max);
  return value;
}

HttpSettings ReadSettings(const std::string& token) {
  HttpSettings settings;
  settings.token = token;
  settings.max_retries =
      static_cast<int>(NumberSetting("MLFLOW_HTTP_REQUEST_MAX_RETRIES", kDefaultMaxRetries, 0, 20));
  settings.first_backoff_ms = static_cast<int64_t>(
      1000 * NumberSetting("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", kDefaultBackoffSeconds, 0, 120));
  settings.timeout_seconds = static_cast<long>(
      NumberSetting("MLFLOW_HTTP_REQUEST_TIMEOUT", kDefaultTimeoutSeconds, 1, 86400));
  settings.username = Env("MLFLOW_TRACKING_USERNAME");
  settings.password = Env("MLFLOW_TRACKING_PASSWORD");
  std::string insecure = Env("MLFLOW_TRACKING_INSECURE_TLS");
  std::transform(insecure.begin(), insecure.end(), insecure.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  settings.verify_tls = !(insecure == "true" || insecure == "1");
  settings.ca_file = Env("MLFLOW_TRACKING_SERVER_CERT_PATH");
  return settings;
}

// Percent-encoding of a query-string component: unreserved characters stay.
std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string QueryValue(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();  // numbers and booleans as JSON writes them
}

// A string field (or a number, which protobuf's parser also accepts); "" when absent.
std::string Text(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Fields of a GET request, as python-requests encodes MLflow's params dict.
std::string QueryString(const json& fields) {
  std::string out;
  auto add = [&out](const std::string& key, const json& value) {
    out += out.empty() ? '?' : '&';
    out += UrlEncode(key) + '=' + UrlEncode(QueryValue(value));
  };
  for (const auto& [key, value] : fields.items()) {
    if (value.is_array()) {
      for (const json& item : value) add(key, item);
    } else if (!value.is_null()) {
      add(key, value);
    }
  }
  return out;
}

// One easy handle per thread: a handle must not be shared between threads,
// and reusing it keeps the connection to the server alive between requests.
CURL* ThreadCurl() {
  struct Handle {
    CURL* curl = nullptr;
    ~Handle() {
      if (curl) Curl().easy_cleanup(curl);
    }
  };
  thread_local Handle handle;
  if (!handle.curl && !(handle.curl = Curl().easy_init())) ThrowIO("cannot initialise libcurl");
  return handle.curl;
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct SlistFreer {
  void operator()(curl_slist* list) const { Curl().slist_free_all(list); }
};

// Failures before the request could reach the server: safe to repeat any request.
bool FailedBeforeSending(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR;
}

// Failures after which the server may have acted on the request.
bool FailedInFlight(CURLcode code) {
  return code == CURLE_OPERATION_TIMEDOUT || code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR ||
         code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE || code == CURLE_HTTP2 ||
         code == CURLE_HTTP2_STREAM;
}

struct Call {
  const char* method;  // GET, POST, PATCH or DELETE
  std::string path;    // after /api/2.0, e.g. "/mlflow/runs/get"
  json fields = json::object();
  // False when repeating a request the server already carried out would
  // fail or act twice (creates, deletes, renames, alias moves): such a
  // request is retried only when it cannot have reached the server.
  bool idempotent = true;
};

struct Answer {
  long status = 0;
  std::string body;
};

// MLflow's REST API over libcurl: sends calls, retries transient failures,
// and turns error answers into leanops::Error.
class RestTransport {
 public:
  RestTransport(std::string base_url, HttpSettings settings, Clock& clock)
      : base_url_(std::move(base_url)), settings_(std::move(settings)), clock_(clock) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
    if (!settings_.token.empty()) auth_header_ = "Authorization: Bearer " + settings_.token;
  }

  json Send(const Call& call) {
    const bool get = std::strcmp(call.method, "GET") == 0;
    const std::string endpoint = kApiPrefix + call.path;
    const std::string url = base_url_ + endpoint + (get ? QueryString(call.fields) : "");
    const std::string body = get ? "" : call.fields.dump();
    for (int attempt = 1;; ++attempt) {
      Answer answer;
      std::string transport_error;
      CURLcode code = Attempt(url, call.method, body, &answer, &transport_error);
      bool retry_allowed = attempt <= settings_.max_retries;
      if (code != CURLE_OK) {
        bool transient = FailedBeforeSending(code) || (call.idempotent && FailedInFlight(code));
        if (transient && retry_allowed) {
          Backoff(attempt);
          continue;
        }
        ThrowIO("cannot reach tracking server: {} {}{}: {}", call.method, url,
                attempt > 1 ? fmt::format(" (after {} attempts)", attempt) : "", transport_error);
      }
      if (answer.status >= 200 && answer.status < 300) return ParseSuccess(answer, call, url);
      // 429 and 503 say the request was not carried out; a gateway's 502 or
      // 504 may come after the server acted on it.
      bool transient = answer.status == 429 || answer.status == 503 ||
                       (call.idempotent && (answer.status == 502 || answer.status == 504));
      if (transient && retry_allowed) {
        Backoff(attempt);
        continue;
      }
      ThrowAnswerError(answer, call, url);
    }
  }

 private:
  void Backoff(int attempt) {
    int64_t wait = settings_.first_backoff_ms << std::min(attempt - 1, 16);
    if (wait > 0) clock_.SleepMs(wait);
  }

  json ParseSuccess(const Answer& answer, const Call& call, const std::string& url) const {
    if (answer.body.empty()) return json::object();
    json parsed = json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object())
      ThrowIO("tracking server answered {} {} with a body that is not a JSON object: '{}'",
              call.method, url, Excerpt(answer.body));
    return parsed;
  }

  [[noreturn]] void ThrowAnswerError(const Answer& answer, const Call& call,
                                     const std::string& url) const {
    json parsed = json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error_code")) {
      std::string message = Text(parsed, "message");
      if (message.empty())
        message = fmt::format("{} {} failed with HTTP {}", call.method, url, answer.status);
      throw Error(ErrorKind::kData, KnownCode(Text(parsed, "error_code")), std::move(message));
    }
    // Not MLflow's error form: a proxy, or a server without the endpoint.
    throw Error(ErrorKind::kIO, CodeForStatus(answer.status),
                fmt::format("tracking server answered {} {} with HTTP {}{}", call.method, url,
                            answer.status, answer.body.empty() ? "" : ": " + Excerpt(answer.body)));
  }

  static std::string Excerpt(const std::string& body) {
    std::string out = body.substr(0, kMaxBodyInMessage);
    if (body.size() > kMaxBodyInMessage) out += "...";
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return out;
  }

  CURLcode Attempt(const std::string& url, const char* method, const std::string& body,
                   Answer* answer, std::string* error) const {
    const CurlLibrary& lib = Curl();
    CURL* curl = ThreadCurl();
    // Reset keeps the handle's live connection and drops the last request's
    // options; resetting again on the way out leaves no pointer to this frame.
    lib.easy_reset(curl);
    struct Reset {
      CURL* curl;
      ~Reset() { Curl().easy_reset(curl); }
    } reset{curl};

    curl_slist* list = nullptr;
    list = lib.slist_append(list, "Accept: application/json");
    // No "Expect: 100-continue" round trip before larger bodies.
    list = lib.slist_append(list, "Expect:");
    if (std::strcmp(method, "GET") != 0)
      list = lib.slist_append(list, "Content-Type: application/json");
    if (!auth_header_.empty() && settings_.username.empty())
      list = lib.slist_append(list, auth_header_.c_str());
    std::unique_ptr<curl_slist, SlistFreer> headers(list);
    char error_buffer[CURL_ERROR_SIZE] = "";

    lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
    lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    lib.easy_setopt(curl, CURLOPT_USERAGENT, "leanops/" LEANOPS_VERSION);
    lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                    std::min(kConnectTimeoutMs, settings_.timeout_seconds * 1000));
    // MLflow's timeout is a read timeout: fail when nothing arrives for that long.
    lib.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    lib.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, settings_.timeout_seconds);
    lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    lib.easy_setopt(curl, CURLOPT_WRITEDATA, &answer->body);
    if (!settings_.username.empty()) {
      lib.easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      lib.easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
      lib.easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    if (!settings_.verify_tls) {
      lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!settings_.ca_file.empty())
      lib.easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (std::strcmp(method, "GET") == 0) {
      lib.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      lib.easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      if (std::strcmp(method, "POST") != 0) lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode code = lib.easy_perform(curl);
    lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer->status);
    if (code != CURLE_OK)
      *error = std::string(lib.easy_strerror(code)) +
               (*error_buffer ? std::string(" (") + error_buffer + ")" : "");
    return code;
  }

  std::string base_url_;
  HttpSettings settings_;
  Clock& clock_;
  std::string auth_header_;
};

// Reading answers ---------------------------------------------------------

const json& Member(const json& answer, const char* key, const Call& call) {
  auto it = answer.find(key);
  if (it == answer.end() || it->is_null())
    ThrowIO("tracking server's answer to {} {} lacks '{}'", call.method, call.path, key);
  return *it;
}

template <typename T, typename Parse>
std::vector<T> List(const json& answer, const char* key, Parse parse) {
  std::vector<T> out;
  auto it = answer.find(key);
  if (it == answer.end() || !it->is_array()) return out;
  out.reserve(it->size());
  for (const json& item : *it) out.push_back(parse(item));
  return out;
}

std::optional<int64_t> OptionalInt64(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return Int64FromJson(*it, key);
}

AliasEvent AliasEventFromJson(const json& object) {
  AliasEvent event;
  event.model = Text(object, "model");
  event.alias = Text(object, "alias");
  event.from_version = OptionalInt64(object, "from_version");
  event.to_version = OptionalInt64(object, "to_version");
  event.user = Text(object, "user");
  event.timestamp = OptionalInt64(object, "timestamp").value_or(0);
  event.reason = Text(object, "reason");
  return event;
}

// Writing requests --------------------------------------------------------

const char* ViewTypeName(ViewType view) {
  switch (view) {
    case ViewType::kActiveOnly:
      return "ACTIVE_ONLY";
    case ViewType::kDeletedOnly:
      return "DELETED_ONLY";
    case ViewType::kAll:
      return "ALL";
  }
  return "ACTIVE_ONLY";
}

template <typename T>
json JsonList(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(ToJson(item));
  return out;
}

// Sets an optional field only when it has a value, as protobuf leaves unset fields out.
void SetIfAny(json& fields, const char* key, const std::string& value) {
  if (!value.empty()) fields[key] = value;
}
void SetIfAny(json& fields, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) fields[key] = values;
}
template <typename T>
void SetIfAny(json& fields, const char* key, const std::vector<T>& items) {
  if (!items.empty()) fields[key] = JsonList(items);
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RestStore : public Store {
 public:
  explicit RestStore(RestTransport transport) : http_(std::move(transport)) {}

  // Experiments -------------------------------------------------------------

  std::string CreateExperiment(const std::string& name, const std::string& artifact_location,
                               const std::vector<Tag>& tags) override {
    Call call{"POST", "/mlflow/experiments/create", {{"name", name}}, false};
    SetIfAny(call.fields, "artifact_location", artifact_location);
    SetIfAny(call.fields, "tags", tags);
    json answer = http_.Send(call);
    Member(answer, "experiment_id", call);
    return Text(answer, "experiment_id");
  }

  Experiment GetExperiment(const std::string& experiment_id) override {
    Call call{"GET", "/mlflow/experiments/get", {{"experiment_id", experiment_id}}};
    return ExperimentFromJson(Member(http_.Send(call), "experiment", call));
  }

  Experiment GetExperimentByName(const std::string& name) override {
    Call call{"GET", "/mlflow/experiments/get-by-name", {{"experiment_name", name}}};
    return ExperimentFromJson(Member(http_.Send(call), "experiment", call));
  }

  Page<Experiment> SearchExperiments(const ExperimentQuery& query) override {
    Call call{"POST", "/mlflow/experiments/search"};
    call.fields["max_results"] = query.max_results;
    SetIfAny(call.fields, "page_token", query.page_token);
    SetIfAny(call.fields, "filter", query.filter);
    SetIfAny(call.fields, "order_by", query.order_by);
    call.fields["view_type"] = ViewTypeName(query.view);
    json answer = http_.Send(call);
    return {List<Experiment>(answer, "experiments", ExperimentFromJson),
            Text(answer, "next_page_token")};
  }

  void DeleteExperiment(const std::string& experiment_id) override {
    http_.Send({"POST", "/mlflow/experiments/delete", {{"experiment_id", experiment_id}}, false});
  }

  void RestoreExperiment(const std::string& experiment_id) override {
    http_.Send({"POST", "/mlflow/experiments/restore", {{"experiment_id", experiment_id}}, false});
  }

  void RenameExperiment(const std::string& experiment_id, const std::string& new_name) override {
    http_.Send({"POST",
                "/mlflow/experiments/update",
                {{"experiment_id", experiment_id}, {"new_name", new_name}},
                false});
  }

  void SetExperimentTag(const std::string& experiment_id, const Tag& tag) override {
    http_.Send({"POST",
                "/mlflow/experiments/set-experiment-tag",
                {{"experiment_id", experiment_id}, {"key", tag.key}, {"value", tag.value}}});
  }

  void DeleteExperimentTag(const std::string& experiment_id, const std::string& key) override {
    http_.Send({"POST",
                "/mlflow/experiments/delete-experiment-tag",
                {{"experiment_id", experiment_id}, {"key", key}},
                false});
  }

  // Runs --------------------------------------------------------------------

  Run CreateRun(const NewRun& run) override {
    Call call{"POST", "/mlflow/runs/create", {}, false};
    call.fields["experiment_id"] = run.experiment_id.empty() ? "0" : run.experiment_id;
    SetIfAny(call.fields, "user_id", run.user_id);
    // MLflow's client always sends the start time; its server takes it as given.
    call.fields["start_time"] = run.start_time.value_or(WallClockMs());
    SetIfAny(call.fields, "tags", run.tags);
    SetIfAny(call.fields, "run_name", run.run_name);
    return RunFromJson(Member(http_.Send(call), "run", call));
  }

  RunInfo UpdateRun(const RunUpdate& update) override {
    Call call{
        "POST", "/mlflow/runs/update", {{"run_uuid", update.run_id}, {"run_id", update.run_id}}};
    if (update.status) call.fields["status"] = RunStatusName(*update.status);
    if (update.end_time) call.fields["end_time"] = *update.end_time;
    if (update.run_name) call.fields["run_name"] = *update.run_name;
    return RunInfoFromJson(Member(http_.Send(call), "run_info", call));
  }

  void DeleteRun(const std::string& run_id) override {
    http_.Send({"POST", "/mlflow/runs/delete", {{"run_id", run_id}}, false});
  }

  void RestoreRun(const std::string& run_id) override {
    http_.Send({"POST", "/mlflow/runs/restore", {{"run_id", run_id}}, false});
  }

  Run GetRun(const std::string& run_id) override {
    Call call{"GET", "/mlflow/runs/get", {{"run_uuid", run_id}, {"run_id", run_id}}};
    return RunFromJson(Member(http_.Send(call), "run", call));
  }

  Page<Run> SearchRuns(const RunQuery& query) override {
    Call call{"POST", "/mlflow/runs/search"};
    SetIfAny(call.fields, "experiment_ids", query.experiment_ids);
    SetIfAny(call.fields, "filter", query.filter);
    call.fields["run_view_type"] = ViewTypeName(query.view);
    call.fields["max_results"] = query.max_results;
    SetIfAny(call.fields, "order_by", query.order_by);
    SetIfAny(call.fields, "page_token", query.page_token);
    json answer = http_.Send(call);
    return {List<Run>(answer, "runs", RunFromJson), Text(answer, "next_page_token")};
  }

  // An exact duplicate of a logged point is ignored, so the batch may be repeated.
  void LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                const std::vector<Param>& params, const std::vector<Tag>& tags) override {
    Call call{"POST", "/mlflow/runs/log-batch", {{"run_id", run_id}}};
    SetIfAny(call.fields, "metrics", metrics);
    SetIfAny(call.fields, "params", params);
    SetIfAny(call.fields, "tags", tags);
    http_.Send(call);
  }

  void DeleteTag(const std::string& run_id, const std::string& key) override {
    http_.Send({"POST", "/mlflow/runs/delete-tag", {{"run_id", run_id}, {"key", key}}, false});
  }

  void LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) override {
    Call call{"POST", "/mlflow/runs/log-inputs", {{"run_id", run_id}}};
    SetIfAny(call.fields, "datasets", inputs);
    http_.Send(call);
  }

  Page<Metric> GetMetricHistory(const std::string& run_id, const std::string& key,
                                int64_t max_results, const std::string& page_token) override {
    Call call{"GET",
              "/mlflow/metrics/get-history",
              {{"run_uuid", run_id}, {"run_id", run_id}, {"metric_key", key}}};
    if (max_results > 0) call.fields["max_results"] = max_results;
    SetIfAny(call.fields, "page_token", page_token);
    json answer = http_.Send(call);
    return {List<Metric>(answer, "metrics", MetricFromJson), Text(answer, "next_page_token")};
  }

  // Registry ----------------------------------------------------------------

  RegisteredModel CreateRegisteredModel(const std::string& name, const std::vector<Tag>& tags,
                                        const std::string& description) override {
    Call call{"POST", "/mlflow/registered-models/create", {{"name", name}}, false};
    SetIfAny(call.fields, "tags", tags);
    SetIfAny(call.fields, "description", description);
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  RegisteredModel RenameRegisteredModel(const std::string& name,
                                        const std::string& new_name) override {
    Call call{"POST",
              "/mlflow/registered-models/rename",
              {{"name", name}, {"new_name", new_name}},
              false};
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  RegisteredModel UpdateRegisteredModel(const std::string& name,
                                        const std::string& description) override {
    Call call{"PATCH",
              "/mlflow/registered-models/update",
              {{"name", name}, {"description", description}}};
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  void DeleteRegisteredModel(const std::string& name) override {
    http_.Send({"DELETE", "/mlflow/registered-models/delete", {{"name", name}}, false});
  }

  RegisteredModel GetRegisteredModel(const std::string& name) override {
    Call call{"GET", "/mlflow/registered-models/get", {{"name", name}}};
    return RegisteredModelFromJson(Member(http_.Send(call), "registered_model", call));
  }

  Page<RegisteredModel> SearchRegisteredModels(const ModelSearch& query) override {
    Call call{"GET", "/mlflow/registered-models/search", SearchFields(query)};
    json answer = http_.Send(call);
    return {List<RegisteredModel>(answer, "registered_models", RegisteredModelFromJson),
            Text(answer, "next_page_token")};
  }

  void SetRegisteredModelTag(const std::string& name, const Tag& tag) override {
    http_.Send({"POST",
                "/mlflow/registered-models/set-tag",
                {{"name", name}, {"key", tag.key}, {"value", tag.value}}});
  }

  void DeleteRegisteredModelTag(const std::string& name, const std::string& key) override {
    http_.Send(
        {"DELETE", "/mlflow/registered-models/delete-tag", {{"name", name}, {"key", key}}, false});
  }

  std::vector<ModelVersion> GetLatestVersions(const std::string& name,
                                              const std::vector<std::string>& stages) override {
    Call call{"POST", "/mlflow/registered-models/get-latest-versions", {{"name", name}}};
    SetIfAny(call.fields, "stages", stages);
    return List<ModelVersion>(http_.Send(call), "model_versions", ModelVersionFromJson);
  }

  ModelVersion CreateModelVersion(const NewModelVersion& version) override {
    Call call{"POST",
              "/mlflow/model-versions/create",
              {{"name", version.name}, {"source", version.source}},
              false};
    SetIfAny(call.fields, "run_id", version.run_id);
    SetIfAny(call.fields, "run_link", version.run_link);
    SetIfAny(call.fields, "tags", version.tags);
    SetIfAny(call.fields, "description", version.description);
    // Not in MLflow's request (its server takes the user from the login);
    // a leanops server records it.
    SetIfAny(call.fields, "user_id", version.user_id);
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  ModelVersion UpdateModelVersion(const std::string& name, int64_t version,
                                  const std::string& description) override {
    Call call{"PATCH",
              "/mlflow/model-versions/update",
              {{"name", name}, {"version", std::to_string(version)}, {"description", description}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  ModelVersion TransitionModelVersionStage(const std::string& name, int64_t version,
                                           const std::string& stage,
                                           bool archive_existing) override {
    Call call{"POST",
              "/mlflow/model-versions/transition-stage",
              {{"name", name},
               {"version", std::to_string(version)},
               {"stage", stage},
               {"archive_existing_versions", archive_existing}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  void DeleteModelVersion(const std::string& name, int64_t version) override {
    http_.Send({"DELETE",
                "/mlflow/model-versions/delete",
                {{"name", name}, {"version", std::to_string(version)}},
                false});
  }

  ModelVersion GetModelVersion(const std::string& name, int64_t version) override {
    Call call{"GET",
              "/mlflow/model-versions/get",
              {{"name", name}, {"version", std::to_string(version)}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  Page<ModelVersion> SearchModelVersions(const ModelSearch& query) override {
    Call call{"GET", "/mlflow/model-versions/search", SearchFields(query)};
    json answer = http_.Send(call);
    return {List<ModelVersion>(answer, "model_versions", ModelVersionFromJson),
            Text(answer, "next_page_token")};
  }

  std::string GetModelVersionDownloadUri(const std::string& name, int64_t version) override {
    Call call{"GET",
              "/mlflow/model-versions/get-download-uri",
              {{"name", name}, {"version", std::to_string(version)}}};
    json answer = http_.Send(call);
    Member(answer, "artifact_uri", call);
    return Text(answer, "artifact_uri");
  }

  void SetModelVersionTag(const std::string& name, int64_t version, const Tag& tag) override {
    http_.Send({"POST",
                "/mlflow/model-versions/set-tag",
                {{"name", name},
                 {"version", std::to_string(version)},
                 {"key", tag.key},
                 {"value", tag.value}}});
  }

  void DeleteModelVersionTag(const std::string& name, int64_t version,
                             const std::string& key) override {
    http_.Send({"DELETE",
                "/mlflow/model-versions/delete-tag",
                {{"name", name}, {"version", std::to_string(version)}, {"key", key}},
                false});
  }

  void SetAlias(const std::string& name, const std::string& alias, int64_t version,
                const AliasChange& change) override {
    Call call{"POST",
              "/mlflow/registered-models/alias",
              {{"name", name}, {"alias", alias}, {"version", std::to_string(version)}},
              false};
    AddAliasChange(call, change);
    http_.Send(call);
  }

  void DeleteAlias(const std::string& name, const std::string& alias,
                   const AliasChange& change) override {
    Call call{
        "DELETE", "/mlflow/registered-models/alias", {{"name", name}, {"alias", alias}}, false};
    AddAliasChange(call, change);
    http_.Send(call);
  }

  ModelVersion GetModelVersionByAlias(const std::string& name, const std::string& alias) override {
    Call call{"GET", "/mlflow/registered-models/alias", {{"name", name}, {"alias", alias}}};
    return ModelVersionFromJson(Member(http_.Send(call), "model_version", call));
  }

  std::vector<AliasEvent> GetAliasHistory(const std::string& name,
                                          const std::string& alias) override {
    Call call{"GET", "/leanops/registered-models/alias-history", {{"name", name}}};
    SetIfAny(call.fields, "alias", alias);
    return List<AliasEvent>(http_.Send(call), "events", AliasEventFromJson);
  }

 private:
  static json SearchFields(const ModelSearch& query) {
    json fields = json::object();
    SetIfAny(fields, "filter", query.filter);
    fields["max_results"] = query.max_results;
    SetIfAny(fields, "order_by", query.order_by);
    SetIfAny(fields, "page_token", query.page_token);
    return fields;
  }

  static void AddAliasChange(Call& call, const AliasChange& change) {
    SetIfAny(call.fields, "leanops_user", change.user);
    SetIfAny(call.fields, "leanops_reason", change.reason);
  }

  RestTransport http_;
};

}  // namespace

std::unique_ptr<Store> OpenRestStore(const std::string& base_url, const std::string& token) {
  return std::make_unique<RestStore>(RestTransport(base_url, ReadSettings(token), RealClock()));
}

}  // namespace leanops::track
