// http::Server on Boost.Beast and Asio.
//
// Threads: one I/O thread (the caller of Serve) runs the io_context and owns
// every socket operation; handlers run on a pool of `options.threads`
// workers. A connection belongs to exactly one side at a time: the I/O thread
// while it waits for a request head, the worker while its handler runs. The
// worker parses body bytes already buffered itself and hands socket reads and
// writes back to the I/O thread, waiting for their result, so that timeouts
// (beast::tcp_stream's) apply to every read and write, and an idle keep-alive
// connection holds no thread.
#include "track/http_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <limits>
#include <set>

#include "core/error.h"

namespace leanops::track::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kReadChunk = 64 * 1024;
// An unread body up to this size is read and dropped so that the connection
// can stay open; a larger one closes it.
constexpr int64_t kMaxDrainBytes = 1 << 20;
// After a response that ends the connection, what the client still sends is
// read and dropped for this long (and up to this much), so that closing does
// not reset the connection before the client has read the response.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kMaxLingerBytes = 4 << 20;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits an origin-form (or absolute-form) target into path and query.
bool ParseTarget(std::string_view target, Request& request) {
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target.empty() || target[0] != '/') return false;
  size_t question = target.find('?');
  request.path = DecodeUrl(target.substr(0, question), false);
  if (question == std::string_view::npos) return true;
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
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

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Boost 1.74's beast::string_view is Boost's own type.
std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

using RequestParser = bhttp::request_parser<bhttp::buffer_body>;

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

class Session;

struct Server::Impl {
  Impl(Options o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        workers(static_cast<size_t>(std::max(1, options.threads))) {}
  ~Impl() {
    workers.stop();
    workers.join();
  }

  void Bind();
  void Accept();
  void Stop();

  Options options;
  Handler handler;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::thread_pool workers;
  asio::executor_work_guard<asio::io_context::executor_type> serving{io.get_executor()};
  std::atomic<bool> stop_requested{false};
  int bound_port = 0;
  // Connections waiting for a request or lingering before close; closed by
  // Stop. Touched only on the I/O thread.
  std::set<Session*> waiting;
};

// One client connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}

  // I/O thread: waits for the next request head.
  void ReadHead() {
    if (server_.stop_requested) return Close();
    parser_.emplace();
    parser_->header_limit(kMaxHeadBytes);
    // The handler's reader enforces the limit, so that the handler can answer
    // 413 itself. (Boost 1.74 mishandles boost::none here: any declared
    // Content-Length then exceeds it.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(std::chrono::seconds(server_.options.keep_alive_seconds));
    server_.waiting.insert(this);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](error_code ec, size_t) {
                               self->server_.waiting.erase(self.get());
                               self->OnHead(ec);
                             });
  }

  // I/O thread: ends the connection.
  void Close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // Worker thread: `size` bytes of body at most, 0 at its end.
  size_t ReadBody(char* out, size_t size);
  // Worker thread: reads and drops the rest of the body, up to `limit`
  // bytes; true when the whole body is consumed.
  bool DrainBody(int64_t limit);

 private:
  void OnHead(error_code ec);
  void Handle();
  void Respond(Response& response, bool keep_alive);
  template <class Message>
  void Send(std::shared_ptr<Message> message, bool keep_alive);
  void AnswerAndClose(bhttp::status status, std::string text);
  void LingeringClose();
  void Linger(std::shared_ptr<std::array<char, 16384>> scratch, size_t dropped);
  // Runs `op` on the I/O thread and waits for the error code it reports.
  error_code OnIoThread(std::function<void(std::function<void(error_code)>)> op);
  void FillFromSocket();
  void SendContinue();

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  Request request_;
  size_t requests_ = 0;
  bool http10_ = false;
  // The body as the handler reads it.
  bool expect_continue_ = false;
  bool continue_sent_ = false;
  bool body_broken_ = false;
  int64_t body_read_ = 0;
};

namespace {

class SessionBodyReader : public BodyReader {
 public:
  explicit SessionBodyReader(Session& session) : session_(session) {}
  size_t Read(char* buffer, size_t size) override { return session_.ReadBody(buffer, size); }

 private:
  Session& session_;
};

}  // namespace

void Session::OnHead(error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == beast::error::timeout || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return Close();
  }
  if (ec == bhttp::error::header_limit) {
    return AnswerAndClose(bhttp::status::request_header_fields_too_large,
                          "Request head too large\n");
  }
  if (ec) return AnswerAndClose(bhttp::status::bad_request, "Malformed request\n");

  const auto& head = parser_->get();
  request_ = Request();
  request_.method = std::string(View(head.method_string()));
  if (!ParseTarget(View(head.target()), request_)) {
    return AnswerAndClose(bhttp::status::bad_request, "Malformed request\n");
  }
  for (const auto& field : head) {
    request_.headers.emplace_back(Lower(View(field.name_string())),
                                  std::string(View(field.value())));
  }
  if (head.count(bhttp::field::transfer_encoding) > 0 && !parser_->chunked()) {
    return AnswerAndClose(bhttp::status::not_implemented, "Unsupported transfer coding\n");
  }
  request_.chunked = parser_->chunked();
  if (auto length = parser_->content_length()) {
    request_.content_length = static_cast<int64_t>(*length);
  }
  http10_ = head.version() == 10;
  expect_continue_ =
      beast::iequals(head[bhttp::field::expect], "100-continue") && request_.HasBody();
  continue_sent_ = false;
  body_broken_ = false;
  body_read_ = 0;
  ++requests_;
  // The handler holds the I/O thread's work open until its response is
  // queued, so Serve does not return under it.
  auto work = asio::make_work_guard(server_.io);
  asio::post(server_.workers, [self = shared_from_this(), work = std::move(work)]() mutable {
    self->Handle();
    work.reset();
  });
}

error_code Session::OnIoThread(std::function<void(std::function<void(error_code)>)> op) {
  std::promise<error_code> done;
  asio::post(server_.io, [&] { op([&](error_code ec) { done.set_value(ec); }); });
  return done.get_future().get();
}

void Session::FillFromSocket() {
  size_t got = 0;
  error_code ec = OnIoThread([&](std::function<void(error_code)> finish) {
    stream_.expires_after(std::chrono::seconds(server_.options.io_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(kReadChunk), [&, finish](error_code ec, size_t n) {
      got = n;
      finish(ec);
    });
  });
  buffer_.commit(got);
  if (ec == asio::error::eof) {
    ThrowIO("client closed the connection in the middle of a request body");
  }
  if (ec == beast::error::timeout) ThrowIO("client connection timed out");
  if (ec) ThrowIO("reading the request body failed: {}", ec.message());
}

void Session::SendContinue() {
  if (!expect_continue_ || continue_sent_) return;
  continue_sent_ = true;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  error_code ec = OnIoThread([&](std::function<void(error_code)> finish) {
    stream_.expires_after(std::chrono::seconds(server_.options.io_timeout_seconds));
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [finish](error_code ec, size_t) { finish(ec); });
  });
  if (ec) ThrowIO("client connection lost: {}", ec.message());
}

size_t Session::ReadBody(char* out, size_t size) {
  if (parser_->is_done() || size == 0) return 0;
  if (body_broken_) ThrowIO("request body could not be read");
  int64_t max = server_.options.max_body_bytes;
  try {
    if (request_.content_length.value_or(0) > max) {
      // Refused before the client sends it (when it waits for 100).
      throw Error(ErrorKind::kData, kPayloadTooLarge,
                  fmt::format("request body of {} bytes exceeds the limit of {} bytes",
                              *request_.content_length, max));
    }
    SendContinue();
    auto& body = parser_->get().body();
    body.data = out;
    body.size = size;
    body.more = true;
    while (!parser_->is_done() && body.size == size) {
      error_code ec;
      size_t used = buffer_.size() == 0 ? 0 : parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_buffer) break;
      if (ec && ec != bhttp::error::need_more)
        ThrowData("malformed request body: {}", ec.message());
      if (used == 0 || ec == bhttp::error::need_more) FillFromSocket();
    }
    size_t n = size - body.size;
    body.data = nullptr;
    body_read_ += static_cast<int64_t>(n);
    if (body_read_ > max) {
      throw Error(ErrorKind::kData, kPayloadTooLarge,
                  fmt::format("request body exceeds the limit of {} bytes", max));
    }
    return n;
  } catch (const Error&) {
    body_broken_ = true;
    throw;
  }
}

bool Session::DrainBody(int64_t limit) {
  char scratch[16 * 1024];
  int64_t dropped = 0;
  try {
    while (!parser_->is_done()) {
      dropped += static_cast<int64_t>(ReadBody(scratch, sizeof scratch));
      if (dropped > limit) return false;
    }
  } catch (const Error&) {
    return false;
  }
  return true;
}

void Session::Handle() {
  SessionBodyReader body(*this);
  Response response;
  try {
    server_.handler(request_, body, response);
  } catch (const std::exception&) {
    response = Response();
    response.status = 500;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "Internal server error\n";
  }
  bool keep_alive = parser_->get().keep_alive() &&
                    requests_ < server_.options.max_requests_per_connection &&
                    !server_.stop_requested;
  // A body the handler left unread must be consumed before the next request
  // can be parsed; when that is not possible or cheap, the connection ends.
  if (!parser_->is_done()) {
    bool awaiting_continue = expect_continue_ && !continue_sent_;
    int64_t known_left = request_.chunked ? 0 : *request_.content_length - body_read_;
    if (body_broken_ || awaiting_continue || known_left > kMaxDrainBytes ||
        !DrainBody(kMaxDrainBytes)) {
      keep_alive = false;
    }
  }
  Respond(response, keep_alive);
}

template <class Message>
void Session::Send(std::shared_ptr<Message> message, bool keep_alive) {
  if (!keep_alive) {
    message->set(bhttp::field::connection, "close");
  } else if (http10_) {
    message->set(bhttp::field::connection, "keep-alive");
  }
  asio::post(server_.io, [self = shared_from_this(), message, keep_alive]() {
    self->stream_.expires_after(std::chrono::seconds(self->server_.options.io_timeout_seconds));
    bhttp::async_write(self->stream_, *message, [self, message, keep_alive](error_code ec, size_t) {
      if (ec) return self->Close();
      if (keep_alive) return self->ReadHead();
      self->LingeringClose();
    });
  });
}

// Moves the body out of `response`.
void Session::Respond(Response& response, bool keep_alive) {
  bool head_only = request_.method == "HEAD";
  auto prepare = [&](auto& message, uint64_t length) {
    message.version(11);
    message.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) {
      message.set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) message.insert(name, value);
    message.content_length(length);
  };
  if (!response.file_path.empty()) {
    const char* path = response.file_path.c_str();
    struct stat info {};
    error_code ec;
    auto message = std::make_shared<bhttp::response<bhttp::file_body>>();
    if (::stat(path, &info) == 0 && S_ISREG(info.st_mode)) {
      message->body().open(path, beast::file_mode::scan, ec);
    } else {
      ec = asio::error::not_found;
    }
    // An open file stays readable once its name is gone.
    if (response.remove_file) ::unlink(path);
    if (ec) {
      return AnswerAndClose(bhttp::status::internal_server_error, "Artifact could not be read\n");
    }
    prepare(*message, static_cast<uint64_t>(info.st_size));
    if (head_only) {
      auto head = std::make_shared<bhttp::response<bhttp::empty_body>>(message->base());
      return Send(head, keep_alive);
    }
    return Send(message, keep_alive);
  }
  auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
  prepare(*message, response.body.size());
  if (!head_only) message->body() = std::move(response.body);
  // prepare_payload is not called: for HEAD the length is the body's.
  Send(message, keep_alive);
}

void Session::AnswerAndClose(bhttp::status status, std::string text) {
  auto message = std::make_shared<bhttp::response<bhttp::string_body>>(status, 11);
  message->set(bhttp::field::content_type, "text/plain; charset=utf-8");
  message->body() = std::string(text);
  message->prepare_payload();
  Send(message, false);
}

void Session::LingeringClose() {
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  server_.waiting.insert(this);
  Linger(std::make_shared<std::array<char, 16384>>(), 0);
}

void Session::Linger(std::shared_ptr<std::array<char, 16384>> scratch, size_t dropped) {
  stream_.async_read_some(asio::buffer(*scratch),
                          [self = shared_from_this(), scratch, dropped](error_code ec, size_t n) {
                            if (ec || dropped + n > kMaxLingerBytes) {
                              self->server_.waiting.erase(self.get());
                              return self->stream_.close();
                            }
                            self->Linger(scratch, dropped + n);
                          });
}

void Server::Impl::Bind() {
  error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) ThrowIO("cannot listen on {}:{}: {}", options.host, options.port, ec.message());
  for (const auto& entry : endpoints) {
    acceptor.open(entry.endpoint().protocol(), ec);
    if (ec) continue;
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(entry.endpoint(), ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) {
      bound_port = acceptor.local_endpoint().port();
      return;
    }
    error_code ignored;
    acceptor.close(ignored);
  }
  ThrowIO("cannot listen on {}:{}: {}", options.host, options.port, ec.message());
}

void Server::Impl::Accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (!ec) {
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(*this, std::move(socket))->ReadHead();
    } else if (ec == asio::error::no_descriptors) {
      // Out of descriptors: drop idle keep-alive connections to make room.
      for (Session* session : std::set<Session*>(waiting)) session->Close();
    }
    Accept();
  });
}

void Server::Impl::Stop() {
  stop_requested = true;
  asio::post(io, [this] {
    error_code ignored;
    acceptor.close(ignored);
    for (Session* session : std::set<Session*>(waiting)) session->Close();
    serving.reset();
  });
}

Server::Server(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
Server::~Server() = default;
void Server::Bind() { impl_->Bind(); }
int Server::port() const { return impl_->bound_port; }
void Server::Serve() {
  if (!impl_->acceptor.is_open()) ThrowInternal("http::Server::Serve called before Bind");
  impl_->Accept();
  impl_->io.run();
  impl_->workers.join();
}
void Server::Stop() { impl_->Stop(); }

}  // namespace leanops::track::http
