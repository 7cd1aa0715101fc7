// leanops server: MLflow's tracking server (REST API 2.0, model registry and
// artifact proxy) over a leanops store, with `mlflow server`'s options.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "cli/cli_common.h"
#include "core/error.h"
#include "track/rest_server.h"
#include "track/store.h"
#include "track/tracking_config.h"

namespace leanops::cli {
namespace {

struct ServerFlags {
  std::string host = "127.0.0.1";
  int port = 5000;
  std::string backend_store_uri;
  std::string artifacts_destination;
  std::string default_artifact_root;
  bool no_serve_artifacts = false;
  bool serve_artifacts = true;  // accepted for compatibility with `mlflow server`
  std::string auth_token_file;
  int64_t max_request_size = int64_t{1} << 30;
  int workers = 16;
};

ServerFlags& Flags() {
  static ServerFlags flags;
  return flags;
}

std::string ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) ThrowData("cannot read the auth token file '{}'", path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) ThrowData("the auth token file '{}' is empty", path);
  return token;
}

// Blocks SIGINT and SIGTERM in this thread, and so in every thread it
// starts afterwards (the server's threads inherit the mask). They stay
// blocked: the process exits after the server stops, and a second Ctrl-C
// must not kill it halfway through closing the store.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Stops the server from a thread that waits for the blocked signals.
class SignalWatcher {
 public:
  SignalWatcher(track::RestServer& server, sigset_t signals) : signals_(signals) {
    thread_ = std::thread([this, &server] {
      // A timed wait, so that the thread also ends when Serve fails.
      timespec tick{0, 200 * 1000 * 1000};
      while (!done_) {
        if (sigtimedwait(&signals_, nullptr, &tick) > 0) {
          server.Stop();
          return;
        }
      }
    });
  }
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void RunServer() {
  const ServerFlags& f = Flags();
  sigset_t stop_signals = BlockStopSignals();
  if (f.workers < 1) ThrowUsage("--workers must be at least 1");
  if (f.port < 0 || f.port > 65535) ThrowUsage("--port must be between 0 and 65535");
  if (f.max_request_size < 1) ThrowUsage("--max-request-size must be positive");

  track::TrackingSettings settings = track::ResolveTracking(f.backend_store_uri);
  bool serve_artifacts = !f.no_serve_artifacts;
  std::string default_artifact_root = f.default_artifact_root;
  if (default_artifact_root.empty()) {
    // As `mlflow server`: with the proxy, new experiments keep their
    // artifacts behind it and clients upload through the server.
    default_artifact_root = serve_artifacts ? "mlflow-artifacts:/" : settings.artifact_root;
  }

  track::ServerOptions options;
  options.host = f.host;
  options.port = f.port;
  options.threads = f.workers;
  options.max_request_bytes = f.max_request_size;
  if (serve_artifacts) {
    options.artifacts_destination =
        f.artifacts_destination.empty() ? settings.artifact_root : f.artifacts_destination;
  }
  if (!f.auth_token_file.empty()) options.auth_token = ReadToken(f.auth_token_file);

  std::unique_ptr<track::Store> store = track::OpenStore(settings.store_uri, default_artifact_root);
  track::IgnoreLocalStateInGit(settings);
  track::RestServer server(*store, options);
  server.Bind();
  SignalWatcher watcher(server, stop_signals);
  bool ipv6 = f.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + f.host + "]" : f.host;
  Say(fmt::format("leanops server listening on http://{}:{}", host, server.port()));
  std::fflush(stdout);
  server.Serve();
}

}  // namespace

void RegisterServerCommand(CLI::App& app) {
  ServerFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand(
      "server",
      "Serve MLflow's tracking, model registry and artifact REST API over the tracking store");
  cmd->add_option("--host", f.host, "Address to listen on (default: 127.0.0.1)");
  cmd->add_option("-p,--port", f.port, "Port to listen on; 0 picks a free one (default: 5000)");
  cmd->add_option("--backend-store-uri", f.backend_store_uri,
                  "Tracking store: sqlite:///path.db, postgresql://..., http://... (default: the "
                  "project's tracking settings)");
  cmd->add_option("--artifacts-destination", f.artifacts_destination,
                  "Where proxied artifacts are kept: a folder or s3://bucket/prefix (default: the "
                  "project's artifact root)");
  cmd->add_option("--default-artifact-root", f.default_artifact_root,
                  "Artifact location of new experiments (default: mlflow-artifacts:/ when "
                  "artifacts are served, else the project's artifact root)");
  cmd->add_flag("--serve-artifacts", f.serve_artifacts, "Serve the artifact proxy (the default)");
  cmd->add_flag("--no-serve-artifacts", f.no_serve_artifacts,
                "Do not serve the mlflow-artifacts proxy");
  cmd->add_option("--auth-token-file", f.auth_token_file,
                  "Require 'Authorization: Bearer <token>' with the token on the file's first "
                  "line (/health stays open)");
  cmd->add_option("--max-request-size", f.max_request_size,
                  "Largest request body in bytes; larger ones get 413 (default: 1 GiB)");
  cmd->add_option("-w,--workers", f.workers, "Threads serving requests (default: 16)");
  cmd->callback(RunServer);
}

}  // namespace leanops::cli
