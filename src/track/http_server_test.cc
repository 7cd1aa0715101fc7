#include "track/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/error.h"

namespace leanops::track::http {
namespace {

// A raw client connection, so that the tests control every byte on the wire.
class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "connect failed";
    }
  }
  ~Client() { ::close(fd_); }

  void Send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  // One response: "HTTP/1.1 200 OK\r\n...\r\n\r\n<body>" (interim 1xx
  // responses are returned on their own).
  std::string ReadResponse() {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::exchange(buffer_, "");
    }
    std::string head = buffer_.substr(0, head_end + 4);
    size_t length = 0;
    size_t at = head.find("Content-Length: ");
    if (at != std::string::npos) length = std::stoul(head.substr(at + 16));
    if (head.rfind("HTTP/1.1 1", 0) == 0) length = 0;
    while (buffer_.size() < head.size() + length) {
      if (!Fill()) break;
    }
    std::string response = buffer_.substr(0, head.size() + length);
    buffer_.erase(0, response.size());
    return response;
  }

  // Reads whatever has arrived; false at end of stream.
  bool ReadSome() { return Fill(); }

  // Whether the server closed the connection (reads until end of stream).
  bool Closed() {
    while (Fill()) {
    }
    return buffer_.empty();
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(got));
    return true;
  }

  int fd_;
  std::string buffer_;
};

std::string Body(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

// Echoes what it was asked: method, path, query and body; refuses bodies
// when the path is /refuse, without reading them.
void Echo(const Request& request, BodyReader& body, Response& response) {
  response.content_type = "text/plain";
  if (request.path == "/refuse") {
    response.status = 401;
    response.body = "no";
    return;
  }
  std::string text = request.method + " " + request.path;
  for (const auto& [key, value] : request.query) text += " [" + key + "=" + value + "]";
  try {
    text += " body=" + body.ReadAll();
  } catch (const Error& e) {
    response.status = std::string(e.code()) == kPayloadTooLarge ? 413 : 400;
  }
  response.body = text;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(Handler handler = Echo, int64_t max_body = 1 << 20) {
    Options options;
    options.port = 0;
    options.threads = 2;
    options.max_body_bytes = max_body;
    server_ = std::make_unique<Server>(options, std::move(handler));
    server_->Bind();
    thread_ = std::thread([this] { server_->Serve(); });
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
    }
  }
  int port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, KeepsConnectionsAliveAcrossRequests) {
  Start();
  Client client(port());
  client.Send("GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  std::string first = client.ReadResponse();
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_EQ(Body(first), "GET /a [x=1] body=");
  EXPECT_EQ(first.find("Connection: close"), std::string::npos);

  // Two pipelined requests, the second with a body.
  client.Send("GET /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(Body(client.ReadResponse()), "GET /b body=");
  EXPECT_EQ(Body(client.ReadResponse()), "POST /c body=hello");
}

TEST_F(HttpServerTest, DecodesPathAndQuery) {
  Start();
  Client client(port());
  client.Send("GET /a%20b/%2e%2e?k=v+w&k=%26&flag HTTP/1.1\r\n\r\n");
  EXPECT_EQ(Body(client.ReadResponse()), "GET /a b/.. [k=v w] [k=&] [flag=] body=");
  EXPECT_EQ(DecodeUrl("100%", false), "100%");
  EXPECT_EQ(DecodeUrl("a+b%zz", false), "a+b%zz");
}

TEST_F(HttpServerTest, ReadsChunkedBodies) {
  Start();
  Client client(port());
  client.Send(
      "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n");
  EXPECT_EQ(Body(client.ReadResponse()), "PUT /up body=hello, world");
  client.Send("GET /next HTTP/1.1\r\n\r\n");
  EXPECT_EQ(Body(client.ReadResponse()), "GET /next body=");
}

TEST_F(HttpServerTest, SendsContinueOnlyWhenTheBodyIsRead) {
  Start();
  Client accepted(port());
  accepted.Send("POST /x HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(accepted.ReadResponse(), "HTTP/1.1 100 Continue\r\n\r\n");
  accepted.Send("abc");
  EXPECT_EQ(Body(accepted.ReadResponse()), "POST /x body=abc");

  // Refused before the body is sent: no 100, and the connection ends since
  // the client may or may not send the body now.
  Client refused(port());
  refused.Send("POST /refuse HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  std::string response = refused.ReadResponse();
  EXPECT_EQ(response.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(refused.Closed());
}

TEST_F(HttpServerTest, UnreadSmallBodiesAreDrainedAndTheConnectionKept) {
  Start();
  Client client(port());
  client.Send("POST /refuse HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody");
  std::string response = client.ReadResponse();
  EXPECT_EQ(response.find("Connection: close"), std::string::npos) << response;
  client.Send("GET /after HTTP/1.1\r\n\r\n");
  EXPECT_EQ(Body(client.ReadResponse()), "GET /after body=");
}

TEST_F(HttpServerTest, BodiesOverTheLimitAreRefused) {
  Start(Echo, 8);
  Client declared(port());
  declared.Send("POST /big HTTP/1.1\r\nContent-Length: 9\r\n\r\n123456789");
  std::string response = declared.ReadResponse();
  EXPECT_EQ(response.rfind("HTTP/1.1 413 ", 0), 0u) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);

  Client chunked(port());
  chunked.Send(
      "POST /big HTTP/1.1\r\nTransfer-Encoding: "
      "chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.ReadResponse().rfind("HTTP/1.1 413 ", 0), 0u);
}

TEST_F(HttpServerTest, RejectsMalformedRequests) {
  Start();
  Client bad_line(port());
  bad_line.Send("NOT A REQUEST\r\n\r\n");
  EXPECT_EQ(bad_line.ReadResponse().rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_TRUE(bad_line.Closed());

  Client smuggled(port());
  smuggled.Send(
      "POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(smuggled.ReadResponse().rfind("HTTP/1.1 400 ", 0), 0u);

  Client http10(port());
  http10.Send("GET /old HTTP/1.0\r\n\r\n");
  std::string response = http10.ReadResponse();
  EXPECT_EQ(Body(response), "GET /old body=");
  EXPECT_TRUE(http10.Closed());
}

TEST_F(HttpServerTest, StreamsFilesAndRemovesTemporaryOnes) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("leanops-http-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string kept = (dir / "kept.bin").string();
  std::string temporary = (dir / "temporary.bin").string();
  std::string content(200000, 'x');
  content[123] = '\0';
  std::ofstream(kept, std::ios::binary) << content;
  std::ofstream(temporary, std::ios::binary) << "temp";

  Start([&](const Request& request, BodyReader&, Response& response) {
    response.content_type = "application/octet-stream";
    response.file_path = request.path == "/kept" ? kept : temporary;
    response.remove_file = request.path != "/kept";
  });
  Client client(port());
  client.Send("GET /kept HTTP/1.1\r\n\r\n");
  std::string response = client.ReadResponse();
  EXPECT_NE(response.find("Content-Length: 200000\r\n"), std::string::npos);
  EXPECT_EQ(Body(response), content);
  client.Send("GET /temporary HTTP/1.1\r\n\r\n");
  EXPECT_EQ(Body(client.ReadResponse()), "temp");
  EXPECT_TRUE(std::filesystem::exists(kept));
  EXPECT_FALSE(std::filesystem::exists(temporary));
  std::filesystem::remove_all(dir);
}

TEST_F(HttpServerTest, AClientHangingUpDuringADownloadDoesNotStopTheServer) {
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("leanops-http-hangup-" + std::to_string(::getpid()));
  std::ofstream(file, std::ios::binary) << std::string(32 << 20, 'x');
  Start([&](const Request& request, BodyReader&, Response& response) {
    if (request.path == "/big") {
      response.file_path = file.string();
    } else {
      response.body = "alive";
    }
  });
  for (int i = 0; i < 3; ++i) {
    Client quitter(port());
    quitter.Send("GET /big HTTP/1.1\r\n\r\n");
    // The first bytes arrive, then the client goes away mid-transfer.
    ASSERT_TRUE(quitter.ReadSome());
  }
  Client client(port());
  client.Send("GET /ping HTTP/1.1\r\n\r\n");
  EXPECT_EQ(Body(client.ReadResponse()), "alive");
  std::filesystem::remove(file);
}

TEST_F(HttpServerTest, BindFailureNamesTheAddress) {
  Start();
  Options options;
  options.port = port();
  Server second(options, Echo);
  try {
    second.Bind();
    FAIL() << "bound twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port())), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace leanops::track::http
