// leanops-track-load: load generator for an MLflow-compatible tracking server
// (`leanops server`), and the same writes and reads as a plain loop of
// prepared SQLite statements: the limit a server on SQLite can approach.
//
//   log-batch  --url U [--metrics 1000000] [--batch 1000] [--clients 1]
//   log-metric --url U [--clients 8] [--calls 4000]
//   populate   --url U [--runs 10000] [--clients 4]
//   search     --url U --experiment ID [--filter F] [--order-by O]
//              [--max-results 1000] [--repeat 50] [--warmup 3]
//   history    --url U [--steps 10000] [--repeat 20] [--warmup 2]
//   raw-sqlite --db PATH [--metrics 1000000] [--batch 1000] [--steps 10000]
//              [--runs 10000] [--repeat 20]
//
// Every mode ends with one machine-readable line on stdout,
//   <mode> key=value key=value ...
// (times in milliseconds, rates per second; a value with spaces is quoted and
// comes last). Progress goes to stderr. bench/tracking.sh runs the modes and
// prints the table; bench/README.md describes each measurement.
//
// What is timed is the HTTP exchange only: request bodies are built before
// the clock starts and answers are parsed and checked after it stops, so the
// numbers are the server's (plus loopback), not this client's JSON work.
// Every connection is kept alive, as MLflow's Python client does.

#include <sqlite3.h>
#include <unistd.h>

// clang-format off
#include <utility>  // before Asio: Boost 1.74 uses std::exchange without it
// clang-format on

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/strings.h"

namespace leanops::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr const char* kApi = "/api/2.0/mlflow";

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// splitmix64: the values logged are reproducible from run to run.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// ----------------------------------------------------------------------------- statistics

struct Latencies {
  std::vector<double> ms;

  void Add(double value) { ms.push_back(value); }
  void Merge(const Latencies& other) { ms.insert(ms.end(), other.ms.begin(), other.ms.end()); }
  // Nearest-rank percentile: the smallest sample with at least q of the samples at or below it.
  double Percentile(double q) const {
    if (ms.empty()) return 0;
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
  }
  double Mean() const {
    double sum = 0;
    for (double v : ms) sum += v;
    return ms.empty() ? 0 : sum / static_cast<double>(ms.size());
  }
  // " p50_ms=.. p95_ms=.. p99_ms=.. min_ms=.. max_ms=.. mean_ms=.." with a key prefix.
  std::string Fields(const std::string& prefix) const {
    return fmt::format(
        " {0}p50_ms={1:.3f} {0}p95_ms={2:.3f} {0}p99_ms={3:.3f} {0}min_ms={4:.3f}"
        " {0}max_ms={5:.3f} {0}mean_ms={6:.3f}",
        prefix, Percentile(0.50), Percentile(0.95), Percentile(0.99), Percentile(0.0),
        Percentile(1.0), Mean());
  }
};

// ----------------------------------------------------------------------------- options

class Options {
 public:
  Options(std::string mode, std::set<std::string> known, int argc, char** argv, int first)
      : mode_(std::move(mode)) {
    for (int i = first; i < argc; ++i) {
      std::string arg = argv[i];
      std::string value;
      if (arg.rfind("--", 0) != 0) ThrowUsage("{}: unexpected argument '{}'", mode_, arg);
      arg = arg.substr(2);
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      } else {
        if (i + 1 >= argc) ThrowUsage("{}: --{} needs a value", mode_, arg);
        value = argv[++i];
      }
      if (known.count(arg) == 0) ThrowUsage("{}: unknown option --{}", mode_, arg);
      values_[arg] = value;
    }
  }

  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  std::string Str(const std::string& name, const std::string& fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  std::string Required(const std::string& name) const {
    if (!Has(name)) ThrowUsage("{}: --{} is required", mode_, name);
    return values_.at(name);
  }
  int64_t Int(const std::string& name, int64_t fallback) const {
    if (!Has(name)) return fallback;
    const std::string& text = values_.at(name);
    size_t used = 0;
    int64_t value = 0;
    try {
      value = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || value <= 0) {
      ThrowUsage("{}: --{} must be a positive integer, not '{}'", mode_, name, text);
    }
    return value;
  }

 private:
  std::string mode_;
  std::map<std::string, std::string> values_;
};

// ----------------------------------------------------------------------------- the REST API

struct Answer {
  int status = 0;
  std::string body;
};

using Params = std::vector<std::pair<std::string, std::string>>;

std::string EncodeQuery(const Params& params) {
  std::string query;
  for (const auto& [key, value] : params) {
    query += (query.empty() ? "?" : "&") + leanops::PercentEncode(key) + "=" +
             leanops::PercentEncode(value);
  }
  return query;
}

// One keep-alive connection to the server (Boost.Beast, synchronous); not
// shared between threads.
class Api {
 public:
  explicit Api(const std::string& url) : url_(url) {
    static const std::string kScheme = "http://";
    std::string rest = url.rfind(kScheme, 0) == 0 ? url.substr(kScheme.size()) : "";
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    size_t colon = rest.rfind(':');
    if (rest.empty() || colon == std::string::npos || rest.find('/') != std::string::npos) {
      ThrowUsage("--url must look like http://host:port, not '{}'", url);
    }
    host_ = rest.substr(0, colon);
    port_ = rest.substr(colon + 1);
  }

  // The raw exchange (what the modes time). `endpoint` is the path after /api/2.0/mlflow.
  Answer PostRaw(const std::string& endpoint, const std::string& body) {
    return Exchange(bhttp::verb::post, kApi + endpoint, body);
  }
  Answer GetRaw(const std::string& endpoint, const Params& params) {
    return Exchange(bhttp::verb::get, kApi + endpoint + EncodeQuery(params), "");
  }

  // Parsed, and failing unless the answer is 200.
  json Post(const std::string& endpoint, const json& request) {
    return Parse(endpoint, PostRaw(endpoint, request.dump()));
  }
  json Get(const std::string& endpoint, const Params& params) {
    return Parse(endpoint, GetRaw(endpoint, params));
  }

  // Opens the connection (outside any timing).
  void Connect() { Exchange(bhttp::verb::get, "/health", ""); }

  static json Parse(const std::string& endpoint, const Answer& answer) {
    if (answer.status != 200) {
      ThrowFailed("{} answered HTTP {}: {}", endpoint, answer.status, answer.body.substr(0, 1000));
    }
    try {
      return json::parse(answer.body);
    } catch (const json::exception& e) {
      ThrowFailed("{} answered invalid JSON ({}): {}", endpoint, e.what(),
                  answer.body.substr(0, 200));
    }
  }

 private:
  Answer Exchange(bhttp::verb method, const std::string& target, const std::string& body) {
    bhttp::request<bhttp::string_body> request(method, target, 11);
    request.set(bhttp::field::host, host_);
    if (method == bhttp::verb::post) request.set(bhttp::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    // A connection the server closed while idle is opened again, once.
    for (int attempt = 0;; ++attempt) {
      boost::system::error_code ec;
      if (!stream_.socket().is_open()) {
        asio::ip::tcp::resolver resolver(io_);
        auto endpoints = resolver.resolve(host_, port_, ec);
        if (!ec) stream_.connect(endpoints, ec);
        if (ec) ThrowIO("cannot reach {}: {}", url_, ec.message());
        stream_.socket().set_option(asio::ip::tcp::no_delay(true));
      }
      bhttp::write(stream_, request, ec);
      bhttp::response<bhttp::string_body> response;
      if (!ec) bhttp::read(stream_, buffer_, response, ec);
      if (!ec) {
        if (!response.keep_alive()) stream_.close();
        return {static_cast<int>(response.result_int()), std::move(response.body())};
      }
      stream_.close();
      buffer_.clear();
      if (attempt > 0) ThrowIO("{}{}: {}", url_, target, ec.message());
    }
  }

  std::string url_, host_, port_;
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

std::string UniqueName(const std::string& what) {
  return fmt::format("track-load-{}-{}-{}", what, NowMs(), getpid());
}

std::string CreateExperiment(Api& api, const std::string& what) {
  json answer = api.Post("/experiments/create", {{"name", UniqueName(what)}});
  return answer.at("experiment_id").get<std::string>();
}

std::string CreateRun(Api& api, const std::string& experiment_id, const std::string& name,
                      int64_t start_time) {
  json answer =
      api.Post("/runs/create",
               {{"experiment_id", experiment_id}, {"run_name", name}, {"start_time", start_time}});
  return answer.at("run").at("info").at("run_id").get<std::string>();
}

// A log-batch body of the metric `key` at steps [first, first + count).
std::string MetricBatchBody(const std::string& run_id, const std::string& key, int64_t first,
                            int64_t count, int64_t base_time, Rng& rng) {
  std::string body;
  body.reserve(static_cast<size_t>(count) * 80 + 64);
  body += fmt::format(R"({{"run_id":"{}","metrics":[)", run_id);
  for (int64_t step = first; step < first + count; ++step) {
    if (step != first) body += ',';
    double value = 1.0 / (1.0 + 1e-4 * static_cast<double>(step)) + 0.01 * rng.Uniform();
    body += fmt::format(R"({{"key":"{}","value":{},"timestamp":{},"step":{}}})", key, value,
                        base_time + step, step);
  }
  body += "]}";
  return body;
}

// Runs `work(client_index, api)` on `clients` threads at once, each with its
// own connection (opened before the start signal). Returns the wall time in ms.
template <typename Work>
double RunClients(const std::string& url, int64_t clients, Work work) {
  std::vector<std::unique_ptr<Api>> apis;
  for (int64_t i = 0; i < clients; ++i) {
    apis.push_back(std::make_unique<Api>(url));
    apis.back()->Connect();
  }
  std::latch ready(clients + 1);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  for (int64_t i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      ready.arrive_and_wait();
      try {
        work(i, *apis[static_cast<size_t>(i)]);
      } catch (...) {
        errors[static_cast<size_t>(i)] = std::current_exception();
      }
    });
  }
  ready.arrive_and_wait();
  Clock::time_point start = Clock::now();
  for (std::thread& thread : threads) thread.join();
  double wall_ms = MsSince(start);
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return wall_ms;
}

// ----------------------------------------------------------------------------- log-batch

int LogBatchMode(const Options& options) {
  const std::string url = options.Required("url");
  const int64_t metrics = options.Int("metrics", 1'000'000);
  const int64_t batch = options.Int("batch", 1000);
  const int64_t clients = options.Int("clients", 1);
  Api api(url);
  const std::string experiment = CreateExperiment(api, "log-batch");
  const std::string run_id = CreateRun(api, experiment, "log-batch", NowMs());

  // Bodies first, so that only the exchanges are timed.
  const int64_t base_time = NowMs();
  std::vector<std::string> bodies;
  size_t body_bytes = 0;
  Rng rng(1);
  for (int64_t first = 0; first < metrics; first += batch) {
    bodies.push_back(
        MetricBatchBody(run_id, "loss", first, std::min(batch, metrics - first), base_time, rng));
    body_bytes += bodies.back().size();
  }
  fmt::print(stderr, "log-batch: {} requests of up to {} metrics ({:.1f} MB) to run {}\n",
             bodies.size(), batch, static_cast<double>(body_bytes) / 1e6, run_id);

  std::atomic<size_t> next{0};
  std::vector<Latencies> latencies(static_cast<size_t>(clients));
  double wall_ms = RunClients(url, clients, [&](int64_t client, Api& connection) {
    for (size_t i = next++; i < bodies.size(); i = next++) {
      Clock::time_point start = Clock::now();
      Answer answer = connection.PostRaw("/runs/log-batch", bodies[i]);
      latencies[static_cast<size_t>(client)].Add(MsSince(start));
      Api::Parse("/runs/log-batch", answer);
    }
  });
  Latencies all;
  for (const Latencies& l : latencies) all.Merge(l);

  // The last step must be the run's latest value: every batch was stored.
  json run = api.Get("/runs/get", {{"run_id", run_id}});
  int64_t latest_step = -1;
  for (const json& metric : run.at("run").at("data").value("metrics", json::array())) {
    if (metric.at("key") == "loss") latest_step = metric.value("step", int64_t{0});
  }
  if (latest_step != metrics - 1) {
    ThrowFailed("log-batch: run {} reports latest step {} for 'loss', expected {}", run_id,
                latest_step, metrics - 1);
  }
  fmt::print(
      "log-batch metrics={} batch={} clients={} requests={} seconds={:.3f}"
      " metrics_per_s={:.0f} body_mb={:.1f}{} run_id={}\n",
      metrics, batch, clients, bodies.size(), wall_ms / 1000,
      static_cast<double>(metrics) * 1000 / wall_ms, static_cast<double>(body_bytes) / 1e6,
      all.Fields("req_"), run_id);
  return 0;
}

// ----------------------------------------------------------------------------- log-metric

int LogMetricMode(const Options& options) {
  const std::string url = options.Required("url");
  const int64_t clients = options.Int("clients", 8);
  const int64_t calls = options.Int("calls", 4000);
  Api api(url);
  const std::string experiment = CreateExperiment(api, "log-metric");
  // One run per client, as concurrent training jobs would have.
  std::vector<std::string> runs;
  for (int64_t i = 0; i < clients; ++i) {
    runs.push_back(CreateRun(api, experiment, fmt::format("client-{}", i), NowMs()));
  }
  const int64_t base_time = NowMs();
  std::vector<Latencies> latencies(static_cast<size_t>(clients));
  double wall_ms = RunClients(url, clients, [&](int64_t client, Api& connection) {
    Rng rng(static_cast<uint64_t>(client) + 100);
    const std::string& run_id = runs[static_cast<size_t>(client)];
    const int64_t mine = calls / clients + (client < calls % clients ? 1 : 0);
    for (int64_t step = 0; step < mine; ++step) {
      std::string body =
          fmt::format(R"({{"run_id":"{}","key":"loss","value":{},"timestamp":{},"step":{}}})",
                      run_id, rng.Uniform(), base_time + step, step);
      Clock::time_point start = Clock::now();
      Answer answer = connection.PostRaw("/runs/log-metric", body);
      latencies[static_cast<size_t>(client)].Add(MsSince(start));
      Api::Parse("/runs/log-metric", answer);
    }
  });
  Latencies all;
  for (const Latencies& l : latencies) all.Merge(l);
  fmt::print("log-metric clients={} calls={} seconds={:.3f} calls_per_s={:.1f}{}\n", clients, calls,
             wall_ms / 1000, static_cast<double>(calls) * 1000 / wall_ms, all.Fields(""));
  return 0;
}

// ----------------------------------------------------------------------------- populate

// Run i of a populated experiment: three params, three metrics at step 0, a tag.
std::string PopulateBatchBody(const std::string& run_id, int64_t i, int64_t time) {
  Rng rng(static_cast<uint64_t>(i) * 7919 + 3);
  const char* optimizers[] = {"adam", "sgd", "rmsprop"};
  double auc = rng.Uniform();
  json body = {
      {"run_id", run_id},
      {"params",
       {{{"key", "lr"}, {"value", fmt::format("{}", 0.001 * static_cast<double>(1 + i % 10))}},
        {{"key", "depth"}, {"value", std::to_string(2 + i % 8)}},
        {{"key", "optimizer"}, {"value", optimizers[i % 3]}}}},
      {"metrics",
       {{{"key", "auc"}, {"value", auc}, {"timestamp", time}, {"step", 0}},
        {{"key", "loss"},
         {"value", 1.0 - auc + 0.1 * rng.Uniform()},
         {"timestamp", time},
         {"step", 0}},
        {{"key", "accuracy"}, {"value", rng.Uniform()}, {"timestamp", time}, {"step", 0}}}},
      {"tags", {{{"key", "team"}, {"value", fmt::format("team-{}", i % 5)}}}},
  };
  return body.dump();
}

int PopulateMode(const Options& options) {
  const std::string url = options.Required("url");
  const int64_t runs = options.Int("runs", 10'000);
  const int64_t clients = options.Int("clients", 4);
  Api api(url);
  const std::string experiment = CreateExperiment(api, "search");
  const int64_t base_time = NowMs() - runs;
  std::atomic<int64_t> next{0};
  double wall_ms = RunClients(url, clients, [&](int64_t, Api& connection) {
    for (int64_t i = next++; i < runs; i = next++) {
      // Distinct start times: the order of the search's tie-break is stable.
      std::string run_id =
          CreateRun(connection, experiment, fmt::format("run-{:05d}", i), base_time + i);
      Api::Parse("/runs/log-batch",
                 connection.PostRaw("/runs/log-batch", PopulateBatchBody(run_id, i, base_time)));
      if ((i + 1) % 2000 == 0) fmt::print(stderr, "populate: {} runs\n", i + 1);
    }
  });
  fmt::print("populate experiment_id={} runs={} clients={} seconds={:.3f} runs_per_s={:.0f}\n",
             experiment, runs, clients, wall_ms / 1000, static_cast<double>(runs) * 1000 / wall_ms);
  return 0;
}

// ----------------------------------------------------------------------------- search

// "metrics.<key> <op> <number>" or "metrics.<key> [ASC|DESC]"; the checks of
// the answers understand only these forms and are skipped for others.
struct MetricCondition {
  std::string key;
  std::string op;
  double value = 0;
};

std::optional<MetricCondition> ParseMetricCondition(const std::string& text) {
  char key[256] = {0};
  char op[3] = {0};
  double value = 0;
  if (std::sscanf(text.c_str(), " metrics.%255[A-Za-z0-9_] %2[<>=!] %lf", key, op, &value) != 3) {
    return std::nullopt;
  }
  return MetricCondition{key, op, value};
}

bool Holds(const MetricCondition& c, double v) {
  if (c.op == ">") return v > c.value;
  if (c.op == ">=") return v >= c.value;
  if (c.op == "<") return v < c.value;
  if (c.op == "<=") return v <= c.value;
  if (c.op == "=") return v == c.value;
  if (c.op == "!=") return v != c.value;
  return true;
}

std::optional<std::pair<std::string, bool>> ParseMetricOrder(const std::string& text) {
  char key[256] = {0};
  char direction[5] = {0};
  int fields = std::sscanf(text.c_str(), " metrics.%255[A-Za-z0-9_] %4s", key, direction);
  if (fields < 1) return std::nullopt;
  std::string dir = fields == 2 ? direction : "ASC";
  for (char& ch : dir) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (dir != "ASC" && dir != "DESC") return std::nullopt;
  return std::make_pair(std::string(key), dir == "DESC");
}

std::optional<double> MetricOf(const json& run, const std::string& key) {
  for (const json& metric : run.at("data").value("metrics", json::array())) {
    if (metric.at("key") == key && metric.at("value").is_number()) {
      return metric.at("value").get<double>();
    }
  }
  return std::nullopt;
}

// Checks that every run satisfies the filter and that the runs are in order.
// Returns "yes", "partial" (only the forms understood) or "skipped".
std::string CheckSearch(const json& answer, const std::string& filter,
                        const std::string& order_by) {
  const json runs = answer.value("runs", json::array());
  std::optional<MetricCondition> condition = ParseMetricCondition(filter);
  std::optional<std::pair<std::string, bool>> order = ParseMetricOrder(order_by);
  bool all_understood = (filter.empty() || condition) && (order_by.empty() || order);
  std::optional<double> previous;
  for (const json& run : runs) {
    const std::string run_id = run.at("info").at("run_id");
    if (condition) {
      std::optional<double> value = MetricOf(run, condition->key);
      if (!value || !Holds(*condition, *value)) {
        ThrowFailed("search: run {} does not satisfy '{}'", run_id, filter);
      }
    }
    if (order) {
      std::optional<double> value = MetricOf(run, order->first);
      if (!value) continue;  // runs without the metric sort last
      if (previous && (order->second ? *value > *previous : *value < *previous)) {
        ThrowFailed("search: run {} ({}) is out of order for '{}'", run_id, *value, order_by);
      }
      previous = value;
    }
  }
  if (!condition && !order) return "skipped";
  return all_understood ? "yes" : "partial";
}

int SearchMode(const Options& options) {
  const std::string url = options.Required("url");
  const std::string experiment = options.Required("experiment");
  const std::string filter = options.Str("filter");
  const std::string order_by = options.Str("order-by");
  const int64_t max_results = options.Int("max-results", 1000);
  const int64_t repeat = options.Int("repeat", 50);
  const int64_t warmup = options.Has("warmup") ? options.Int("warmup", 3) : 3;
  json request = {{"experiment_ids", {experiment}},
                  {"filter", filter},
                  {"max_results", max_results},
                  {"run_view_type", "ACTIVE_ONLY"}};
  if (!order_by.empty()) request["order_by"] = {order_by};
  const std::string body = request.dump();

  Api api(url);
  api.Connect();
  Latencies latencies;
  Answer last;
  for (int64_t i = 0; i < warmup + repeat; ++i) {
    Clock::time_point start = Clock::now();
    last = api.PostRaw("/runs/search", body);
    double ms = MsSince(start);
    if (last.status != 200) Api::Parse("/runs/search", last);
    if (i >= warmup) latencies.Add(ms);
  }
  json answer = Api::Parse("/runs/search", last);
  std::string checked = CheckSearch(answer, filter, order_by);
  size_t runs = answer.value("runs", json::array()).size();
  bool more = !answer.value("next_page_token", std::string()).empty();
  fmt::print(
      "search experiment={} max_results={} repeat={} runs={} more_pages={} bytes={}{}"
      " checked={} filter=\"{}\" order_by=\"{}\"\n",
      experiment, max_results, repeat, runs, more ? "yes" : "no", last.body.size(),
      latencies.Fields(""), checked, filter, order_by);
  return 0;
}

// ----------------------------------------------------------------------------- history

// The "next_page_token" of an answer without parsing it all ("" when absent
// or empty). Tokens are base64, so they hold no escaped characters.
std::string PageToken(const std::string& body) {
  size_t at = body.find("\"next_page_token\"");
  if (at == std::string::npos) return "";
  at = body.find_first_not_of(" \t\r\n:", at + 17);
  if (at == std::string::npos || body[at] != '"') return "";
  size_t end = body.find('"', at + 1);
  return end == std::string::npos ? "" : body.substr(at + 1, end - at - 1);
}

int HistoryMode(const Options& options) {
  const std::string url = options.Required("url");
  const int64_t steps = options.Int("steps", 10'000);
  const int64_t repeat = options.Int("repeat", 20);
  const int64_t warmup = options.Has("warmup") ? options.Int("warmup", 2) : 2;
  Api api(url);
  const std::string experiment = CreateExperiment(api, "history");
  const std::string run_id = CreateRun(api, experiment, "history", NowMs());
  const int64_t base_time = NowMs();
  Rng rng(2);
  for (int64_t first = 0; first < steps; first += 1000) {
    std::string body = MetricBatchBody(run_id, "loss", first,
                                       std::min<int64_t>(1000, steps - first), base_time, rng);
    Api::Parse("/runs/log-batch", api.PostRaw("/runs/log-batch", body));
  }

  // One fetch = every page of the history (MLflow's client pages through it too).
  Latencies latencies;
  std::vector<Answer> pages;
  for (int64_t i = 0; i < warmup + repeat; ++i) {
    pages.clear();
    std::string token;
    Clock::time_point start = Clock::now();
    do {
      Params params = {{"run_id", run_id}, {"metric_key", "loss"}};
      if (!token.empty()) params.emplace_back("page_token", token);
      pages.push_back(api.GetRaw("/metrics/get-history", params));
      if (pages.back().status != 200) break;
      // Only the page token is read here; the pages are parsed after the clock stops.
      token = PageToken(pages.back().body);
    } while (!token.empty());
    double ms = MsSince(start);
    if (i >= warmup) latencies.Add(ms);
  }
  std::vector<bool> seen(static_cast<size_t>(steps), false);
  int64_t count = 0;
  size_t bytes = 0;
  for (const Answer& page : pages) {
    bytes += page.body.size();
    for (const json& metric :
         Api::Parse("/metrics/get-history", page).value("metrics", json::array())) {
      int64_t step = metric.value("step", int64_t{-1});
      if (step < 0 || step >= steps || seen[static_cast<size_t>(step)]) {
        ThrowFailed("history: unexpected or repeated step {} in run {}", step, run_id);
      }
      seen[static_cast<size_t>(step)] = true;
      ++count;
    }
  }
  if (count != steps) ThrowFailed("history: got {} of {} steps of run {}", count, steps, run_id);
  fmt::print("history steps={} repeat={} pages={} bytes={}{} run_id={}\n", steps, repeat,
             pages.size(), bytes, latencies.Fields(""), run_id);
  return 0;
}

// ----------------------------------------------------------------------------- raw SQLite

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

void Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    ThrowIO("sqlite: {}: {}", sql, text);
  }
}

Stmt Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    ThrowIO("sqlite: cannot prepare {}: {}", sql, sqlite3_errmsg(db));
  }
  return Stmt(stmt);
}

void StepDone(sqlite3* db, sqlite3_stmt* stmt) {
  if (sqlite3_step(stmt) != SQLITE_DONE) ThrowIO("sqlite: {}", sqlite3_errmsg(db));
  sqlite3_reset(stmt);
}

// The metrics and latest_metrics tables exactly as src/track/sql_schema.cc
// creates them for SQLite (foreign keys left out: there is no runs table).
constexpr const char* kRawSchema = R"sql(
CREATE TABLE metrics (
  run INTEGER NOT NULL,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value REAL NOT NULL,
  is_nan INTEGER NOT NULL,
  PRIMARY KEY (run, key, step, timestamp, value, is_nan)) WITHOUT ROWID;
CREATE TABLE latest_metrics (
  run INTEGER NOT NULL,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value REAL NOT NULL,
  is_nan INTEGER NOT NULL,
  PRIMARY KEY (run, key)) WITHOUT ROWID;
CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);
)sql";

// Inserts `count` rows of (run, key) at steps [0, count) in transactions of `batch` rows.
void InsertMetrics(sqlite3* db, sqlite3_stmt* insert, int64_t run, const char* key, int64_t count,
                   int64_t batch, int64_t base_time, Rng& rng) {
  for (int64_t first = 0; first < count; first += batch) {
    Exec(db, "BEGIN IMMEDIATE");
    for (int64_t step = first; step < std::min(count, first + batch); ++step) {
      sqlite3_bind_int64(insert, 1, run);
      sqlite3_bind_text(insert, 2, key, -1, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 3, step);
      sqlite3_bind_int64(insert, 4, base_time + step);
      sqlite3_bind_double(insert, 5,
                          1.0 / (1.0 + 1e-4 * static_cast<double>(step)) + 0.01 * rng.Uniform());
      StepDone(db, insert);
    }
    Exec(db, "COMMIT");
  }
}

// Times `repeat` executions of a prepared query (after two untimed ones):
// begin(), then row(stmt) for every row, then end(). `rows` is the row count
// of the last execution.
template <typename Begin, typename Row, typename End>
Latencies TimeQuery(sqlite3* db, sqlite3_stmt* stmt, int64_t repeat, int64_t& rows, Begin begin,
                    Row row, End end) {
  Latencies latencies;
  for (int64_t i = 0; i < repeat + 2; ++i) {
    rows = 0;
    Clock::time_point start = Clock::now();
    begin();
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      row(stmt);
      ++rows;
    }
    if (rc != SQLITE_DONE) ThrowIO("sqlite: {}", sqlite3_errmsg(db));
    sqlite3_reset(stmt);
    end();
    if (i >= 2) latencies.Add(MsSince(start));
  }
  return latencies;
}

int RawSqliteMode(const Options& options) {
  const std::string path = options.Required("db");
  const int64_t metrics = options.Int("metrics", 1'000'000);
  const int64_t batch = options.Int("batch", 1000);
  const int64_t steps = options.Int("steps", 10'000);
  const int64_t runs = options.Int("runs", 10'000);
  const int64_t repeat = options.Int("repeat", 20);
  if (std::filesystem::exists(path)) {
    ThrowUsage("raw-sqlite: {} exists; give the path of a new database", path);
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) ThrowIO("sqlite: cannot open {}: {}", path, sqlite3_errmsg(raw));
  Exec(db.get(), "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  Exec(db.get(), kRawSchema);
  Stmt insert = Prepare(db.get(),
                        "INSERT INTO metrics (run, key, step, timestamp, value, is_nan)"
                        " VALUES (?, ?, ?, ?, ?, 0)");

  // 1. The insert rate: run 1, one key, distinct steps, as the log-batch mode sends.
  const int64_t base_time = NowMs();
  Rng rng(1);
  Clock::time_point start = Clock::now();
  InsertMetrics(db.get(), insert.get(), 1, "loss", metrics, batch, base_time, rng);
  const double insert_ms = MsSince(start);
  fmt::print(stderr, "raw-sqlite: {} inserts in {:.0f} ms\n", metrics, insert_ms);

  // 2. One metric's history: run 2, `steps` steps, read back whole.
  InsertMetrics(db.get(), insert.get(), 2, "loss", steps, 1000, base_time, rng);
  Stmt history = Prepare(db.get(),
                         "SELECT key, value, timestamp, step, is_nan FROM metrics"
                         " WHERE run = ? AND key = ?");
  sqlite3_bind_int64(history.get(), 1, 2);
  sqlite3_bind_text(history.get(), 2, "loss", -1, SQLITE_STATIC);
  struct Point {
    double value;
    int64_t timestamp;
    int64_t step;
  };
  std::vector<Point> points;
  points.reserve(static_cast<size_t>(steps));
  int64_t history_rows = 0;
  auto nothing = [] {};
  Latencies history_select = TimeQuery(
      db.get(), history.get(), repeat, history_rows, [&] { points.clear(); },
      [&](sqlite3_stmt* s) {
        points.push_back(
            {sqlite3_column_double(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)});
      },
      nothing);
  // The same, plus writing MLflow's JSON answer: the least a server must do.
  std::string out;
  Latencies history_json = TimeQuery(
      db.get(), history.get(), repeat, history_rows, [&] { out = R"({"metrics":[)"; },
      [&](sqlite3_stmt* s) {
        if (out.back() != '[') out += ',';
        fmt::format_to(
            std::back_inserter(out), R"({{"key":"{}","value":{},"timestamp":{},"step":{}}})",
            reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), sqlite3_column_double(s, 1),
            sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
      },
      [&] { out += "]}"; });
  if (history_rows != steps) ThrowInternal("raw-sqlite: read {} of {} steps", history_rows, steps);

  // 3. An ordered select over `runs` runs' latest values, as a search ordered by a metric needs.
  Stmt latest = Prepare(db.get(),
                        "INSERT INTO latest_metrics (run, key, step, timestamp, value, is_nan)"
                        " VALUES (?, ?, 0, ?, ?, 0)");
  Exec(db.get(), "BEGIN IMMEDIATE");
  for (int64_t run = 0; run < runs; ++run) {
    Rng run_rng(static_cast<uint64_t>(run) * 7919 + 3);
    double auc = run_rng.Uniform();
    for (auto [key, value] : {std::pair<const char*, double>{"auc", auc},
                              {"loss", 1.0 - auc + 0.1 * run_rng.Uniform()},
                              {"accuracy", run_rng.Uniform()}}) {
      sqlite3_bind_int64(latest.get(), 1, 100 + run);
      sqlite3_bind_text(latest.get(), 2, key, -1, SQLITE_STATIC);
      sqlite3_bind_int64(latest.get(), 3, base_time);
      sqlite3_bind_double(latest.get(), 4, value);
      StepDone(db.get(), latest.get());
    }
  }
  Exec(db.get(), "COMMIT");
  Exec(db.get(), "ANALYZE");
  Stmt ordered_search = Prepare(db.get(),
                                "SELECT run, value FROM latest_metrics WHERE key = 'auc'"
                                " AND value > 0.5 ORDER BY value DESC LIMIT 1000");
  Stmt ordered_all = Prepare(db.get(),
                             "SELECT run, value FROM latest_metrics WHERE key = 'auc'"
                             " ORDER BY value DESC");
  double sink = 0;
  auto read = [&](sqlite3_stmt* s) {
    sink += static_cast<double>(sqlite3_column_int64(s, 0)) + sqlite3_column_double(s, 1);
  };
  int64_t search_rows = 0;
  int64_t all_rows = 0;
  Latencies search =
      TimeQuery(db.get(), ordered_search.get(), repeat, search_rows, nothing, read, nothing);
  Latencies all = TimeQuery(db.get(), ordered_all.get(), repeat, all_rows, nothing, read, nothing);

  fmt::print(
      "raw-sqlite metrics={} batch={} seconds={:.3f} inserts_per_s={:.0f}"
      " history_steps={}{}{} ordered_search_rows={}{} ordered_all_rows={}{}\n",
      metrics, batch, insert_ms / 1000, static_cast<double>(metrics) * 1000 / insert_ms,
      history_rows, history_select.Fields("history_"), history_json.Fields("history_json_"),
      search_rows, search.Fields("ordered_search_"), all_rows, all.Fields("ordered_all_"));
  if (sink < 0) fmt::print(stderr, "{}\n", sink);  // keeps the reads from being optimised out
  return 0;
}

// ----------------------------------------------------------------------------- main

constexpr const char* kUsage = R"(usage: leanops-track-load MODE [--option value ...]

modes (all but raw-sqlite talk to a tracking server at --url http://host:port):
  log-batch  --url U [--metrics 1000000] [--batch 1000] [--clients 1]
             one run, log-batch requests of --batch metrics at distinct steps; metrics/s
  log-metric --url U [--clients 8] [--calls 4000]
             --calls single log-metric calls over --clients keep-alive connections
             (one run each); calls/s and latency percentiles
  populate   --url U [--runs 10000] [--clients 4]
             a new experiment of --runs runs, each with 3 params, 3 metrics (auc, loss,
             accuracy) and a tag; prints experiment_id
  search     --url U --experiment ID [--filter F] [--order-by O] [--max-results 1000]
             [--repeat 50] [--warmup 3]
             latency of runs/search (one page of --max-results runs)
  history    --url U [--steps 10000] [--repeat 20] [--warmup 2]
             logs --steps steps of one metric, then times metrics/get-history (all pages)
  raw-sqlite --db NEW_PATH [--metrics 1000000] [--batch 1000] [--steps 10000]
             [--runs 10000] [--repeat 20]
             the same inserts and selects as a plain loop of prepared SQLite statements

Each mode prints one line "MODE key=value ..." on stdout (times in ms).
)";

int Main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    fmt::print(argc < 2 ? stderr : stdout, "{}", kUsage);
    return argc < 2 ? 2 : 0;
  }
  const std::string mode = argv[1];
  if (mode == "log-batch") {
    return LogBatchMode(Options(mode, {"url", "metrics", "batch", "clients"}, argc, argv, 2));
  }
  if (mode == "log-metric") {
    return LogMetricMode(Options(mode, {"url", "clients", "calls"}, argc, argv, 2));
  }
  if (mode == "populate") {
    return PopulateMode(Options(mode, {"url", "runs", "clients"}, argc, argv, 2));
  }
  if (mode == "search") {
    return SearchMode(Options(
        mode, {"url", "experiment", "filter", "order-by", "max-results", "repeat", "warmup"}, argc,
        argv, 2));
  }
  if (mode == "history") {
    return HistoryMode(Options(mode, {"url", "steps", "repeat", "warmup"}, argc, argv, 2));
  }
  if (mode == "raw-sqlite") {
    return RawSqliteMode(
        Options(mode, {"db", "metrics", "batch", "steps", "runs", "repeat"}, argc, argv, 2));
  }
  ThrowUsage("unknown mode '{}' (see --help)", mode);
}

}  // namespace
}  // namespace leanops::bench

int main(int argc, char** argv) {
  try {
    return leanops::bench::Main(argc, argv);
  } catch (const leanops::Error& e) {
    fmt::print(stderr, "leanops-track-load: error: {}\n", e.what());
    return leanops::ExitCodeFor(e.kind());
  } catch (const std::exception& e) {
    fmt::print(stderr, "leanops-track-load: error: {}\n", e.what());
    return 1;
  }
}
