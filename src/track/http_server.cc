// The event loop and thread pool of http::Server: accepting connections,
// watching idle ones with epoll and handing those with data to a worker.
// The protocol of one connection is in http_connection.cc.
#include "track/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/error.h"
#include "track/http_connection.h"

namespace leanops::track::http {

struct Server::Impl {
  Impl(Options o, Handler h) : options(std::move(o)), handler(std::move(h)) {
    wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0) ThrowErrno("eventfd", "server", errno);
    if (options.threads < 1) options.threads = 1;
  }
  ~Impl() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
    ::close(wake_fd);
  }

  void Bind();
  void Serve();
  void Stop() {
    stop_requested = true;
    uint64_t one = 1;
    // A full counter still wakes the loop, so the result needs no check.
    [[maybe_unused]] ssize_t written = ::write(wake_fd, &one, sizeof one);
  }

  void AcceptAll();
  void Arm(Connection& c, int op);
  void SweepIdle(bool all);
  void WorkerLoop();
  void ServeConnection(Connection* c);
  void Close(Connection* c);

  Options options;
  Handler handler;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  int bound_port = 0;
  std::atomic<bool> stop_requested{false};

  std::mutex mu;
  std::condition_variable work_ready;
  std::unordered_map<int, std::unique_ptr<Connection>> connections;  // by fd
  std::deque<Connection*> queue;  // connections with data, waiting for a worker
  bool workers_exit = false;
};

void Server::Impl::Bind() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(options.port);
  const char* host = options.host.empty() ? nullptr : options.host.c_str();
  int rc = ::getaddrinfo(host, port_text.c_str(), &hints, &found);
  if (rc != 0) {
    ThrowIO("cannot listen on {}:{}: {}", options.host, options.port, ::gai_strerror(rc));
  }
  int last_errno = 0;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      listen_fd = fd;
      break;
    }
    last_errno = errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (listen_fd < 0) {
    ThrowIO("cannot listen on {}:{}: {}", options.host, options.port, std::strerror(last_errno));
  }
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &length);
  bound_port = address.ss_family == AF_INET6
                   ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                   : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

void Server::Impl::Arm(Connection& c, int op) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  event.data.fd = c.fd;
  ::epoll_ctl(epoll_fd, op, c.fd, &event);
}

void Server::Impl::AcceptAll() {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: drop idle keep-alive connections to make room,
        // and back off so the level-triggered listener does not spin.
        SweepIdle(true);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return;
    }
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    timeval timeout{options.io_timeout_seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    auto connection = std::make_unique<Connection>(fd);
    connection->last_active_ms = NowMs();
    std::lock_guard lock(mu);
    Arm(*connection, EPOLL_CTL_ADD);
    connections.emplace(fd, std::move(connection));
  }
}

void Server::Impl::SweepIdle(bool all) {
  int64_t deadline = NowMs() - int64_t{options.keep_alive_seconds} * 1000;
  std::lock_guard lock(mu);
  for (auto it = connections.begin(); it != connections.end();) {
    if (!it->second->busy && (all || it->second->last_active_ms < deadline)) {
      it = connections.erase(it);
    } else {
      ++it;
    }
  }
}

void Server::Impl::Serve() {
  epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) ThrowErrno("epoll_create1", "server", errno);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listen_fd;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &event);
  event.data.fd = wake_fd;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &event);

  std::vector<std::thread> workers;
  for (int i = 0; i < options.threads; ++i) workers.emplace_back([this] { WorkerLoop(); });

  epoll_event events[64];
  int64_t last_sweep = NowMs();
  while (!stop_requested) {
    int n = ::epoll_wait(epoll_fd, events, 64, 1000);
    for (int i = 0; i < n && !stop_requested; ++i) {
      int fd = events[i].data.fd;
      if (fd == listen_fd) {
        AcceptAll();
      } else if (fd != wake_fd) {
        std::lock_guard lock(mu);
        auto it = connections.find(fd);
        if (it == connections.end()) continue;
        it->second->busy = true;
        queue.push_back(it->second.get());
        work_ready.notify_one();
      }
    }
    if (NowMs() - last_sweep >= 1000) {
      SweepIdle(false);
      last_sweep = NowMs();
    }
  }

  ::close(listen_fd);
  listen_fd = -1;
  {
    std::lock_guard lock(mu);
    workers_exit = true;
  }
  work_ready.notify_all();
  for (std::thread& worker : workers) worker.join();
  std::lock_guard lock(mu);
  connections.clear();
}

void Server::Impl::WorkerLoop() {
  for (;;) {
    Connection* c = nullptr;
    {
      std::unique_lock lock(mu);
      work_ready.wait(lock, [this] { return workers_exit || !queue.empty(); });
      if (queue.empty()) return;
      c = queue.front();
      queue.pop_front();
    }
    ServeConnection(c);
  }
}

void Server::Impl::Close(Connection* c) {
  std::lock_guard lock(mu);
  connections.erase(c->fd);
}

void Server::Impl::ServeConnection(Connection* c) {
  for (;;) {
    bool keep_alive = false;
    try {
      keep_alive = ServeRequest(*c, options, handler, stop_requested);
    } catch (const std::exception&) {
      keep_alive = false;
    }
    if (!keep_alive || stop_requested) {
      Close(c);
      return;
    }
    if (c->Buffered() > 0) continue;  // a pipelined request is already here
    std::lock_guard lock(mu);
    c->busy = false;
    c->last_active_ms = NowMs();
    Arm(*c, EPOLL_CTL_MOD);
    return;
  }
}

Server::Server(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
Server::~Server() = default;
void Server::Bind() { impl_->Bind(); }
int Server::port() const { return impl_->bound_port; }
void Server::Serve() {
  if (impl_->listen_fd < 0) ThrowInternal("http::Server::Serve called before Bind");
  impl_->Serve();
}
void Server::Stop() { impl_->Stop(); }

}  // namespace leanops::track::http
