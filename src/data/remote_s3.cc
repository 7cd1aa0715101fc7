// S3 remote (DVC's s3://bucket/prefix) over libcurl with its built-in SigV4.
//
// libcurl 7.88 (Debian 12) signs a request exactly as written and does not add
// x-amz-content-sha256, so this file writes canonical query strings itself
// (sorted, percent-encoded, "name=" for valueless parameters) and sends
// UNSIGNED-PAYLOAD; S3 rejects the request otherwise. Path-style URLs only:
// they work with every endpoint (AWS, MinIO, s3rver) and any bucket name.
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
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/file_system.h"
#include "core/md5.h"
#include "core/parallel.h"
#include "data/config.h"
#include "data/curl_library.h"
#include "data/remote.h"

namespace leanops {
namespace {

constexpr int kMaxAttempts = 5;
constexpr int64_t kFirstBackoffMs = 200;
constexpr size_t kMaxHeadOids = 64;              // Contains: above this, one listing is cheaper
constexpr int64_t kMultipartAbove = 64LL << 20;  // single PUT up to here (S3 allows 5 GiB)
constexpr int64_t kMinPartSize = 16LL << 20;     // a failed part costs at most this to resend
constexpr int64_t kMaxParts = 10000;             // S3's limit per upload
constexpr size_t kMaxDeleteKeys = 1000;          // S3's limit per DeleteObjects

using Query = std::map<std::string, std::string>;  // std::map: sorted, as SigV4 wants

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The section's option, else the first set environment variable.
std::string Setting(const RemoteConfig& config, const std::string& key,
                    std::initializer_list<const char*> env_names) {
  auto it = config.options.find(key);
  if (it != config.options.end() && !it->second.empty()) return it->second;
  for (const char* name : env_names)
    if (std::string value = Env(name); !value.empty()) return value;
  return "";
}

// A value from the AWS CLI's shared files (~/.aws/credentials or
// ~/.aws/config, or the path in the remote's option / the environment).
std::string SharedFileValue(const RemoteConfig& config, const std::string& path_option,
                            const char* path_env, const char* default_name,
                            const std::string& section, const char* key) {
  std::string path = Setting(config, path_option, {path_env});
  if (path.empty()) {
    std::string home = Env("HOME");
    if (home.empty()) return "";
    path = home + "/.aws/" + default_name;
  }
  FileSystem& fs = RealFs();
  if (!fs.Stat(path).is_file()) return "";
  return IniFile::Parse(fs.ReadFile(path), path).Get(section, key).value_or("");
}

// SigV4 URI encoding: unreserved characters stay, everything else is %XX.
std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CanonicalQuery(const Query& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += UriEncode(name, false) + '=' + UriEncode(value, false);
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

// The unescaped text of every <tag>...</tag>. S3's answers are simple enough
// (no CDATA, no attributes on the elements read here) for a scan.
std::vector<std::string> XmlTexts(std::string_view xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t pos = xml.find(open); pos != std::string_view::npos; pos = xml.find(open, pos)) {
    size_t start = pos + open.size(), end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(XmlUnescape(xml.substr(start, end - start)));
    pos = end + close.size();
  }
  return out;
}

std::string XmlText(std::string_view xml, const std::string& tag) {
  std::vector<std::string> texts = XmlTexts(xml, tag);
  return texts.empty() ? "" : texts.front();
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

// The Content-MD5 header for an object whose oid is its content's md5, so the
// server rejects (400 BadDigest) bytes that do not match it.
std::string ContentMd5OfOid(std::string_view oid) {
  if (oid.size() > 4 && oid.substr(oid.size() - 4) == ".dir") oid.remove_suffix(4);
  if (!IsMd5Hex(oid)) return "";
  unsigned char digest[16];
  for (size_t i = 0; i < 16; ++i)
    digest[i] =
        static_cast<unsigned char>(std::stoi(std::string(oid.substr(2 * i, 2)), nullptr, 16));
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

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  if (line.size() > 5 && strncasecmp(line.data(), "etag:", 5) == 0) {
    line.remove_prefix(5);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    static_cast<Transfer*>(user)->response->etag = std::string(line);
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

class S3Remote : public Remote {
 public:
  S3Remote(const RemoteConfig& config, Clock& clock) : clock_(clock) {
    std::string_view url = config.url;
    if (url.substr(0, 5) != "s3://")
      ThrowData("remote '{}': url '{}' is not s3://", config.name, url);
    url.remove_prefix(5);
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    size_t slash = url.find('/');
    bucket_ = std::string(url.substr(0, slash));
    if (slash != std::string_view::npos) prefix_ = std::string(url.substr(slash + 1));
    if (bucket_.empty())
      ThrowData("remote '{}': url '{}' names no bucket", config.name, config.url);
    describe_ = "s3://" + bucket_ + (prefix_.empty() ? "" : "/" + prefix_);
    key_base_ = (prefix_.empty() ? "" : prefix_ + "/") + "files/md5/";

    std::string profile = Setting(config, "profile", {"AWS_PROFILE"});
    if (profile.empty()) profile = "default";
    region_ = Setting(config, "region", {"AWS_REGION", "AWS_DEFAULT_REGION"});
    if (region_.empty())
      region_ = SharedFileValue(config, "configpath", "AWS_CONFIG_FILE", "config",
                                profile == "default" ? profile : "profile " + profile, "region");
    if (region_.empty()) region_ = "us-east-1";
    // The service-specific variable wins, as in the AWS SDKs and CLI.
    endpoint_ = Setting(config, "endpointurl", {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
    if (endpoint_.empty()) endpoint_ = "https://s3." + region_ + ".amazonaws.com";
    if (endpoint_.find("://") == std::string::npos) endpoint_ = "https://" + endpoint_;
    while (endpoint_.back() == '/') endpoint_.pop_back();
    access_key_ = Setting(config, "access_key_id", {"AWS_ACCESS_KEY_ID"});
    secret_key_ = Setting(config, "secret_access_key", {"AWS_SECRET_ACCESS_KEY"});
    session_token_ = Setting(config, "session_token", {"AWS_SESSION_TOKEN"});
    if (access_key_.empty() && secret_key_.empty()) {
      // Last, the shared credentials file, as the AWS CLI and DVC read it.
      auto from_file = [&](const char* key) {
        return SharedFileValue(config, "credentialpath", "AWS_SHARED_CREDENTIALS_FILE",
                               "credentials", profile, key);
      };
      access_key_ = from_file("aws_access_key_id");
      secret_key_ = from_file("aws_secret_access_key");
      if (session_token_.empty()) session_token_ = from_file("aws_session_token");
    }
    if (access_key_.empty() || secret_key_.empty())
      ThrowData(
          "remote '{}' ({}): no S3 credentials; set the remote's access_key_id and "
          "secret_access_key options, the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
          "environment variables, or profile '{}' in ~/.aws/credentials",
          config.name, describe_, profile);
    auto ssl = config.options.find("ssl_verify");
    if (ssl != config.options.end()) {
      if (ssl->second == "false")
        verify_peer_ = false;
      else if (ssl->second != "true")
        ca_file_ = ssl->second;
    }

    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    jobs_ = static_cast<int>(std::min(16u, 4 * cores));
    if (auto it = config.options.find("jobs"); it != config.options.end()) {
      char* end = nullptr;
      long jobs = std::strtol(it->second.c_str(), &end, 10);
      if (it->second.empty() || *end != '\0' || jobs < 1 || jobs > 1024)
        ThrowData("remote '{}': jobs '{}' is not a number from 1 to 1024", config.name, it->second);
      jobs_ = static_cast<int>(jobs);
    }
  }

  std::string Describe() const override { return describe_; }
  int Jobs() const override { return jobs_; }

  std::vector<bool> Contains(const std::vector<std::string>& oids) override {
    std::vector<bool> result(oids.size());
    if (oids.size() > kMaxHeadOids) {
      std::vector<std::string> listed = List();
      std::unordered_set<std::string> present(listed.begin(), listed.end());
      for (size_t i = 0; i < oids.size(); ++i) result[i] = present.count(oids[i]) > 0;
      return result;
    }
    std::vector<char> found(oids.size());  // vector<bool> is not safe to fill from threads
    ParallelFor(oids.size(), jobs_, [&](size_t i) {
      Request request;
      request.method = "HEAD";
      request.key = Key(oids[i]);
      std::string what = "check object " + oids[i];
      Response response = Perform(request, what);
      found[i] = response.status != 404;
      if (found[i]) Check(response, what);
    });
    for (size_t i = 0; i < oids.size(); ++i) result[i] = found[i];
    return result;
  }

  void Upload(const std::string& local_path, const std::string& oid) override {
    std::error_code ec;
    auto size = static_cast<int64_t>(std::filesystem::file_size(local_path, ec));
    if (ec) ThrowIO("cannot upload '{}' to remote {}: {}", local_path, describe_, ec.message());
    if (size > kMultipartAbove) return UploadMultipart(local_path, oid, size);
    Request request;
    request.method = "PUT";
    request.key = Key(oid);
    request.upload_path = local_path;
    request.upload_size = size;
    if (std::string header = ContentMd5OfOid(oid); !header.empty()) request.headers = {header};
    std::string what = "upload object " + oid;
    Check(Perform(request, what), what);
  }

  void Download(const std::string& oid, const std::string& dest_path) override {
    Request request;
    request.key = Key(oid);
    request.download_path = dest_path;
    std::string what = "download object " + oid;
    try {
      Response response = Perform(request, what);
      if (response.status == 404 && XmlText(response.body, "Code") != "NoSuchBucket")
        ThrowData("object {} is missing on remote {}", oid, describe_);
      Check(response, what);
    } catch (...) {
      std::error_code ignored;  // do not leave a partial or empty file behind
      std::filesystem::remove(dest_path, ignored);
      throw;
    }
  }

  std::vector<std::string> List() override {
    std::vector<std::string> oids;
    Request request;
    request.query = {{"list-type", "2"}, {"prefix", key_base_}};
    for (;;) {
      Response response = Perform(request, "list objects");
      Check(response, "list objects");
      for (const std::string& key : XmlTexts(response.body, "Key"))
        if (std::string oid = OidOfKey(key); !oid.empty()) oids.push_back(std::move(oid));
      if (XmlText(response.body, "IsTruncated") != "true") break;
      std::string token = XmlText(response.body, "NextContinuationToken");
      if (token.empty())
        ThrowIO("cannot list remote {}: truncated listing without a token", describe_);
      request.query["continuation-token"] = token;
    }
    return oids;
  }

  void Remove(const std::vector<std::string>& oids) override {
    for (size_t begin = 0; begin < oids.size(); begin += kMaxDeleteKeys) {
      size_t end = std::min(oids.size(), begin + kMaxDeleteKeys);
      Request request;
      request.method = "POST";
      request.query = {{"delete", ""}};
      request.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>";
      for (size_t i = begin; i < end; ++i)
        request.body += "<Object><Key>" + XmlEscape(Key(oids[i])) + "</Key></Object>";
      request.body += "</Delete>";
      request.headers = {"Content-Type: application/xml",
                         "Content-MD5: " + Base64Md5(request.body)};
      std::string what = "remove " + std::to_string(end - begin) + " objects";
      Response response = Perform(request, what);
      Check(response, what);
      // Quiet mode lists only the keys that failed.
      if (size_t pos = response.body.find("<Error>"); pos != std::string::npos) {
        std::string_view error = std::string_view(response.body).substr(pos);
        ThrowIO("cannot remove object {} from remote {}: {}: {}", XmlText(error, "Key"), describe_,
                XmlText(error, "Code"), XmlText(error, "Message"));
      }
    }
  }

 private:
  std::string Key(const std::string& oid) const {
    return (prefix_.empty() ? "" : prefix_ + "/") + ObjectRelPath(oid);
  }

  // "<prefix>/files/md5/ab/cdef..." gives "abcdef..."; foreign keys give "".
  std::string OidOfKey(std::string_view key) const {
    if (key.substr(0, key_base_.size()) != key_base_) return "";
    key.remove_prefix(key_base_.size());
    if (key.size() < 3 || key[2] != '/') return "";
    std::string oid = std::string(key.substr(0, 2)) + std::string(key.substr(3));
    std::string_view hex = oid;
    if (hex.size() > 4 && hex.substr(hex.size() - 4) == ".dir") hex.remove_suffix(4);
    return IsMd5Hex(hex) ? oid : "";
  }

  void Check(const Response& response, const std::string& what) const {
    if (response.status < 200 || response.status >= 300)
      ThrowIO("cannot {} on remote {}: {}", what, describe_, HttpError(response));
  }

  // Sends `request`, retrying connection failures, 5xx and 429 with exponential
  // backoff. Returns any other answer for the caller to judge.
  Response Perform(const Request& request, const std::string& what) {
    std::string url = endpoint_ + "/" + UriEncode(bucket_, false);
    if (!request.key.empty()) url += "/" + UriEncode(request.key, true);
    if (!request.query.empty()) url += "?" + CanonicalQuery(request.query);
    for (int attempt = 1;; ++attempt) {
      Response response;
      std::string error;
      CURLcode code = Attempt(url, request, &response, &error);
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
        ThrowIO("cannot {} on remote {}{}: {}", what, describe_,
                transient ? fmt::format(" after {} attempts", attempt) : "", error);
      clock_.SleepMs(kFirstBackoffMs << (attempt - 1));
    }
  }

  CURLcode Attempt(const std::string& url, const Request& request, Response* response,
                   std::string* error) {
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
    if (!session_token_.empty()) headers.push_back("x-amz-security-token: " + session_token_);
    for (const std::string& header : headers) list = Curl().slist_append(list, header.c_str());
    std::unique_ptr<curl_slist, SlistFreer> header_list(list);
    std::string sigv4 = "aws:amz:" + region_ + ":s3";
    char error_buffer[CURL_ERROR_SIZE] = "";

    Curl().easy_setopt(curl, CURLOPT_URL, url.c_str());
    Curl().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    Curl().easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    Curl().easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    Curl().easy_setopt(curl, CURLOPT_USERNAME, access_key_.c_str());
    Curl().easy_setopt(curl, CURLOPT_PASSWORD, secret_key_.c_str());
    Curl().easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    Curl().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    // A stalled connection (under 1 byte/s for a minute) fails and is retried.
    Curl().easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    Curl().easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    Curl().easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
    Curl().easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    Curl().easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
    Curl().easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    if (!verify_peer_) Curl().easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    if (!ca_file_.empty()) Curl().easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
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

  void UploadMultipart(const std::string& local_path, const std::string& oid, int64_t size) {
    std::string what = "upload object " + oid;
    Request init;
    init.method = "POST";
    init.key = Key(oid);
    init.query = {{"uploads", ""}};
    Response response = Perform(init, what);
    Check(response, what);
    std::string upload_id = XmlText(response.body, "UploadId");
    if (upload_id.empty())
      ThrowIO("cannot {} on remote {}: no UploadId in answer", what, describe_);
    try {
      int64_t part_size = std::max(kMinPartSize, (size + kMaxParts - 1) / kMaxParts);
      std::string complete = "<CompleteMultipartUpload>";
      for (int64_t offset = 0, number = 1; offset < size; offset += part_size, ++number) {
        Request part;
        part.method = "PUT";
        part.key = Key(oid);
        part.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
        part.upload_path = local_path;
        part.upload_offset = offset;
        part.upload_size = std::min(part_size, size - offset);
        Response answer = Perform(part, what);
        Check(answer, what);
        complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                    XmlEscape(answer.etag) + "</ETag></Part>";
      }
      complete += "</CompleteMultipartUpload>";
      Request finish;
      finish.method = "POST";
      finish.key = Key(oid);
      finish.query = {{"uploadId", upload_id}};
      finish.headers = {"Content-Type: application/xml"};
      finish.body = complete;
      Check(Perform(finish, what), what);
    } catch (...) {
      // Best effort: an abandoned upload only costs storage until lifecycle rules reap it.
      try {
        Request abort;
        abort.method = "DELETE";
        abort.key = Key(oid);
        abort.query = {{"uploadId", upload_id}};
        Perform(abort, "abort upload of object " + oid);
      } catch (const Error&) {
      }
      throw;
    }
  }

  Clock& clock_;
  std::string bucket_, prefix_, describe_, key_base_;
  std::string region_, endpoint_, access_key_, secret_key_, session_token_, ca_file_;
  bool verify_peer_ = true;
  int jobs_ = 1;
};

}  // namespace

std::unique_ptr<Remote> OpenS3Remote(const RemoteConfig& config, Clock& clock) {
  return std::make_unique<S3Remote>(config, clock);
}

}  // namespace leanops
