// S3 over libcurl with its built-in SigV4.
//
// libcurl 7.88 (Debian 12) signs a request exactly as written and does not add
// x-amz-content-sha256, so this file writes canonical query strings itself
// (sorted, percent-encoded, "name=" for valueless parameters) and sends
// UNSIGNED-PAYLOAD; S3 rejects the request otherwise. Path-style URLs only:
// they work with every endpoint (AWS, MinIO, s3rver) and any bucket name.
#include "data/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>

#include "core/error.h"
#include "core/file_system.h"
#include "core/md5.h"
#include "core/strings.h"
#include "data/config.h"
#include "data/curl_library.h"

namespace leanops {
namespace {

constexpr int kMaxAttempts = 5;
constexpr int64_t kFirstBackoffMs = 200;
constexpr int64_t kMultipartAbove = 64LL << 20;  // single PUT up to here (S3 allows 5 GiB)
constexpr int64_t kMinPartSize = 16LL << 20;     // a failed part costs at most this to resend
constexpr int64_t kMaxParts = 10000;             // S3's limit per upload
constexpr size_t kMaxDeleteKeys = 1000;          // S3's limit per DeleteObjects

using Query = std::map<std::string, std::string>;  // std::map: sorted, as SigV4 wants

using Options = std::map<std::string, std::string>;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The option, else the first set environment variable.
std::string Setting(const Options& options, const std::string& key,
                    std::initializer_list<const char*> env_names) {
  auto it = options.find(key);
  if (it != options.end() && !it->second.empty()) return it->second;
  for (const char* name : env_names)
    if (std::string value = Env(name); !value.empty()) return value;
  return "";
}

// A value from the AWS CLI's shared files (~/.aws/credentials or
// ~/.aws/config, or the path in the option / the environment).
std::string SharedFileValue(const Options& options, const std::string& path_option,
                            const char* path_env, const char* default_name,
                            const std::string& section, const char* key) {
  std::string path = Setting(options, path_option, {path_env});
  if (path.empty()) {
    std::string home = Env("HOME");
    if (home.empty()) return "";
    path = home + "/.aws/" + default_name;
  }
  FileSystem& fs = RealFs();
  if (!fs.Stat(path).is_file()) return "";
  return IniFile::Parse(fs.ReadFile(path), path).Get(section, key).value_or("");
}

std::string CanonicalQuery(const Query& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name, false) + '=' + PercentEncode(value, false);
  }
  return out;
}

constexpr std::pair<char, std::string_view> kXmlEntities[] = {
    {'&', "amp"}, {'<', "lt"}, {'>', "gt"}, {'"', "quot"}, {'\'', "apos"}};

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto it = std::find_if(std::begin(kXmlEntities), std::end(kXmlEntities),
                           [c](const auto& entity) { return entity.first == c; });
    if (it == std::end(kXmlEntities))
      out += c;
    else
      out += "&" + std::string(it->second) + ";";
  }
  return out;
}

// Named entities and ASCII character references (S3 writes control characters
// in keys as "&#13;"); anything else is kept as written.
std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    std::string_view name = semi == std::string_view::npos ? "" : s.substr(i + 1, semi - i - 1);
    int decoded = -1;
    for (const auto& [c, entity] : kXmlEntities)
      if (name == entity) decoded = c;
    if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x';
      std::string digits(name.substr(hex ? 2 : 1));
      char* end = nullptr;
      long code = std::strtol(digits.c_str(), &end, hex ? 16 : 10);
      if (!digits.empty() && *end == '\0' && code > 0 && code < 0x80)
        decoded = static_cast<int>(code);
    }
    if (decoded < 0) {
      out += s[i];
    } else {
      out += static_cast<char>(decoded);
      i = semi;
    }
  }
  return out;
}

// The raw contents of every <tag>...</tag>. S3's answers are simple enough
// (no CDATA, no attributes on the elements read here) for a scan.
std::vector<std::string_view> XmlElements(std::string_view xml, const std::string& tag) {
  std::vector<std::string_view> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t pos = xml.find(open); pos != std::string_view::npos; pos = xml.find(open, pos)) {
    size_t start = pos + open.size(), end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

// The unescaped text of the first <tag>...</tag>, or "".
std::string XmlText(std::string_view xml, const std::string& tag) {
  std::vector<std::string_view> elements = XmlElements(xml, tag);
  return elements.empty() ? "" : XmlUnescape(elements.front());
}

std::string Base64(const unsigned char* bytes, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(n);
  return out;
}

std::string Base64Md5(const std::string& data) {
  Md5 md5;
  md5.Update(data.data(), data.size());
  std::array<unsigned char, 16> digest = md5.Digest();
  return Base64(digest.data(), digest.size());
}

std::string ContentMd5Header(std::string_view md5_hex) {
  if (!IsMd5Hex(md5_hex)) ThrowInternal("'{}' is not an md5 digest", md5_hex);
  unsigned char digest[16];
  for (size_t i = 0; i < 16; ++i)
    digest[i] =
        static_cast<unsigned char>(std::stoi(std::string(md5_hex.substr(2 * i, 2)), nullptr, 16));
  return "Content-MD5: " + Base64(digest, 16);
}

// One easy handle per thread: a handle must not be shared between threads,
// and reusing it keeps connections alive from one request to the next.
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

struct Request {
  const char* method = "GET";  // GET, HEAD, PUT, POST or DELETE
  std::string key;             // object key; empty addresses the bucket
  Query query;
  std::vector<std::string> headers;
  std::string body;         // POST body
  std::string upload_path;  // PUT body: bytes [upload_offset, +upload_size) of this file
  int64_t upload_offset = 0;
  int64_t upload_size = 0;
  std::string download_path;  // a 2xx GET body goes to this file
};

struct Response {
  long status = 0;
  std::string body;  // error bodies and non-file bodies
  std::string etag;
  int64_t content_length = -1;
};

// State of one attempt, shared with curl's callbacks.
struct Transfer {
  CURL* curl;
  Response* response;
  FILE* in = nullptr;
  int64_t in_left = 0;
  FILE* out = nullptr;
  int read_errno = 0;
  int write_errno = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = static_cast<size_t>(std::min<int64_t>(size * count, t->in_left));
  size_t got = want ? std::fread(buffer, 1, want, t->in) : 0;
  if (got < want) {  // a read error, or the file shrank while we sent it
    t->read_errno = std::ferror(t->in) ? errno : EIO;
    return CURL_READFUNC_ABORT;
  }
  t->in_left -= static_cast<int64_t>(got);
  return got;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  long status = 0;
  Curl().easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  // Only a successful body belongs in the file; an error body explains the failure.
  if (t->out && status >= 200 && status < 300) {
    if (std::fwrite(data, 1, length, t->out) != length) {
      t->write_errno = errno ? errno : EIO;
      return 0;
    }
  } else {
    t->response->body.append(data, length);
  }
  return length;
}

// The value of a "name: value" header line, trimmed; nullopt for other headers.
std::optional<std::string_view> HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':' ||
      strncasecmp(line.data(), name.data(), name.size()) != 0)
    return std::nullopt;
  line.remove_prefix(name.size() + 1);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
    line.remove_prefix(1);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.remove_suffix(1);
  return line;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  Response* response = static_cast<Transfer*>(user)->response;
  if (auto etag = HeaderValue(line, "etag")) response->etag = std::string(*etag);
  if (auto length = HeaderValue(line, "content-length")) {
    std::string digits(*length);
    char* end = nullptr;
    long long value = std::strtoll(digits.c_str(), &end, 10);
    if (!digits.empty() && *end == '\0' && value >= 0) response->content_length = value;
  }
  return size * count;
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
struct SlistFreer {
  void operator()(curl_slist* l) const { Curl().slist_free_all(l); }
};

bool Retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// "HTTP 403 SignatureDoesNotMatch: The request signature ..." on one line.
std::string HttpError(const Response& response) {
  std::string out = "HTTP " + std::to_string(response.status);
  std::string code = XmlText(response.body, "Code"), message = XmlText(response.body, "Message");
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + message;
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

// One try of `request`; the HTTP status (and error body) lands in `response`.
CURLcode Attempt(const S3Settings& settings, const std::string& url, const Request& request,
                 Response* response, std::string* error) {
  CURL* curl = ThreadCurl();
  // Reset keeps the handle's live connections and drops the last request's
  // options; resetting again on the way out leaves no pointer to this frame.
  Curl().easy_reset(curl);
  struct Reset {
    CURL* curl;
    ~Reset() { Curl().easy_reset(curl); }
  } reset{curl};
  Transfer t{curl, response};
  std::unique_ptr<FILE, FileCloser> in, out;
  if (!request.upload_path.empty()) {
    in.reset(std::fopen(request.upload_path.c_str(), "rb"));
    if (!in || fseeko(in.get(), request.upload_offset, SEEK_SET) != 0)
      ThrowErrno("cannot read", request.upload_path, errno);
    t.in = in.get();
    t.in_left = request.upload_size;
  }
  if (!request.download_path.empty()) {
    out.reset(std::fopen(request.download_path.c_str(), "wb"));  // truncates a failed try
    if (!out) ThrowErrno("cannot write", request.download_path, errno);
    t.out = out.get();
  }
  curl_slist* list = nullptr;
  std::vector<std::string> headers = request.headers;
  headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!settings.session_token.empty())
    headers.push_back("x-amz-security-token: " + settings.session_token);
  for (const std::string& header : headers) list = Curl().slist_append(list, header.c_str());
  std::unique_ptr<curl_slist, SlistFreer> header_list(list);
  std::string sigv4 = "aws:amz:" + settings.region + ":s3";
  char error_buffer[CURL_ERROR_SIZE] = "";

  Curl().easy_setopt(curl, CURLOPT_URL, url.c_str());
  Curl().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  Curl().easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  Curl().easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  Curl().easy_setopt(curl, CURLOPT_USERNAME, settings.access_key.c_str());
  Curl().easy_setopt(curl, CURLOPT_PASSWORD, settings.secret_key.c_str());
  Curl().easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  Curl().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // A stalled connection (under 1 byte/s for a minute) fails and is retried.
  Curl().easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  Curl().easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  Curl().easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  Curl().easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  Curl().easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  Curl().easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  if (!settings.verify_peer) Curl().easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
  if (!settings.ca_file.empty()) Curl().easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file.c_str());
  std::string_view method = request.method;
  if (method == "HEAD") {
    Curl().easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method == "PUT") {
    Curl().easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    Curl().easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    Curl().easy_setopt(curl, CURLOPT_READDATA, &t);
    Curl().easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.in_left));
  } else if (method == "POST") {
    Curl().easy_setopt(curl, CURLOPT_POST, 1L);
    Curl().easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    Curl().easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
  } else if (method == "DELETE") {
    Curl().easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  }

  CURLcode code = Curl().easy_perform(curl);
  Curl().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
  if (t.read_errno) ThrowErrno("cannot read", request.upload_path, t.read_errno);
  if (t.write_errno) ThrowErrno("cannot write", request.download_path, t.write_errno);
  if (out && std::fclose(out.release()) != 0 && code == CURLE_OK)
    ThrowErrno("cannot write", request.download_path, errno);
  if (code != CURLE_OK)
    *error = std::string(Curl().easy_strerror(code)) +
             (*error_buffer ? std::string(" (") + error_buffer + ")" : "");
  return code;
}

bool IsSuccess(const Response& response) { return response.status >= 200 && response.status < 300; }

// A 404 for the object itself; NoSuchBucket is a configuration error, not absence.
bool IsMissingKey(const Response& response) {
  return response.status == 404 && XmlText(response.body, "Code") != "NoSuchBucket";
}

void Check(const Response& response, const std::string& what) {
  if (!IsSuccess(response)) ThrowIO("cannot {}: {}", what, HttpError(response));
}

// Sends `request`, retrying connection failures, 5xx and 429 with exponential
// backoff. Returns any other answer for the caller to judge.
Response Perform(const S3Settings& settings, Clock& clock, const std::string& bucket,
                 const Request& request, const std::string& what) {
  std::string url = settings.endpoint + "/" + PercentEncode(bucket, false);
  if (!request.key.empty()) url += "/" + PercentEncode(request.key, true);
  if (!request.query.empty()) url += "?" + CanonicalQuery(request.query);
  for (int attempt = 1;; ++attempt) {
    Response response;
    std::string error;
    CURLcode code = Attempt(settings, url, request, &response, &error);
    bool transient = true;
    if (code != CURLE_OK) {
      transient = Retryable(code);
    } else if (response.status >= 500 || response.status == 429) {
      error = HttpError(response);
    } else if (response.status == 200 && request.method == std::string_view("POST") &&
               response.body.find("<Error>") != std::string::npos &&
               request.query.count("uploadId")) {
      // CompleteMultipartUpload can fail after its 200 header; S3 says retry.
      response.status = 500;
      error = HttpError(response);
    } else {
      return response;
    }
    if (!transient || attempt == kMaxAttempts)
      ThrowIO("cannot {}{}: {}", what, transient ? fmt::format(" after {} attempts", attempt) : "",
              error);
    clock.SleepMs(kFirstBackoffMs << (attempt - 1));
  }
}

}  // namespace

std::optional<S3Url> ParseS3Url(std::string_view url) {
  if (url.substr(0, 5) != "s3://") return std::nullopt;
  url.remove_prefix(5);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  size_t slash = url.find('/');
  S3Url parsed;
  parsed.bucket = std::string(url.substr(0, slash));
  if (slash != std::string_view::npos) parsed.prefix = std::string(url.substr(slash + 1));
  if (parsed.bucket.empty()) return std::nullopt;
  return parsed;
}

S3Settings ResolveS3Settings(const Options& options) {
  S3Settings settings;
  settings.profile = Setting(options, "profile", {"AWS_PROFILE"});
  if (settings.profile.empty()) settings.profile = "default";
  const std::string& profile = settings.profile;
  settings.region = Setting(options, "region", {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (settings.region.empty())
    settings.region =
        SharedFileValue(options, "configpath", "AWS_CONFIG_FILE", "config",
                        profile == "default" ? profile : "profile " + profile, "region");
  if (settings.region.empty()) settings.region = "us-east-1";
  // The service-specific variable wins, as in the AWS SDKs and CLI.
  std::string& endpoint = settings.endpoint;
  endpoint = Setting(options, "endpointurl", {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (endpoint.empty()) endpoint = "https://s3." + settings.region + ".amazonaws.com";
  if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
  while (endpoint.back() == '/') endpoint.pop_back();
  settings.access_key = Setting(options, "access_key_id", {"AWS_ACCESS_KEY_ID"});
  settings.secret_key = Setting(options, "secret_access_key", {"AWS_SECRET_ACCESS_KEY"});
  settings.session_token = Setting(options, "session_token", {"AWS_SESSION_TOKEN"});
  if (settings.access_key.empty() && settings.secret_key.empty()) {
    // Last, the shared credentials file, as the AWS CLI and DVC read it.
    auto from_file = [&](const char* key) {
      return SharedFileValue(options, "credentialpath", "AWS_SHARED_CREDENTIALS_FILE",
                             "credentials", profile, key);
    };
    settings.access_key = from_file("aws_access_key_id");
    settings.secret_key = from_file("aws_secret_access_key");
    if (settings.session_token.empty()) settings.session_token = from_file("aws_session_token");
  }
  if (auto ssl = options.find("ssl_verify"); ssl != options.end()) {
    if (ssl->second == "false")
      settings.verify_peer = false;
    else if (ssl->second != "true")
      settings.ca_file = ssl->second;
  }
  return settings;
}

S3Client::S3Client(std::string bucket, S3Settings settings, Clock& clock)
    : bucket_(std::move(bucket)), settings_(std::move(settings)), clock_(clock) {}

std::string S3Client::Describe(const std::string& key) const {
  return "s3://" + bucket_ + "/" + key;
}

void S3Client::Put(const std::string& local_path, const std::string& key,
                   std::string_view md5_hex) {
  std::error_code ec;
  auto size = static_cast<int64_t>(std::filesystem::file_size(local_path, ec));
  if (ec) ThrowIO("cannot upload '{}' to {}: {}", local_path, Describe(key), ec.message());
  if (size > kMultipartAbove) return PutMultipart(local_path, key, size);
  Request request;
  request.method = "PUT";
  request.key = key;
  request.upload_path = local_path;
  request.upload_size = size;
  if (!md5_hex.empty()) request.headers = {ContentMd5Header(md5_hex)};
  std::string what = "upload " + Describe(key);
  Check(Perform(settings_, clock_, bucket_, request, what), what);
}

void S3Client::PutMultipart(const std::string& local_path, const std::string& key, int64_t size) {
  std::string what = "upload " + Describe(key);
  Request init;
  init.method = "POST";
  init.key = key;
  init.query = {{"uploads", ""}};
  Response response = Perform(settings_, clock_, bucket_, init, what);
  Check(response, what);
  std::string upload_id = XmlText(response.body, "UploadId");
  if (upload_id.empty()) ThrowIO("cannot {}: no UploadId in answer", what);
  try {
    int64_t part_size = std::max(kMinPartSize, (size + kMaxParts - 1) / kMaxParts);
    std::string complete = "<CompleteMultipartUpload>";
    for (int64_t offset = 0, number = 1; offset < size; offset += part_size, ++number) {
      Request part;
      part.method = "PUT";
      part.key = key;
      part.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
      part.upload_path = local_path;
      part.upload_offset = offset;
      part.upload_size = std::min(part_size, size - offset);
      Response answer = Perform(settings_, clock_, bucket_, part, what);
      Check(answer, what);
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                  XmlEscape(answer.etag) + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    Request finish;
    finish.method = "POST";
    finish.key = key;
    finish.query = {{"uploadId", upload_id}};
    finish.headers = {"Content-Type: application/xml"};
    finish.body = complete;
    Check(Perform(settings_, clock_, bucket_, finish, what), what);
  } catch (...) {
    // Best effort: an abandoned upload only costs storage until lifecycle rules reap it.
    try {
      Request abort;
      abort.method = "DELETE";
      abort.key = key;
      abort.query = {{"uploadId", upload_id}};
      Perform(settings_, clock_, bucket_, abort, "abort upload of " + Describe(key));
    } catch (const Error&) {
    }
    throw;
  }
}

bool S3Client::GetToFile(const std::string& key, const std::string& dest_path) {
  Request request;
  request.key = key;
  request.download_path = dest_path;
  std::string what = "download " + Describe(key);
  try {
    Response response = Perform(settings_, clock_, bucket_, request, what);
    if (IsMissingKey(response)) {
      RealFs().RemoveFile(dest_path);
      return false;
    }
    Check(response, what);
    return true;
  } catch (...) {
    std::error_code ignored;  // do not leave a partial or empty file behind
    std::filesystem::remove(dest_path, ignored);
    throw;
  }
}

std::optional<int64_t> S3Client::Head(const std::string& key) {
  Request request;
  request.method = "HEAD";
  request.key = key;
  std::string what = "check " + Describe(key);
  Response response = Perform(settings_, clock_, bucket_, request, what);
  // A HEAD answer has no body to tell a missing bucket apart.
  if (response.status == 404) return std::nullopt;
  Check(response, what);
  return std::max<int64_t>(response.content_length, 0);
}

S3Listing S3Client::List(const std::string& prefix, const std::string& delimiter) {
  S3Listing listing;
  Request request;
  request.query = {{"list-type", "2"}, {"prefix", prefix}};
  if (!delimiter.empty()) request.query["delimiter"] = delimiter;
  std::string what = "list " + Describe(prefix);
  for (;;) {
    Response response = Perform(settings_, clock_, bucket_, request, what);
    Check(response, what);
    for (std::string_view contents : XmlElements(response.body, "Contents")) {
      S3Object object;
      object.key = XmlText(contents, "Key");
      object.size = std::strtoll(XmlText(contents, "Size").c_str(), nullptr, 10);
      listing.objects.push_back(std::move(object));
    }
    for (std::string_view common : XmlElements(response.body, "CommonPrefixes"))
      listing.common_prefixes.push_back(XmlText(common, "Prefix"));
    if (XmlText(response.body, "IsTruncated") != "true") break;
    std::string token = XmlText(response.body, "NextContinuationToken");
    if (token.empty()) ThrowIO("cannot {}: truncated listing without a token", what);
    request.query["continuation-token"] = token;
  }
  return listing;
}

void S3Client::Delete(const std::string& key) {
  Request request;
  request.method = "DELETE";
  request.key = key;
  std::string what = "delete " + Describe(key);
  Response response = Perform(settings_, clock_, bucket_, request, what);
  if (!IsMissingKey(response)) Check(response, what);
}

void S3Client::DeleteKeys(const std::vector<std::string>& keys) {
  for (size_t begin = 0; begin < keys.size(); begin += kMaxDeleteKeys) {
    size_t end = std::min(keys.size(), begin + kMaxDeleteKeys);
    Request request;
    request.method = "POST";
    request.query = {{"delete", ""}};
    request.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>";
    for (size_t i = begin; i < end; ++i)
      request.body += "<Object><Key>" + XmlEscape(keys[i]) + "</Key></Object>";
    request.body += "</Delete>";
    request.headers = {"Content-Type: application/xml", "Content-MD5: " + Base64Md5(request.body)};
    std::string what = fmt::format("delete {} objects in s3://{}", end - begin, bucket_);
    Response response = Perform(settings_, clock_, bucket_, request, what);
    Check(response, what);
    // Quiet mode lists only the keys that failed.
    if (size_t pos = response.body.find("<Error>"); pos != std::string::npos) {
      std::string_view error = std::string_view(response.body).substr(pos);
      ThrowIO("cannot delete {}: {}: {}", Describe(XmlText(error, "Key")), XmlText(error, "Code"),
              XmlText(error, "Message"));
    }
  }
}

}  // namespace leanops
