#include "track/http_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/error.h"

namespace leanops::track::http {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kMaxLineBytes = 8 * 1024;
constexpr size_t kReadChunk = 64 * 1024;
// An unread body up to this size is read and dropped so that the connection
// can stay open; a larger one closes it.
constexpr int64_t kMaxDrainBytes = 1 << 20;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Whether a comma-separated header value lists `token` (case-insensitive).
bool HasToken(const std::string* value, std::string_view token) {
  if (value == nullptr) return false;
  std::string lower = Lower(*value);
  size_t start = 0;
  while (start <= lower.size()) {
    size_t comma = lower.find(',', start);
    if (comma == std::string::npos) comma = lower.size();
    if (Trim(std::string_view(lower).substr(start, comma - start)) == token) return true;
    start = comma + 1;
  }
  return false;
}

const char* ReasonPhrase(int status) {
  struct Entry {
    int status;
    const char* reason;
  };
  static constexpr Entry kReasons[] = {
      {100, "Continue"},
      {200, "OK"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {409, "Conflict"},
      {413, "Payload Too Large"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const Entry& entry : kReasons) {
    if (entry.status == status) return entry.reason;
  }
  return "Unknown";
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Socket I/O with timeouts, for one connection.
class Wire {
 public:
  Wire(Connection& connection, int timeout_seconds)
      : c_(connection), timeout_ms_(timeout_seconds * 1000) {}

  // Reads more bytes into the connection's buffer; false at end of stream.
  bool Fill() {
    pollfd fds{c_.fd, POLLIN, 0};
    for (;;) {
      int ready = ::poll(&fds, 1, timeout_ms_);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) ThrowErrno("poll", "client connection", errno);
      if (ready == 0) ThrowIO("client connection timed out");
      break;
    }
    if (c_.in_pos > 0 && c_.in_pos == c_.in.size()) {
      c_.in.clear();
      c_.in_pos = 0;
    }
    size_t old_size = c_.in.size();
    c_.in.resize(old_size + kReadChunk);
    ssize_t got;
    do {
      got = ::recv(c_.fd, c_.in.data() + old_size, kReadChunk, 0);
    } while (got < 0 && errno == EINTR);
    c_.in.resize(old_size + (got > 0 ? static_cast<size_t>(got) : 0));
    if (got < 0) ThrowErrno("read", "client connection", errno);
    return got > 0;
  }

  // Reads into `buffer` from the read-ahead first, then the socket.
  size_t ReadSome(char* buffer, size_t size) {
    if (c_.Buffered() == 0) {
      if (size >= kReadChunk) {
        // Large reads (uploads) go straight to the caller's buffer.
        pollfd fds{c_.fd, POLLIN, 0};
        int ready;
        do {
          ready = ::poll(&fds, 1, timeout_ms_);
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) ThrowIO("client connection timed out");
        ssize_t got;
        do {
          got = ::recv(c_.fd, buffer, size, 0);
        } while (got < 0 && errno == EINTR);
        if (got < 0) ThrowErrno("read", "client connection", errno);
        if (got == 0) ThrowIO("client closed the connection in the middle of a request body");
        return static_cast<size_t>(got);
      }
      if (!Fill()) ThrowIO("client closed the connection in the middle of a request body");
    }
    size_t n = std::min(size, c_.Buffered());
    std::memcpy(buffer, c_.in.data() + c_.in_pos, n);
    c_.Consume(n);
    return n;
  }

  // One line without its "\r\n" (or "\n"); throws past `max` bytes.
  std::string ReadLine(size_t max) {
    size_t scanned = 0;
    for (;;) {
      size_t end = c_.in.find('\n', c_.in_pos + scanned);
      if (end != std::string::npos) {
        std::string line = c_.in.substr(c_.in_pos, end - c_.in_pos);
        c_.Consume(end - c_.in_pos + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      scanned = c_.Buffered();
      if (scanned > max) ThrowData("request line too long");
      if (!Fill()) ThrowIO("client closed the connection in the middle of a request");
    }
  }

  bool SendAll(const char* data, size_t size) {
    while (size > 0) {
      ssize_t sent = ::send(c_.fd, data, size, MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      data += sent;
      size -= static_cast<size_t>(sent);
    }
    return true;
  }

  bool SendFile(int file_fd, int64_t size) {
    off_t offset = 0;
    while (offset < size) {
      ssize_t sent = ::sendfile(c_.fd, file_fd, &offset, static_cast<size_t>(size - offset));
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
    }
    return true;
  }

 private:
  Connection& c_;
  int timeout_ms_;
};

// The body of one request: Content-Length or chunked, with the interim
// "100 Continue" sent when the handler first asks for the body.
class ConnectionBodyReader : public BodyReader {
 public:
  ConnectionBodyReader(Wire& wire, const Request& request, bool expect_continue, int64_t max)
      : wire_(wire),
        chunked_(request.chunked),
        remaining_(request.content_length.value_or(0)),
        expect_continue_(expect_continue),
        max_(max) {
    done_ = !chunked_ && remaining_ == 0;
  }

  size_t Read(char* buffer, size_t size) override {
    if (done_ || size == 0) return 0;
    if (broken_) ThrowIO("request body could not be read");
    try {
      if (!chunked_ && remaining_ > max_) {
        // Refused before the client sends it (when it waits for 100).
        broken_ = true;
        throw Error(ErrorKind::kData, kPayloadTooLarge,
                    fmt::format("request body of {} bytes exceeds the limit of {} bytes",
                                remaining_, max_));
      }
      SendContinue();
      size_t n = chunked_ ? ReadChunked(buffer, size) : ReadFixed(buffer, size);
      total_ += static_cast<int64_t>(n);
      if (total_ > max_) {
        broken_ = true;
        throw Error(ErrorKind::kData, kPayloadTooLarge,
                    fmt::format("request body exceeds the limit of {} bytes", max_));
      }
      return n;
    } catch (const Error&) {
      broken_ = true;
      throw;
    }
  }

  bool done() const { return done_; }
  bool broken() const { return broken_; }
  // The client waits for "100 Continue" and has sent nothing yet.
  bool AwaitingContinue() const { return expect_continue_ && !continue_sent_; }
  // Unread bytes when known (Content-Length), else -1.
  int64_t KnownRemaining() const { return chunked_ ? -1 : remaining_; }

  // Reads and drops the rest of the body, up to `limit` bytes; true when
  // the whole body is consumed.
  bool Drain(int64_t limit) {
    char scratch[16 * 1024];
    int64_t dropped = 0;
    try {
      while (!done_) {
        size_t n = Read(scratch, sizeof scratch);
        dropped += static_cast<int64_t>(n);
        if (dropped > limit) return false;
      }
    } catch (const Error&) {
      return false;
    }
    return true;
  }

 private:
  void SendContinue() {
    if (!expect_continue_ || continue_sent_) return;
    continue_sent_ = true;
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    if (!wire_.SendAll(kContinue, sizeof kContinue - 1)) ThrowIO("client connection lost");
  }

  size_t ReadFixed(char* buffer, size_t size) {
    size_t want = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(size)));
    size_t n = wire_.ReadSome(buffer, want);
    remaining_ -= static_cast<int64_t>(n);
    if (remaining_ == 0) done_ = true;
    return n;
  }

  size_t ReadChunked(char* buffer, size_t size) {
    while (chunk_left_ == 0) {
      if (after_data_) {
        if (!wire_.ReadLine(kMaxLineBytes).empty()) ThrowData("malformed chunked request body");
        after_data_ = false;
      }
      std::string line = wire_.ReadLine(kMaxLineBytes);
      std::string_view digits = Trim(std::string_view(line).substr(0, line.find(';')));
      if (digits.empty() || digits.size() > 15) ThrowData("malformed chunk size in request body");
      int64_t chunk = 0;
      for (char c : digits) {
        int v = HexValue(c);
        if (v < 0) ThrowData("malformed chunk size in request body");
        chunk = chunk * 16 + v;
      }
      if (chunk == 0) {
        // Trailer fields, then the empty line that ends the message.
        size_t trailer_bytes = 0;
        for (;;) {
          std::string trailer = wire_.ReadLine(kMaxLineBytes);
          if (trailer.empty()) break;
          trailer_bytes += trailer.size();
          if (trailer_bytes > kMaxHeadBytes) ThrowData("request trailers too large");
        }
        done_ = true;
        return 0;
      }
      chunk_left_ = chunk;
    }
    size_t want = static_cast<size_t>(std::min<int64_t>(chunk_left_, static_cast<int64_t>(size)));
    size_t n = wire_.ReadSome(buffer, want);
    chunk_left_ -= static_cast<int64_t>(n);
    if (chunk_left_ == 0) after_data_ = true;
    return n;
  }

  Wire& wire_;
  bool chunked_;
  int64_t remaining_;
  bool expect_continue_;
  int64_t max_;
  bool continue_sent_ = false;
  bool done_ = false;
  bool broken_ = false;
  int64_t total_ = 0;
  int64_t chunk_left_ = 0;
  bool after_data_ = false;
};

// A parsed request line and header block.
struct Head {
  Request request;
  int minor_version = 1;
};

bool ParseTarget(std::string_view target, Request& request) {
  // absolute-form (a proxy's "http://host/path") is reduced to its path.
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target.empty() || target[0] != '/') return false;
  size_t question = target.find('?');
  request.path = DecodeUrl(target.substr(0, question), false);
  if (question == std::string_view::npos) return true;
  std::string_view query = target.substr(question + 1);
  size_t hash = query.find('#');
  if (hash != std::string_view::npos) query = query.substr(0, hash);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key = DecodeUrl(pair.substr(0, eq), true);
      std::string value = eq == std::string_view::npos ? "" : DecodeUrl(pair.substr(eq + 1), true);
      request.query.emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

// Parses "METHOD target HTTP/1.x" and the header lines; false when the head
// is malformed (the caller answers 400).
bool ParseHead(const std::string& text, Head& head) {
  size_t line_end = text.find('\n');
  std::string_view first = Trim(std::string_view(text).substr(0, line_end));
  size_t sp1 = first.find(' ');
  size_t sp2 = first.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return false;
  head.request.method = std::string(first.substr(0, sp1));
  std::string_view version = first.substr(sp2 + 1);
  if (version == "HTTP/1.1") {
    head.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    head.minor_version = 0;
  } else {
    return false;
  }
  for (char c : head.request.method) {
    if (!std::isupper(static_cast<unsigned char>(c))) return false;
  }
  if (!ParseTarget(Trim(first.substr(sp1 + 1, sp2 - sp1 - 1)), head.request)) return false;

  size_t pos = line_end == std::string::npos ? text.size() : line_end + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line = Trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) return false;
    head.request.headers.emplace_back(Lower(name), std::string(Trim(line.substr(colon + 1))));
  }
  return true;
}

// Reads the request head; empty when the client closed the connection
// cleanly before sending one.
std::string ReadHead(Wire& wire, Connection& c) {
  size_t scanned = 0;
  for (;;) {
    std::string_view pending(c.in.data() + c.in_pos, c.Buffered());
    // Blank lines before a request are ignored (RFC 9112 2.2).
    while (!pending.empty() && (pending.front() == '\r' || pending.front() == '\n')) {
      c.Consume(1);
      pending.remove_prefix(1);
      scanned = 0;
    }
    size_t end = pending.find("\r\n\r\n", scanned > 3 ? scanned - 3 : 0);
    size_t terminator = 4;
    if (end == std::string_view::npos) {
      end = pending.find("\n\n", scanned > 1 ? scanned - 1 : 0);
      terminator = 2;
    }
    if (end != std::string_view::npos) {
      std::string head(pending.substr(0, end));
      c.Consume(end + terminator);
      return head;
    }
    scanned = pending.size();
    if (scanned > kMaxHeadBytes) ThrowData("request head too large");
    if (!wire.Fill()) {
      if (c.Buffered() == 0) return "";
      ThrowIO("client closed the connection in the middle of a request");
    }
  }
}

std::string ResponseHead(const Response& response, int64_t length, bool keep_alive, bool http10) {
  std::string head =
      fmt::format("HTTP/1.1 {} {}\r\n", response.status, ReasonPhrase(response.status));
  if (!response.content_type.empty()) head += "Content-Type: " + response.content_type + "\r\n";
  head += fmt::format("Content-Length: {}\r\n", length);
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (http10) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
  return head;
}

// After a response that ends the connection, reads (and drops) what the
// client is still sending for a moment, so that closing does not reset the
// connection before the client has read the response.
void LingeringClose(int fd) {
  ::shutdown(fd, SHUT_WR);
  char scratch[16 * 1024];
  int64_t deadline = NowMs() + 1000;
  size_t dropped = 0;
  while (dropped < (4u << 20)) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return;
    pollfd fds{fd, POLLIN, 0};
    if (::poll(&fds, 1, static_cast<int>(left)) <= 0) return;
    ssize_t got = ::recv(fd, scratch, sizeof scratch, 0);
    if (got <= 0) return;
    dropped += static_cast<size_t>(got);
  }
}

}  // namespace

const std::string* Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string BodyReader::ReadAll() {
  std::string body;
  char buffer[16 * 1024];
  for (;;) {
    size_t n = Read(buffer, sizeof buffer);
    if (n == 0) return body;
    body.append(buffer, n);
  }
}

std::string DecodeUrl(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool ServeRequest(Connection& c, const Options& options, const Handler& handler,
                  const std::atomic<bool>& stop_requested) {
  Wire wire(c, options.io_timeout_seconds);
  Head head;
  bool keep_alive = false;
  bool http10 = false;
  auto answer_and_close = [&](int status, const std::string& message) {
    Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = message;
    std::string text = ResponseHead(response, static_cast<int64_t>(message.size()), false, false);
    text += message;
    wire.SendAll(text.data(), text.size());
    LingeringClose(c.fd);
    return false;
  };

  std::string head_text;
  try {
    head_text = ReadHead(wire, c);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kData) return answer_and_close(431, "Request head too large\n");
    return false;
  }
  if (head_text.empty()) return false;
  if (!ParseHead(head_text, head)) return answer_and_close(400, "Malformed request\n");
  Request& request = head.request;
  http10 = head.minor_version == 0;
  const std::string* connection = request.Header("connection");
  keep_alive = http10 ? HasToken(connection, "keep-alive") : !HasToken(connection, "close");
  if (++c.requests >= options.max_requests_per_connection) keep_alive = false;

  const std::string* transfer_encoding = request.Header("transfer-encoding");
  const std::string* content_length = request.Header("content-length");
  if (transfer_encoding != nullptr) {
    // Both framings at once is how requests are smuggled past proxies.
    if (content_length != nullptr) return answer_and_close(400, "Malformed request framing\n");
    if (Lower(Trim(*transfer_encoding)) != "chunked") {
      return answer_and_close(501, "Unsupported transfer coding\n");
    }
    request.chunked = true;
  } else if (content_length != nullptr) {
    std::string_view digits = Trim(*content_length);
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return answer_and_close(400, "Malformed Content-Length\n");
    }
    request.content_length = std::stoll(std::string(digits));
  }
  bool expect_continue = HasToken(request.Header("expect"), "100-continue") && request.HasBody();

  ConnectionBodyReader body(wire, request, expect_continue, options.max_body_bytes);
  Response response;
  try {
    handler(request, body, response);
  } catch (const std::exception&) {
    response = Response();
    response.status = 500;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "Internal server error\n";
  }

  // A body the handler left unread must be consumed before the next request
  // can be parsed; when that is not possible or cheap, the connection ends.
  if (!body.done()) {
    if (body.broken() || body.AwaitingContinue()) {
      keep_alive = false;
    } else if (body.KnownRemaining() > kMaxDrainBytes || !body.Drain(kMaxDrainBytes)) {
      keep_alive = false;
    }
  }
  if (stop_requested) keep_alive = false;
  bool head_only = request.method == "HEAD";

  bool sent;
  if (!response.file_path.empty()) {
    int file_fd = ::open(response.file_path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat info {};
    if (file_fd < 0 || ::fstat(file_fd, &info) != 0 || !S_ISREG(info.st_mode)) {
      if (file_fd >= 0) ::close(file_fd);
      if (response.remove_file) ::unlink(response.file_path.c_str());
      return answer_and_close(500, "Artifact could not be read\n");
    }
    std::string text = ResponseHead(response, info.st_size, keep_alive, http10);
    sent = wire.SendAll(text.data(), text.size()) &&
           (head_only || wire.SendFile(file_fd, info.st_size));
    ::close(file_fd);
    if (response.remove_file) ::unlink(response.file_path.c_str());
  } else {
    std::string text =
        ResponseHead(response, static_cast<int64_t>(response.body.size()), keep_alive, http10);
    if (!head_only) text += response.body;
    sent = wire.SendAll(text.data(), text.size());
  }
  if (!sent) return false;
  if (!keep_alive) LingeringClose(c.fd);
  return keep_alive;
}

}  // namespace leanops::track::http
