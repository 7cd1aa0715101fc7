// RestStore against a small in-process HTTP server (the project's own
// http::Server, which has its own tests) that records each request and
// answers with canned MLflow JSON: every Store method must send the request
// MLflow's Python client sends and read MLflow's answer.
#include "track/rest_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cmath>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "core/error.h"
#include "track/http_server.h"

namespace leanops::track {
namespace {

using nlohmann::json;

struct Recorded {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names

  json Json() const { return json::parse(body); }
  std::vector<std::string> Values(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [name, value] : query)
      if (name == key) out.push_back(value);
    return out;
  }
  std::string Header(const std::string& lower_case_name) const {
    for (const auto& [name, value] : headers)
      if (name == lower_case_name) return value;
    return "";
  }
};

// Answers queued with Answer() in order, then 200 "{}".
class FakeServer {
 public:
  FakeServer()
      : server_(http::Options{.threads = 4},
                [this](const http::Request& request, http::BodyReader& body,
                       http::Response& response) { Handle(request, body, response); }) {
    server_.Bind();
    thread_ = std::thread([this] { server_.Serve(); });
  }
  ~FakeServer() {
    server_.Stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  void Answer(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mutex_);
    answers_.emplace_back(status, std::move(body));
  }
  void Answer(const json& body) { Answer(200, body.dump()); }

  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  Recorded Last() {
    std::lock_guard<std::mutex> lock(mutex_);
    EXPECT_FALSE(requests_.empty());
    return requests_.empty() ? Recorded{} : requests_.back();
  }

 private:
  void Handle(const http::Request& request, http::BodyReader& body, http::Response& response) {
    Recorded recorded{request.method, request.path, request.query, "", request.headers};
    try {
      recorded.body = body.ReadAll();
    } catch (const Error& e) {
      ADD_FAILURE() << "cannot read the request body: " << e.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(std::move(recorded));
    response.status = 200;
    response.body = "{}";
    if (!answers_.empty()) {
      std::tie(response.status, response.body) = answers_.front();
      answers_.pop_front();
    }
    response.content_type = response.body.starts_with("{") ? "application/json" : "text/html";
  }

  http::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<std::pair<int, std::string>> answers_;
  std::vector<Recorded> requests_;
};

class RestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Retries without waiting; the store reads its settings when opened.
    SetEnv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0");
    SetEnv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "3");
    store_ = OpenRestStore(server_.url() + "/", "");
  }
  void TearDown() override {
    // Newest first, so a variable set twice gets its original value back.
    for (auto it = saved_env_.rbegin(); it != saved_env_.rend(); ++it) {
      if (it->second)
        setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        unsetenv(it->first.c_str());
    }
  }

  void SetEnv(const std::string& name, const std::string& value) {
    const char* old = std::getenv(name.c_str());
    saved_env_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(name.c_str(), value.c_str(), 1);
  }

  // The request the last call sent, which must be `method path`.
  Recorded Expect(const std::string& method, const std::string& path) {
    Recorded request = server_.Last();
    EXPECT_EQ(request.method, method);
    EXPECT_EQ(request.path, "/api/2.0" + path);
    if (method != "GET") {
      EXPECT_EQ(request.Header("content-type"), "application/json");
    }
    return request;
  }

  FakeServer server_;
  std::unique_ptr<Store> store_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_env_;
};

const json kExperiment = {{"experiment_id", "7"},
                          {"name", "churn"},
                          {"artifact_location", "mlflow-artifacts:/7"},
                          {"lifecycle_stage", "active"},
                          {"creation_time", 1700000000000},
                          {"last_update_time", 1700000000001},
                          {"tags", {{{"key", "team"}, {"value", "ml"}}}}};

const json kRun = {
    {"info",
     {{"run_id", "0123456789abcdef0123456789abcdef"},
      {"run_uuid", "0123456789abcdef0123456789abcdef"},
      {"run_name", "brave-fox"},
      {"experiment_id", "7"},
      {"user_id", "ana"},
      {"status", "FINISHED"},
      {"start_time", 1700000000000},
      {"end_time", 1700000005000},
      {"artifact_uri", "mlflow-artifacts:/7/0123/artifacts"},
      {"lifecycle_stage", "active"}}},
    {"data",
     {{"metrics", {{{"key", "auc"}, {"value", "NaN"}, {"timestamp", 5}, {"step", 2}}}},
      {"params", {{{"key", "lr"}, {"value", "0.1"}}}},
      {"tags", {{{"key", "mlflow.user"}, {"value", "ana"}}}}}},
    {"inputs",
     {{"dataset_inputs",
       {{{"tags", {{{"key", "mlflow.data.context"}, {"value", "training"}}}},
         {"dataset",
          {{"name", "train"},
           {"digest", "abc"},
           {"source_type", "local"},
           {"source", "data/train.csv"}}}}}}}}};

const json kVersion = {{"name", "churn"},
                       {"version", "3"},
                       {"creation_timestamp", 10},
                       {"last_updated_timestamp", 11},
                       {"user_id", "ana"},
                       {"current_stage", "Staging"},
                       {"description", "third"},
                       {"source", "runs:/0123/model"},
                       {"run_id", "0123"},
                       {"status", "READY"},
                       {"tags", {{{"key", "k"}, {"value", "v"}}}},
                       {"aliases", {"champion"}}};

const json kModel = {{"name", "churn"},
                     {"creation_timestamp", 10},
                     {"last_updated_timestamp", 12},
                     {"description", "churn model"},
                     {"latest_versions", {kVersion}},
                     {"tags", {{{"key", "owner"}, {"value", "ml"}}}},
                     {"aliases", {{{"alias", "champion"}, {"version", "3"}}}}};

TEST_F(RestClientTest, CreateExperimentPostsNameLocationAndTags) {
  server_.Answer(json{{"experiment_id", "7"}});
  EXPECT_EQ(store_->CreateExperiment("churn", "s3://b/x", {{"team", "ml"}}), "7");
  Recorded request = Expect("POST", "/mlflow/experiments/create");
  EXPECT_EQ(request.Json(), (json{{"name", "churn"},
                                  {"artifact_location", "s3://b/x"},
                                  {"tags", {{{"key", "team"}, {"value", "ml"}}}}}));

  server_.Answer(json{{"experiment_id", "8"}});
  EXPECT_EQ(store_->CreateExperiment("bare", "", {}), "8");
  EXPECT_EQ(server_.Last().Json(), (json{{"name", "bare"}}));  // unset fields left out
}

TEST_F(RestClientTest, GetExperimentReadsTheAnswer) {
  server_.Answer(json{{"experiment", kExperiment}});
  Experiment experiment = store_->GetExperiment("7");
  Recorded request = Expect("GET", "/mlflow/experiments/get");
  EXPECT_EQ(request.Values("experiment_id"), std::vector<std::string>{"7"});
  EXPECT_TRUE(request.body.empty());
  EXPECT_EQ(experiment.experiment_id, "7");
  EXPECT_EQ(experiment.name, "churn");
  EXPECT_EQ(experiment.artifact_location, "mlflow-artifacts:/7");
  EXPECT_EQ(experiment.lifecycle_stage, LifecycleStage::kActive);
  EXPECT_EQ(experiment.creation_time, 1700000000000);
  EXPECT_EQ(experiment.tags, (std::vector<Tag>{{"team", "ml"}}));
}

TEST_F(RestClientTest, QueryValuesArePercentEncoded) {
  server_.Answer(json{{"experiment", kExperiment}});
  const std::string name = "a b&c=d/é+%";
  store_->GetExperimentByName(name);
  Recorded request = Expect("GET", "/mlflow/experiments/get-by-name");
  EXPECT_EQ(request.Values("experiment_name"), std::vector<std::string>{name});
}

TEST_F(RestClientTest, SearchExperimentsPostsTheQueryAndReadsThePage) {
  server_.Answer(json{{"experiments", {kExperiment}}, {"next_page_token", "tok2"}});
  ExperimentQuery query;
  query.filter = "name LIKE 'c%'";
  query.order_by = {"name DESC", "experiment_id"};
  query.view = ViewType::kAll;
  query.max_results = 50;
  query.page_token = "tok1";
  Page<Experiment> page = store_->SearchExperiments(query);
  Recorded request = Expect("POST", "/mlflow/experiments/search");
  EXPECT_EQ(request.Json(), (json{{"max_results", 50},
                                  {"page_token", "tok1"},
                                  {"filter", "name LIKE 'c%'"},
                                  {"order_by", {"name DESC", "experiment_id"}},
                                  {"view_type", "ALL"}}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].name, "churn");
  EXPECT_EQ(page.next_page_token, "tok2");

  server_.Answer(json::object());  // last page: no token, no experiments
  page = store_->SearchExperiments(ExperimentQuery{});
  EXPECT_EQ(server_.Last().Json(), (json{{"max_results", 1000}, {"view_type", "ACTIVE_ONLY"}}));
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.next_page_token, "");
}

TEST_F(RestClientTest, ExperimentUpdatesPostTheirFields) {
  store_->DeleteExperiment("7");
  EXPECT_EQ(Expect("POST", "/mlflow/experiments/delete").Json(), (json{{"experiment_id", "7"}}));
  store_->RestoreExperiment("7");
  EXPECT_EQ(Expect("POST", "/mlflow/experiments/restore").Json(), (json{{"experiment_id", "7"}}));
  store_->RenameExperiment("7", "new");
  EXPECT_EQ(Expect("POST", "/mlflow/experiments/update").Json(),
            (json{{"experiment_id", "7"}, {"new_name", "new"}}));
  store_->SetExperimentTag("7", {"k", "v"});
  EXPECT_EQ(Expect("POST", "/mlflow/experiments/set-experiment-tag").Json(),
            (json{{"experiment_id", "7"}, {"key", "k"}, {"value", "v"}}));
  store_->DeleteExperimentTag("7", "k");
  EXPECT_EQ(Expect("POST", "/mlflow/experiments/delete-experiment-tag").Json(),
            (json{{"experiment_id", "7"}, {"key", "k"}}));
}

TEST_F(RestClientTest, CreateRunSendsTheRunAndReadsIt) {
  server_.Answer(json{{"run", kRun}});
  NewRun run;
  run.experiment_id = "7";
  run.run_name = "brave-fox";
  run.user_id = "ana";
  run.start_time = 1700000000000;
  run.tags = {{"mlflow.user", "ana"}};
  track::Run created = store_->CreateRun(run);
  EXPECT_EQ(Expect("POST", "/mlflow/runs/create").Json(),
            (json{{"experiment_id", "7"},
                  {"run_name", "brave-fox"},
                  {"user_id", "ana"},
                  {"start_time", 1700000000000},
                  {"tags", {{{"key", "mlflow.user"}, {"value", "ana"}}}}}));
  EXPECT_EQ(created.info.run_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(created.info.status, RunStatus::kFinished);
  EXPECT_EQ(created.info.end_time, std::optional<int64_t>(1700000005000));
  ASSERT_EQ(created.metrics.size(), 1u);
  EXPECT_TRUE(std::isnan(created.metrics[0].value));
  EXPECT_EQ(created.metrics[0].step, 2);
  EXPECT_EQ(created.params, (std::vector<Param>{{"lr", "0.1"}}));
  ASSERT_EQ(created.inputs.size(), 1u);
  EXPECT_EQ(created.inputs[0].dataset.source, "data/train.csv");

  // The default experiment and a start time of now, as MLflow's client sends them.
  server_.Answer(json{{"run", kRun}});
  store_->CreateRun(NewRun{});
  json body = server_.Last().Json();
  EXPECT_EQ(body["experiment_id"], "0");
  EXPECT_GT(body["start_time"].get<int64_t>(), 1600000000000);
  EXPECT_FALSE(body.contains("run_name"));
}

TEST_F(RestClientTest, UpdateRunSendsOnlyWhatChanges) {
  json info = kRun["info"];
  server_.Answer(json{{"run_info", info}});
  RunUpdate update;
  update.run_id = "0123";
  update.status = RunStatus::kFinished;
  update.end_time = 1700000005000;
  RunInfo updated = store_->UpdateRun(update);
  EXPECT_EQ(Expect("POST", "/mlflow/runs/update").Json(), (json{{"run_id", "0123"},
                                                                {"run_uuid", "0123"},
                                                                {"status", "FINISHED"},
                                                                {"end_time", 1700000005000}}));
  EXPECT_EQ(updated.run_name, "brave-fox");
}

TEST_F(RestClientTest, RunReadsAndDeletes) {
  server_.Answer(json{{"run", kRun}});
  EXPECT_EQ(store_->GetRun("0123").info.user_id, "ana");
  Recorded get = Expect("GET", "/mlflow/runs/get");
  EXPECT_EQ(get.Values("run_id"), std::vector<std::string>{"0123"});

  store_->DeleteRun("0123");
  EXPECT_EQ(Expect("POST", "/mlflow/runs/delete").Json(), (json{{"run_id", "0123"}}));
  store_->RestoreRun("0123");
  EXPECT_EQ(Expect("POST", "/mlflow/runs/restore").Json(), (json{{"run_id", "0123"}}));
  store_->DeleteTag("0123", "k");
  EXPECT_EQ(Expect("POST", "/mlflow/runs/delete-tag").Json(),
            (json{{"run_id", "0123"}, {"key", "k"}}));
}

TEST_F(RestClientTest, SearchRunsPostsTheQuery) {
  server_.Answer(json{{"runs", {kRun, kRun}}, {"next_page_token", "next"}});
  RunQuery query;
  query.experiment_ids = {"1", "7"};
  query.filter = "metrics.auc > 0.8";
  query.view = ViewType::kDeletedOnly;
  query.max_results = 10;
  query.order_by = {"metrics.auc DESC"};
  Page<track::Run> page = store_->SearchRuns(query);
  EXPECT_EQ(Expect("POST", "/mlflow/runs/search").Json(),
            (json{{"experiment_ids", {"1", "7"}},
                  {"filter", "metrics.auc > 0.8"},
                  {"run_view_type", "DELETED_ONLY"},
                  {"max_results", 10},
                  {"order_by", {"metrics.auc DESC"}}}));
  EXPECT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.next_page_token, "next");
}

TEST_F(RestClientTest, LogBatchAndInputsPostMlflowShapes) {
  store_->LogBatch("0123", {{"auc", 0.5, 10, 1}, {"loss", INFINITY, 11, 2}, {"nan", NAN, 12, 3}},
                   {{"lr", "0.1"}}, {{"t", "v"}});
  EXPECT_EQ(Expect("POST", "/mlflow/runs/log-batch").Json(),
            (json{{"run_id", "0123"},
                  {"metrics",
                   {{{"key", "auc"}, {"value", 0.5}, {"timestamp", 10}, {"step", 1}},
                    {{"key", "loss"}, {"value", "Infinity"}, {"timestamp", 11}, {"step", 2}},
                    {{"key", "nan"}, {"value", "NaN"}, {"timestamp", 12}, {"step", 3}}}},
                  {"params", {{{"key", "lr"}, {"value", "0.1"}}}},
                  {"tags", {{{"key", "t"}, {"value", "v"}}}}}));

  store_->LogBatch("0123", {}, {{"only", "param"}}, {});
  EXPECT_EQ(server_.Last().Json(),
            (json{{"run_id", "0123"}, {"params", {{{"key", "only"}, {"value", "param"}}}}}));

  DatasetInput input;
  input.tags = {{"mlflow.data.context", "training"}};
  input.dataset = {"train", "abc", "local", "data/train.csv", "", ""};
  store_->LogInputs("0123", {input});
  json body = Expect("POST", "/mlflow/runs/log-inputs").Json();
  EXPECT_EQ(body["run_id"], "0123");
  ASSERT_EQ(body["datasets"].size(), 1u);
  EXPECT_EQ(body["datasets"][0]["dataset"]["digest"], "abc");
  EXPECT_EQ(body["datasets"][0]["tags"][0]["value"], "training");
}

TEST_F(RestClientTest, MetricHistoryIsAGetWithPaging) {
  server_.Answer(json{{"metrics",
                       {{{"key", "auc"}, {"value", 0.5}, {"timestamp", 1}, {"step", 0}},
                        {{"key", "auc"}, {"value", "-Infinity"}, {"timestamp", "2"}, {"step", 1}}}},
                      {"next_page_token", "p2"}});
  Page<Metric> page = store_->GetMetricHistory("0123", "auc", 2, "p1");
  Recorded request = Expect("GET", "/mlflow/metrics/get-history");
  EXPECT_EQ(request.Values("run_id"), std::vector<std::string>{"0123"});
  EXPECT_EQ(request.Values("metric_key"), std::vector<std::string>{"auc"});
  EXPECT_EQ(request.Values("max_results"), std::vector<std::string>{"2"});
  EXPECT_EQ(request.Values("page_token"), std::vector<std::string>{"p1"});
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[1].value, -INFINITY);
  EXPECT_EQ(page.items[1].timestamp, 2);
  EXPECT_EQ(page.next_page_token, "p2");

  store_->GetMetricHistory("0123", "auc", 0, "");  // all points: no max_results
  request = server_.Last();
  EXPECT_TRUE(request.Values("max_results").empty());
  EXPECT_TRUE(request.Values("page_token").empty());
}

TEST_F(RestClientTest, RegisteredModelCalls) {
  server_.Answer(json{{"registered_model", kModel}});
  RegisteredModel model = store_->CreateRegisteredModel("churn", {{"owner", "ml"}}, "churn model");
  EXPECT_EQ(Expect("POST", "/mlflow/registered-models/create").Json(),
            (json{{"name", "churn"},
                  {"tags", {{{"key", "owner"}, {"value", "ml"}}}},
                  {"description", "churn model"}}));
  EXPECT_EQ(model.description, "churn model");
  ASSERT_EQ(model.latest_versions.size(), 1u);
  EXPECT_EQ(model.latest_versions[0].version, 3);
  ASSERT_EQ(model.aliases.size(), 1u);
  EXPECT_EQ(model.aliases[0].alias, "champion");
  EXPECT_EQ(model.aliases[0].version, 3);

  server_.Answer(json{{"registered_model", kModel}});
  store_->RenameRegisteredModel("old", "churn");
  EXPECT_EQ(Expect("POST", "/mlflow/registered-models/rename").Json(),
            (json{{"name", "old"}, {"new_name", "churn"}}));

  server_.Answer(json{{"registered_model", kModel}});
  store_->UpdateRegisteredModel("churn", "");
  EXPECT_EQ(Expect("PATCH", "/mlflow/registered-models/update").Json(),
            (json{{"name", "churn"}, {"description", ""}}));

  store_->DeleteRegisteredModel("churn");
  EXPECT_EQ(Expect("DELETE", "/mlflow/registered-models/delete").Json(), (json{{"name", "churn"}}));

  server_.Answer(json{{"registered_model", kModel}});
  EXPECT_EQ(store_->GetRegisteredModel("churn").tags, (std::vector<Tag>{{"owner", "ml"}}));
  EXPECT_EQ(Expect("GET", "/mlflow/registered-models/get").Values("name"),
            std::vector<std::string>{"churn"});

  store_->SetRegisteredModelTag("churn", {"k", "v"});
  EXPECT_EQ(Expect("POST", "/mlflow/registered-models/set-tag").Json(),
            (json{{"name", "churn"}, {"key", "k"}, {"value", "v"}}));
  store_->DeleteRegisteredModelTag("churn", "k");
  EXPECT_EQ(Expect("DELETE", "/mlflow/registered-models/delete-tag").Json(),
            (json{{"name", "churn"}, {"key", "k"}}));
}

TEST_F(RestClientTest, RegistrySearchesRepeatQueryFields) {
  server_.Answer(json{{"registered_models", {kModel}}, {"next_page_token", "n"}});
  ModelSearch search;
  search.filter = "name LIKE '%churn%'";
  search.order_by = {"name ASC", "last_updated_timestamp DESC"};
  search.max_results = 5;
  Page<RegisteredModel> models = store_->SearchRegisteredModels(search);
  Recorded request = Expect("GET", "/mlflow/registered-models/search");
  EXPECT_EQ(request.Values("filter"), std::vector<std::string>{"name LIKE '%churn%'"});
  EXPECT_EQ(request.Values("order_by"),
            (std::vector<std::string>{"name ASC", "last_updated_timestamp DESC"}));
  EXPECT_EQ(request.Values("max_results"), std::vector<std::string>{"5"});
  EXPECT_TRUE(request.Values("page_token").empty());
  ASSERT_EQ(models.items.size(), 1u);
  EXPECT_EQ(models.next_page_token, "n");

  server_.Answer(json{{"model_versions", {kVersion}}});
  ModelSearch versions;
  versions.filter = "run_id IN ('a','b')";
  versions.page_token = "t";
  Page<ModelVersion> page = store_->SearchModelVersions(versions);
  request = Expect("GET", "/mlflow/model-versions/search");
  EXPECT_EQ(request.Values("filter"), std::vector<std::string>{"run_id IN ('a','b')"});
  EXPECT_EQ(request.Values("max_results"), std::vector<std::string>{"100"});
  EXPECT_EQ(request.Values("page_token"), std::vector<std::string>{"t"});
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].aliases, std::vector<std::string>{"champion"});
  EXPECT_EQ(page.next_page_token, "");
}

TEST_F(RestClientTest, ModelVersionCalls) {
  server_.Answer(json{{"model_versions", {kVersion}}});
  std::vector<ModelVersion> latest = store_->GetLatestVersions("churn", {"Staging"});
  EXPECT_EQ(Expect("POST", "/mlflow/registered-models/get-latest-versions").Json(),
            (json{{"name", "churn"}, {"stages", {"Staging"}}}));
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].current_stage, "Staging");

  server_.Answer(json{{"model_version", kVersion}});
  NewModelVersion version;
  version.name = "churn";
  version.source = "runs:/0123/model";
  version.run_id = "0123";
  version.user_id = "ana";
  ModelVersion created = store_->CreateModelVersion(version);
  EXPECT_EQ(Expect("POST", "/mlflow/model-versions/create").Json(),
            (json{{"name", "churn"},
                  {"source", "runs:/0123/model"},
                  {"run_id", "0123"},
                  {"user_id", "ana"}}));
  EXPECT_EQ(created.version, 3);
  EXPECT_EQ(created.status, ModelVersionStatus::kReady);
  EXPECT_EQ(created.tags, (std::vector<Tag>{{"k", "v"}}));

  server_.Answer(json{{"model_version", kVersion}});
  store_->UpdateModelVersion("churn", 3, "third");
  EXPECT_EQ(Expect("PATCH", "/mlflow/model-versions/update").Json(),
            (json{{"name", "churn"}, {"version", "3"}, {"description", "third"}}));

  server_.Answer(json{{"model_version", kVersion}});
  store_->TransitionModelVersionStage("churn", 3, "Staging", true);
  EXPECT_EQ(Expect("POST", "/mlflow/model-versions/transition-stage").Json(),
            (json{{"name", "churn"},
                  {"version", "3"},
                  {"stage", "Staging"},
                  {"archive_existing_versions", true}}));

  store_->DeleteModelVersion("churn", 3);
  EXPECT_EQ(Expect("DELETE", "/mlflow/model-versions/delete").Json(),
            (json{{"name", "churn"}, {"version", "3"}}));

  server_.Answer(json{{"model_version", kVersion}});
  EXPECT_EQ(store_->GetModelVersion("churn", 3).source, "runs:/0123/model");
  Recorded get = Expect("GET", "/mlflow/model-versions/get");
  EXPECT_EQ(get.Values("version"), std::vector<std::string>{"3"});

  server_.Answer(json{{"artifact_uri", "mlflow-artifacts:/7/0123/artifacts/model"}});
  EXPECT_EQ(store_->GetModelVersionDownloadUri("churn", 3),
            "mlflow-artifacts:/7/0123/artifacts/model");
  EXPECT_EQ(Expect("GET", "/mlflow/model-versions/get-download-uri").Values("name"),
            std::vector<std::string>{"churn"});

  store_->SetModelVersionTag("churn", 3, {"k", "v"});
  EXPECT_EQ(Expect("POST", "/mlflow/model-versions/set-tag").Json(),
            (json{{"name", "churn"}, {"version", "3"}, {"key", "k"}, {"value", "v"}}));
  store_->DeleteModelVersionTag("churn", 3, "k");
  EXPECT_EQ(Expect("DELETE", "/mlflow/model-versions/delete-tag").Json(),
            (json{{"name", "churn"}, {"version", "3"}, {"key", "k"}}));
}

TEST_F(RestClientTest, AliasesCarryWhoAndWhy) {
  store_->SetAlias("churn", "champion", 3, {"ana", "better auc"});
  EXPECT_EQ(Expect("POST", "/mlflow/registered-models/alias").Json(),
            (json{{"name", "churn"},
                  {"alias", "champion"},
                  {"version", "3"},
                  {"leanops_user", "ana"},
                  {"leanops_reason", "better auc"}}));
  store_->SetAlias("churn", "champion", 4, {});
  EXPECT_EQ(server_.Last().Json(),
            (json{{"name", "churn"}, {"alias", "champion"}, {"version", "4"}}));

  store_->DeleteAlias("churn", "champion", {"bo", ""});
  EXPECT_EQ(Expect("DELETE", "/mlflow/registered-models/alias").Json(),
            (json{{"name", "churn"}, {"alias", "champion"}, {"leanops_user", "bo"}}));

  server_.Answer(json{{"model_version", kVersion}});
  EXPECT_EQ(store_->GetModelVersionByAlias("churn", "champion").version, 3);
  Recorded get = Expect("GET", "/mlflow/registered-models/alias");
  EXPECT_EQ(get.Values("alias"), std::vector<std::string>{"champion"});
}

TEST_F(RestClientTest, AliasHistoryUsesTheLeanopsEndpoint) {
  server_.Answer(json{
      {"events",
       {{{"model", "churn"},
         {"alias", "champion"},
         {"to_version", "1"},
         {"user", "ana"},
         {"timestamp", 100},
         {"reason", "first"}},
        {{"model", "churn"},
         {"alias", "champion"},
         {"from_version", "1"},
         {"to_version", "2"},
         {"user", "bo"},
         {"timestamp", 200}},
        {{"model", "churn"}, {"alias", "champion"}, {"from_version", "2"}, {"timestamp", 300}}}}});
  std::vector<AliasEvent> events = store_->GetAliasHistory("churn", "champion");
  Recorded request = Expect("GET", "/leanops/registered-models/alias-history");
  EXPECT_EQ(request.Values("name"), std::vector<std::string>{"churn"});
  EXPECT_EQ(request.Values("alias"), std::vector<std::string>{"champion"});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].from_version, std::nullopt);
  EXPECT_EQ(events[0].to_version, std::optional<int64_t>(1));
  EXPECT_EQ(events[0].user, "ana");
  EXPECT_EQ(events[0].reason, "first");
  EXPECT_EQ(events[1].from_version, std::optional<int64_t>(1));
  EXPECT_EQ(events[1].timestamp, 200);
  EXPECT_EQ(events[2].to_version, std::nullopt);

  store_->GetAliasHistory("churn", "");  // every alias: no alias field
  EXPECT_TRUE(server_.Last().Values("alias").empty());
}

// The code of the error `call` throws, with its kind and message.
template <typename Call>
Error Thrown(Call call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorKind::kInternal, "none");
}

TEST_F(RestClientTest, ErrorAnswersBecomeErrorsWithTheirCode) {
  server_.Answer(404, R"({"error_code": "RESOURCE_DOES_NOT_EXIST",
                          "message": "Run '0123' not found"})");
  Error missing = Thrown([&] { store_->GetRun("0123"); });
  EXPECT_EQ(missing.kind(), ErrorKind::kData);
  EXPECT_STREQ(missing.code(), "RESOURCE_DOES_NOT_EXIST");
  EXPECT_STREQ(missing.what(), "Run '0123' not found");

  server_.Answer(400, R"({"error_code": "RESOURCE_ALREADY_EXISTS", "message": "taken"})");
  Error taken = Thrown([&] { store_->CreateExperiment("churn", "", {}); });
  EXPECT_STREQ(taken.code(), "RESOURCE_ALREADY_EXISTS");
  EXPECT_STREQ(taken.what(), "taken");

  server_.Answer(400, R"({"error_code": "INVALID_PARAMETER_VALUE", "message": "bad filter"})");
  EXPECT_STREQ(Thrown([&] { store_->SearchRuns(RunQuery{}); }).code(), "INVALID_PARAMETER_VALUE");

  // INVALID_STATE is a 500, which is not retried.
  size_t before = server_.requests().size();
  server_.Answer(500, R"({"error_code": "INVALID_STATE", "message": "run is deleted"})");
  EXPECT_STREQ(Thrown([&] {
                 store_->LogBatch("0123", {}, {}, {{"k", "v"}});
               }).code(),
               "INVALID_STATE");
  EXPECT_EQ(server_.requests().size(), before + 1);

  // A code this client does not know keeps the server's message.
  server_.Answer(400, R"({"error_code": "SHINY_NEW_CODE", "message": "whatever"})");
  Error unknown = Thrown([&] { store_->GetExperiment("7"); });
  EXPECT_STREQ(unknown.code(), "INTERNAL_ERROR");
  EXPECT_STREQ(unknown.what(), "whatever");
}

TEST_F(RestClientTest, AnswersNotInMlflowFormAreTransportErrors) {
  // A server without the endpoint (MLflow's own, for alias history).
  server_.Answer(404, "<html>Not Found</html>");
  Error missing = Thrown([&] { store_->GetAliasHistory("churn", ""); });
  EXPECT_EQ(missing.kind(), ErrorKind::kIO);
  EXPECT_STREQ(missing.code(), "ENDPOINT_NOT_FOUND");
  EXPECT_NE(std::string(missing.what()).find("HTTP 404"), std::string::npos);
  EXPECT_NE(std::string(missing.what()).find("/api/2.0/leanops/registered-models/alias-history"),
            std::string::npos);

  server_.Answer(200, "not json");
  EXPECT_EQ(Thrown([&] { store_->GetExperiment("7"); }).kind(), ErrorKind::kIO);

  server_.Answer(json::object());  // 200 without the entity
  Error empty = Thrown([&] { store_->GetExperiment("7"); });
  EXPECT_EQ(empty.kind(), ErrorKind::kIO);
  EXPECT_NE(std::string(empty.what()).find("'experiment'"), std::string::npos);
}

TEST_F(RestClientTest, RetriesUnavailableAndRateLimitedAnswers) {
  server_.Answer(503, R"({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"})");
  server_.Answer(429, R"({"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"})");
  server_.Answer(json{{"experiment_id", "9"}});
  // Even a create: 503 and 429 say the server did not carry the request out.
  EXPECT_EQ(store_->CreateExperiment("churn", "", {}), "9");
  std::vector<Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const Recorded& request : requests) EXPECT_EQ(request.Json(), (json{{"name", "churn"}}));

  // A bounded number of times: 1 + MLFLOW_HTTP_REQUEST_MAX_RETRIES (3).
  for (int i = 0; i < 10; ++i)
    server_.Answer(503, R"({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"})");
  Error busy = Thrown([&] { store_->GetExperiment("7"); });
  EXPECT_STREQ(busy.code(), "TEMPORARILY_UNAVAILABLE");
  EXPECT_STREQ(busy.what(), "busy");
  EXPECT_EQ(server_.requests().size(), 3u + 4u);
}

TEST_F(RestClientTest, GatewayErrorsAreRetriedOnlyForRepeatableRequests) {
  server_.Answer(502, "bad gateway");
  server_.Answer(json{{"experiment", kExperiment}});
  EXPECT_EQ(store_->GetExperiment("7").name, "churn");
  EXPECT_EQ(server_.requests().size(), 2u);

  // The server may have created the run before the gateway gave up.
  server_.Answer(504, "gateway timeout");
  Error timeout = Thrown([&] { store_->CreateRun(NewRun{}); });
  EXPECT_STREQ(timeout.code(), "DEADLINE_EXCEEDED");
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(RestClientTest, SendsTheBearerTokenWhenGiven) {
  store_->DeleteRun("0123");
  EXPECT_EQ(server_.Last().Header("authorization"), "");

  std::unique_ptr<Store> with_token = OpenRestStore(server_.url(), "s3cret");
  with_token->DeleteRun("0123");
  EXPECT_EQ(server_.Last().Header("authorization"), "Bearer s3cret");
  server_.Answer(json{{"run", kRun}});
  with_token->GetRun("0123");
  EXPECT_EQ(server_.Last().Header("authorization"), "Bearer s3cret");
}

TEST_F(RestClientTest, BasicAuthFromMlflowsVariablesWinsOverTheToken) {
  SetEnv("MLFLOW_TRACKING_USERNAME", "ana");
  SetEnv("MLFLOW_TRACKING_PASSWORD", "pw");
  std::unique_ptr<Store> store = OpenRestStore(server_.url(), "s3cret");
  store->DeleteRun("0123");
  EXPECT_EQ(server_.Last().Header("authorization"), "Basic YW5hOnB3");
}

TEST_F(RestClientTest, KeepsAPathPrefixOfTheBaseUrl) {
  std::unique_ptr<Store> prefixed = OpenRestStore(server_.url() + "/mlflow/", "");
  prefixed->DeleteRun("0123");
  EXPECT_EQ(server_.Last().path, "/mlflow/api/2.0/mlflow/runs/delete");
}

TEST_F(RestClientTest, ConnectionFailuresAreIoErrorsNamingTheUrl) {
  std::string url;
  {
    FakeServer gone;
    url = gone.url();
  }  // nothing listens on its port any more
  std::unique_ptr<Store> store = OpenRestStore(url, "");
  Error error = Thrown([&] { store->GetExperiment("7"); });
  EXPECT_EQ(error.kind(), ErrorKind::kIO);
  EXPECT_NE(std::string(error.what()).find(url + "/api/2.0/mlflow/experiments/get"),
            std::string::npos)
      << error.what();
  EXPECT_NE(std::string(error.what()).find("after 4 attempts"), std::string::npos) << error.what();
}

TEST_F(RestClientTest, ThreadsShareOneStore) {
  constexpr int kThreads = 4, kCalls = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        try {
          store_->SetExperimentTag("7", {"thread" + std::to_string(t), std::to_string(i)});
        } catch (const Error&) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  std::vector<Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), static_cast<size_t>(kThreads * kCalls));
  for (const Recorded& request : requests)
    EXPECT_EQ(request.path, "/api/2.0/mlflow/experiments/set-experiment-tag");
}

}  // namespace
}  // namespace leanops::track
