// One HTTP/1.1 connection of http::Server: reading a request from it,
// calling the handler and writing the response. Only http_server.cc uses it.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "track/http_server.h"

namespace leanops::track::http {

/// A client connection and the bytes read ahead of the parser. Only the
/// thread that owns it at the moment (the event loop while it is idle, one
/// worker while it is busy) touches it.
struct Connection {
  explicit Connection(int fd) : fd(fd) {}
  ~Connection() { ::close(fd); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  size_t Buffered() const { return in.size() - in_pos; }
  void Consume(size_t n) {
    in_pos += n;
    if (in_pos == in.size()) {
      in.clear();
      in_pos = 0;
    }
  }

  int fd;
  std::string in;  // bytes read ahead of the parser
  size_t in_pos = 0;
  size_t requests = 0;
  bool busy = false;
  int64_t last_active_ms = 0;
};

/// Serves one request on `c`: waits up to options.io_timeout_seconds for it
/// to arrive, runs `handler` and writes the response. True when the
/// connection stays open for another request.
bool ServeRequest(Connection& c, const Options& options, const Handler& handler,
                  const std::atomic<bool>& stop_requested);

/// A monotonic clock in milliseconds, for idle timeouts.
int64_t NowMs();

}  // namespace leanops::track::http
