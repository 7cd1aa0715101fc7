#include "track/rest_transport.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/file_system.h"
#include "core/strings.h"
#include "data/curl_library.h"
#include "leanops_version.h"

namespace leanops::track {
namespace {

using nlohmann::json;

constexpr const char* kApiPrefix = "/api/2.0";
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

double NumberSetting(const char* name, double fallback, double min, double max) {
  std::string text = Env(name);
  if (text.empty()) return fallback;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !(value >= min && value <= max))
    ThrowData("{}='{}' is not a number from {} to {}", name, text, min, max);
  return value;
}

std::string QueryValue(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();  // numbers and booleans as JSON writes them
}

// Fields of a GET request, as python-requests encodes MLflow's params dict.
std::string QueryString(const json& fields) {
  std::string out;
  auto add = [&out](const std::string& key, const json& value) {
    out += out.empty() ? '?' : '&';
    out += PercentEncode(key) + '=' + PercentEncode(QueryValue(value));
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

// Where a download's successful body goes; error bodies stay in memory for
// the message.
struct DownloadSink {
  CURL* curl;
  int fd;
  std::string* error_body;
  bool write_failed = false;
};

size_t WriteDownload(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<DownloadSink*>(user);
  long status = 0;
  Curl().easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
  size_t n = size * count;
  if (status < 200 || status >= 300) {
    sink->error_body->append(data, n);
    return n;
  }
  const char* at = data;
  size_t left = n;
  while (left > 0) {
    ssize_t written = ::write(sink->fd, at, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      sink->write_failed = true;
      return 0;  // aborts the transfer
    }
    at += written;
    left -= static_cast<size_t>(written);
  }
  return n;
}

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  return std::fread(buffer, 1, size * count, static_cast<FILE*>(user));
}

std::string Excerpt(const std::string& body) {
  std::string out = body.substr(0, kMaxBodyInMessage);
  if (body.size() > kMaxBodyInMessage) out += "...";
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

struct FileCloser {
  void operator()(FILE* file) const { std::fclose(file); }
};

}  // namespace

struct RestTransport::Request {
  const char* method;
  std::string url;
  bool idempotent = true;
  const std::string* json_body = nullptr;  // non-GET API calls
  FILE* upload = nullptr;                  // PutFile
  int64_t upload_size = 0;
  int download_fd = -1;  // GetFile
};

HttpSettings ReadHttpSettings(const std::string& token) {
  HttpSettings settings;
  settings.token = token;
  settings.max_retries = static_cast<int>(
      NumberSetting("MLFLOW_HTTP_REQUEST_MAX_RETRIES", settings.max_retries, 0, 20));
  settings.first_backoff_ms =
      static_cast<int64_t>(1000 * NumberSetting("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
                                                settings.first_backoff_ms / 1000.0, 0, 120));
  settings.timeout_seconds = static_cast<long>(NumberSetting(
      "MLFLOW_HTTP_REQUEST_TIMEOUT", static_cast<double>(settings.timeout_seconds), 1, 86400));
  settings.username = Env("MLFLOW_TRACKING_USERNAME");
  settings.password = Env("MLFLOW_TRACKING_PASSWORD");
  std::string insecure = Env("MLFLOW_TRACKING_INSECURE_TLS");
  std::transform(insecure.begin(), insecure.end(), insecure.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  settings.verify_tls = !(insecure == "true" || insecure == "1");
  settings.ca_file = Env("MLFLOW_TRACKING_SERVER_CERT_PATH");
  return settings;
}

std::string AnswerText(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

RestTransport::RestTransport(std::string base_url, HttpSettings settings, Clock& clock)
    : base_url_(std::move(base_url)), settings_(std::move(settings)), clock_(clock) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  if (!settings_.token.empty()) auth_header_ = "Authorization: Bearer " + settings_.token;
}

json RestTransport::Send(const RestCall& call) {
  const bool get = std::strcmp(call.method, "GET") == 0;
  const std::string body = get ? "" : call.fields.dump();
  Request request{call.method,
                  base_url_ + kApiPrefix + call.path + (get ? QueryString(call.fields) : "")};
  request.idempotent = call.idempotent;
  if (!get) request.json_body = &body;
  Answer answer = Exchange(request);
  if (answer.body.empty()) return json::object();
  json parsed = json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    ThrowIO("tracking server answered {} {} with a body that is not a JSON object: '{}'",
            call.method, request.url, Excerpt(answer.body));
  return parsed;
}

void RestTransport::PutFile(const std::string& path, const std::string& local_file) {
  std::unique_ptr<FILE, FileCloser> file(std::fopen(local_file.c_str(), "rb"));
  if (!file) ThrowErrno("cannot open", local_file, errno);
  struct stat info {};
  if (::fstat(::fileno(file.get()), &info) != 0) ThrowErrno("cannot stat", local_file, errno);
  Request request{"PUT", base_url_ + kApiPrefix + path};
  request.upload = file.get();
  request.upload_size = info.st_size;
  Exchange(request);
}

void RestTransport::GetFile(const std::string& path, const std::string& local_file) {
  FileSystem& fs = RealFs();
  const std::string temp = TempNameFor(local_file);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) ThrowErrno("cannot create", temp, errno);
  try {
    Request request{"GET", base_url_ + kApiPrefix + path};
    request.download_fd = fd;
    Exchange(request);
    if (::fsync(fd) != 0) ThrowErrno("cannot sync", temp, errno);
    ::close(fd);
    fd = -1;
    fs.Rename(temp, local_file);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    fs.RemoveFile(temp);
    throw;
  }
}

void RestTransport::Backoff(int attempt) {
  int64_t wait = settings_.first_backoff_ms << std::min(attempt - 1, 16);
  if (wait > 0) clock_.SleepMs(wait);
}

RestTransport::Answer RestTransport::Exchange(const Request& request) {
  for (int attempt = 1;; ++attempt) {
    // A retried body starts again from its first byte.
    if (request.upload) std::rewind(request.upload);
    if (request.download_fd >= 0 && (::ftruncate(request.download_fd, 0) != 0 ||
                                     ::lseek(request.download_fd, 0, SEEK_SET) != 0)) {
      ThrowErrno("cannot rewind the download of", request.url, errno);
    }
    Answer answer;
    std::string transport_error;
    auto code = static_cast<CURLcode>(Attempt(request, &answer, &transport_error));
    bool retry_allowed = attempt <= settings_.max_retries;
    if (code != CURLE_OK) {
      bool transient = FailedBeforeSending(code) || (request.idempotent && FailedInFlight(code));
      if (transient && retry_allowed) {
        Backoff(attempt);
        continue;
      }
      ThrowIO("cannot reach tracking server: {} {}{}: {}", request.method, request.url,
              attempt > 1 ? fmt::format(" (after {} attempts)", attempt) : "", transport_error);
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    // 429 and 503 say the request was not carried out; a gateway's 502 or
    // 504 may come after the server acted on it.
    bool transient = answer.status == 429 || answer.status == 503 ||
                     (request.idempotent && (answer.status == 502 || answer.status == 504));
    if (transient && retry_allowed) {
      Backoff(attempt);
      continue;
    }
    json parsed = json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error_code")) {
      std::string message = AnswerText(parsed, "message");
      if (message.empty())
        message =
            fmt::format("{} {} failed with HTTP {}", request.method, request.url, answer.status);
      throw Error(ErrorKind::kData, KnownCode(AnswerText(parsed, "error_code")),
                  std::move(message));
    }
    // Not MLflow's error form: a proxy, or a server without the endpoint.
    throw Error(
        ErrorKind::kIO, CodeForStatus(answer.status),
        fmt::format("tracking server answered {} {} with HTTP {}{}", request.method, request.url,
                    answer.status, answer.body.empty() ? "" : ": " + Excerpt(answer.body)));
  }
}

int RestTransport::Attempt(const Request& request, Answer* answer, std::string* error) const {
  const CurlLibrary& lib = Curl();
  CURL* curl = ThreadCurl();
  // Reset keeps the handle's live connection and drops the last request's
  // options; resetting again on the way out leaves no pointer to this frame.
  lib.easy_reset(curl);
  struct Reset {
    CURL* curl;
    ~Reset() { Curl().easy_reset(curl); }
  } reset{curl};

  const bool get = std::strcmp(request.method, "GET") == 0;
  curl_slist* list = nullptr;
  if (request.download_fd < 0) list = lib.slist_append(list, "Accept: application/json");
  // No "Expect: 100-continue" round trip before larger bodies.
  list = lib.slist_append(list, "Expect:");
  if (request.json_body) list = lib.slist_append(list, "Content-Type: application/json");
  if (request.upload) list = lib.slist_append(list, "Content-Type: application/octet-stream");
  if (!auth_header_.empty() && settings_.username.empty())
    list = lib.slist_append(list, auth_header_.c_str());
  std::unique_ptr<curl_slist, SlistFreer> headers(list);
  char error_buffer[CURL_ERROR_SIZE] = "";
  DownloadSink sink{curl, request.download_fd, &answer->body};

  lib.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  lib.easy_setopt(curl, CURLOPT_USERAGENT, "leanops/" LEANOPS_VERSION);
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                  std::min(kConnectTimeoutMs, settings_.timeout_seconds * 1000));
  // MLflow's timeout is a read timeout: fail when nothing arrives for that long.
  lib.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  lib.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, settings_.timeout_seconds);
  if (request.download_fd >= 0) {
    lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteDownload);
    lib.easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  } else {
    lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    lib.easy_setopt(curl, CURLOPT_WRITEDATA, &answer->body);
  }
  if (!settings_.username.empty()) {
    lib.easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    lib.easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    lib.easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  if (!settings_.verify_tls) {
    lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!settings_.ca_file.empty()) lib.easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (request.upload) {
    lib.easy_setopt(curl, CURLOPT_UPLOAD, 1L);  // PUT
    lib.easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
    lib.easy_setopt(curl, CURLOPT_READDATA, request.upload);
    lib.easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.upload_size));
  } else if (get) {
    lib.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    const std::string& body = *request.json_body;
    lib.easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (std::strcmp(request.method, "POST") != 0)
      lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method);
  }

  CURLcode code = lib.easy_perform(curl);
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer->status);
  if (sink.write_failed) ThrowErrno("cannot write the download of", request.url, errno);
  if (code != CURLE_OK)
    *error = std::string(lib.easy_strerror(code)) +
             (*error_buffer ? std::string(" (") + error_buffer + ")" : "");
  return code;
}

}  // namespace leanops::track
