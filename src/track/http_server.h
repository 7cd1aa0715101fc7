// A small HTTP/1.1 server: the transport under `leanops server`, built on
// Boost.Beast and Asio (header-only, so no shared library joins every
// leanops process; Debian's cpp-httplib would bring a shared libstdc++,
// libssl and brotli, ~7 ms on the start of each command).
//
// What it adds to Beast: a synchronous handler model. Request bodies
// (Content-Length or chunked) are read on demand by the handler, so an upload
// can be streamed to disk and a request can be refused before its body is
// sent ("Expect: 100-continue" is answered only when the body is actually
// read); a body the handler left unread is drained when small, else the
// connection ends. Responses come from memory or are streamed from a file.
// Idle keep-alive connections hold no thread: one I/O thread waits for
// request heads, handlers run on a fixed pool.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanops::track::http {

class Session;

/// The error code a BodyReader throws when a body exceeds max_body_bytes.
inline constexpr const char* kPayloadTooLarge = "PAYLOAD_TOO_LARGE";

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  /// Query parameters in order, percent-decoded ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  /// Header names are lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The declared body length; none for a chunked body.
  std::optional<int64_t> content_length;
  bool chunked = false;

  /// The first value of a header (name in lower case), or nullptr.
  const std::string* Header(std::string_view name) const;
  /// True when the request carries a body (possibly empty when chunked).
  bool HasBody() const { return chunked || content_length.value_or(0) > 0; }
};

/// Reads the body of the request being handled. Throws leanops::Error: kIO
/// when the connection fails or times out, kData with code kPayloadTooLarge
/// past the limit, kData for malformed chunked coding.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  /// Up to `size` bytes; 0 at the end of the body.
  virtual size_t Read(char* buffer, size_t size) = 0;
  /// The rest of the body.
  std::string ReadAll();
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  /// When set, the body is this file's content instead of `body`.
  std::string file_path;
  /// Removes `file_path` once sent (a temporary download).
  bool remove_file = false;
};

using Handler = std::function<void(const Request&, BodyReader&, Response&)>;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  int threads = 16;
  int64_t max_body_bytes = int64_t{1} << 30;
  int keep_alive_seconds = 30;  // an idle connection is closed after this
  int io_timeout_seconds = 60;  // a stalled read or write fails after this
  size_t max_requests_per_connection = 10000;
};

class Server {
 public:
  /// `handler` runs on the pool's threads, several at once; it must not
  /// throw (anything it throws becomes a bare 500).
  Server(Options options, Handler handler);
  ~Server();
  /// Binds and listens; throws kIO naming host:port when it cannot.
  void Bind();
  int port() const;
  /// Serves until Stop(); in-flight requests finish, idle connections close.
  void Serve();
  /// Safe from any thread, also before Serve.
  void Stop();

 private:
  friend class Session;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Percent-decodes `text`; with `plus_is_space`, '+' becomes ' ' (query
/// strings). Malformed escapes are kept as they are.
std::string DecodeUrl(std::string_view text, bool plus_is_space);

}  // namespace leanops::track::http
