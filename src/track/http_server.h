// A small HTTP/1.1 server: the transport under `leanops server`.
//
// Why not a library: the usable one on Debian (cpp-httplib) ships as a
// shared object that drags libssl, libcrypto, brotli and a shared libstdc++
// into every leanops process, adding ~7 ms to the start of each command.
// This one needs nothing but POSIX sockets.
//
// What it does: keep-alive connections; request bodies with Content-Length
// or chunked transfer coding, read on demand by the handler (so an upload can
// be streamed to disk, and a request can be refused before its body is sent,
// answering "Expect: 100-continue" only when the body is actually read);
// responses from memory or streamed from a file with sendfile. An epoll loop
// watches the listening socket and idle connections; a connection with data
// is handed to one of a fixed pool of threads, so idle keep-alive clients
// hold no thread.
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
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Percent-decodes `text`; with `plus_is_space`, '+' becomes ' ' (query
/// strings). Malformed escapes are kept as they are.
std::string DecodeUrl(std::string_view text, bool plus_is_space);

}  // namespace leanops::track::http
