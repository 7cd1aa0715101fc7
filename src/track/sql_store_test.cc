// SqlStore on SQLite and, when LEANOPS_PG_URL is set, on PostgreSQL: the
// same tests on both, so the backends behave identically.
#include "track/sql_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <thread>

#include "track/api_error.h"

namespace leanops::track {
namespace {

std::string ErrorCode(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.code();
  }
  return "no error";
}

class SqlStoreTest : public ::testing::TestWithParam<SqlDialect> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const std::string unique = fmt::format("{}_{}_{}", getpid(), counter++, std::random_device{}());
    SqlStoreOptions options;
    options.default_artifact_root = "/artifacts";
    options.now_ms = [this] { return ++clock_; };
    if (GetParam() == SqlDialect::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("leanops_store_" + unique);
      std::filesystem::create_directories(dir_);
      const std::string path = (dir_ / "t.db").string();
      options.connect = [path] { return OpenSqliteDb(path); };
    } else {
      const char* url = std::getenv("LEANOPS_PG_URL");
      if (!url) GTEST_SKIP() << "LEANOPS_PG_URL is not set (start ../shared/services/postgres.sh)";
      schema_ = "store_" + unique;
      admin_ = OpenPostgresDb(url);
      admin_->ExecScript("CREATE SCHEMA " + schema_);
      const std::string conninfo = std::string(url) + "?options=-csearch_path%3D" + schema_;
      options.connect = [conninfo] { return OpenPostgresDb(conninfo); };
    }
    store_ = OpenSqlStore(std::move(options));
  }
  void TearDown() override {
    store_.reset();
    if (admin_) admin_->ExecScript("DROP SCHEMA " + schema_ + " CASCADE");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string StartRun(const std::string& experiment = "0") {
    track::NewRun request;
    request.experiment_id = experiment;
    return store_->CreateRun(request).info.run_id;
  }

  std::atomic<int64_t> clock_{1000};
  std::filesystem::path dir_;
  std::string schema_;
  std::unique_ptr<SqlDb> admin_;
  std::unique_ptr<Store> store_;
};

TEST_P(SqlStoreTest, DefaultExperimentAndArtifactLocations) {
  Experiment def = store_->GetExperiment("0");
  EXPECT_EQ(def.name, "Default");
  EXPECT_EQ(def.artifact_location, "/artifacts/0");
  const std::string id = store_->CreateExperiment("churn", "", {{"team", "ml"}});
  Experiment e = store_->GetExperimentByName("churn");
  EXPECT_EQ(e.experiment_id, id);
  EXPECT_EQ(e.artifact_location, "/artifacts/" + id);
  ASSERT_EQ(e.tags.size(), 1u);
  EXPECT_EQ(e.tags[0].value, "ml");
  EXPECT_EQ(ErrorCode([&] { store_->CreateExperiment("churn", "", {}); }), kAlreadyExists);
  EXPECT_EQ(ErrorCode([&] { store_->GetExperiment("999"); }), kNotFound);
  EXPECT_EQ(ErrorCode([&] { store_->GetExperiment("abc"); }), kNotFound);

  track::Run run = store_->CreateRun({id, "first", "ana", std::nullopt, {}});
  EXPECT_EQ(run.info.artifact_uri, "/artifacts/" + id + "/" + run.info.run_id + "/artifacts");
  EXPECT_EQ(run.info.run_name, "first");
  EXPECT_EQ(run.info.status, RunStatus::kRunning);
  EXPECT_EQ(run.info.run_id.size(), 32u);
}

TEST_P(SqlStoreTest, DeletingAnExperimentDeletesItsRunsAndRestoreBringsThemBack) {
  const std::string id = store_->CreateExperiment("e", "", {});
  const std::string run = StartRun(id);
  store_->DeleteExperiment(id);
  EXPECT_EQ(store_->GetRun(run).info.lifecycle_stage, LifecycleStage::kDeleted);
  EXPECT_EQ(ErrorCode([&] { store_->LogBatch(run, {{"m", 1, 1, 0}}, {}, {}); }), kInvalidParameter);
  EXPECT_EQ(ErrorCode([&] { StartRun(id); }), kInvalidParameter);
  store_->RestoreExperiment(id);
  EXPECT_EQ(store_->GetRun(run).info.lifecycle_stage, LifecycleStage::kActive);
}

TEST_P(SqlStoreTest, ParamsAreImmutableTagsOverwriteMetricsAppend) {
  const std::string run = StartRun();
  store_->LogBatch(run, {}, {{"lr", "0.1"}}, {{"t", "a"}});
  store_->LogBatch(run, {}, {{"lr", "0.1"}}, {{"t", "b"}});  // same value again: fine
  EXPECT_EQ(ErrorCode([&] { store_->LogBatch(run, {}, {{"lr", "0.2"}}, {}); }), kInvalidParameter);
  track::Run got = store_->GetRun(run);
  ASSERT_EQ(got.params.size(), 1u);
  EXPECT_EQ(got.params[0].value, "0.1");
  bool found = false;
  for (const Tag& tag : got.tags) found = found || (tag.key == "t" && tag.value == "b");
  EXPECT_TRUE(found);

  // An exact duplicate point (a retried request) is stored once.
  store_->LogBatch(run, {{"loss", 0.5, 10, 1}, {"loss", 0.5, 10, 1}, {"loss", 0.4, 11, 2}}, {}, {});
  store_->LogBatch(run, {{"loss", 0.5, 10, 1}}, {}, {});
  auto history = store_->GetMetricHistory(run, "loss", 0, "");
  ASSERT_EQ(history.items.size(), 2u);
  EXPECT_EQ(history.items[0].step, 1);
  EXPECT_EQ(history.items[1].step, 2);
}

TEST_P(SqlStoreTest, LatestMetricIsTheMaxOfStepTimestampValue) {
  const std::string run = StartRun();
  store_->LogBatch(run, {{"auc", 0.7, 100, 5}}, {}, {});
  store_->LogBatch(run, {{"auc", 0.9, 50, 3}}, {}, {});  // an earlier step: not the latest
  EXPECT_DOUBLE_EQ(store_->GetRun(run).metrics.at(0).value, 0.7);
  store_->LogBatch(run, {{"auc", 0.6, 100, 5}}, {}, {});  // same step and time, lower value
  EXPECT_DOUBLE_EQ(store_->GetRun(run).metrics.at(0).value, 0.7);
  store_->LogBatch(run, {{"auc", 0.8, 100, 5}}, {}, {});  // same step and time, higher value
  EXPECT_DOUBLE_EQ(store_->GetRun(run).metrics.at(0).value, 0.8);
  store_->LogBatch(run, {{"auc", std::nan(""), 200, 6}}, {}, {});
  EXPECT_TRUE(std::isnan(store_->GetRun(run).metrics.at(0).value));
  store_->LogBatch(run, {{"inf", INFINITY, 1, 0}}, {}, {});
  auto history = store_->GetMetricHistory(run, "inf", 0, "");
  EXPECT_TRUE(std::isinf(history.items.at(0).value));
}

TEST_P(SqlStoreTest, BatchLimitsAndKeyRules) {
  const std::string run = StartRun();
  std::vector<Metric> metrics(1001, Metric{"m", 1, 1, 0});
  EXPECT_EQ(ErrorCode([&] { store_->LogBatch(run, metrics, {}, {}); }), kInvalidParameter);
  EXPECT_EQ(ErrorCode([&] {
              store_->LogBatch(run, {{"../x", 1, 1, 0}}, {}, {});
            }),
            kInvalidParameter);
  EXPECT_EQ(ErrorCode([&] {
              store_->LogBatch(run, {}, {{"p", std::string(6001, 'x')}}, {});
            }),
            kInvalidParameter);
  EXPECT_EQ(ErrorCode([&] { store_->LogBatch("nope", {}, {}, {}); }), kNotFound);
}

TEST_P(SqlStoreTest, HistoryPages) {
  const std::string run = StartRun();
  std::vector<Metric> points;
  // History comes in (timestamp, step, value) order, as MLflow's SQL store.
  for (int i = 0; i < 250; ++i) points.push_back({"x", double(i), 1000 + 249 - i, i});
  for (size_t i = 0; i < points.size(); i += 100) {
    store_->LogBatch(run, {points.begin() + i, points.begin() + std::min(points.size(), i + 100)},
                     {}, {});
  }
  std::vector<int64_t> steps;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->GetMetricHistory(run, "x", 100, token);
    for (const Metric& m : page.items) steps.push_back(m.step);
    token = page.next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(steps.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_EQ(steps[i], 249 - i);
}

TEST_P(SqlStoreTest, SearchFiltersOrdersAndPages) {
  const std::string exp = store_->CreateExperiment("s", "", {});
  std::vector<std::string> runs;
  for (int i = 0; i < 7; ++i) {
    const std::string run = StartRun(exp);
    runs.push_back(run);
    if (i != 3) store_->LogBatch(run, {{"auc", 0.5 + i * 0.05, 1, 0}}, {}, {});
    store_->LogBatch(run, {}, {{"model", i % 2 ? "xgb" : "linear"}},
                     {{"Owner", i < 4 ? "Ana" : "bo"}});
  }
  RunQuery query;
  query.experiment_ids = {exp};
  query.filter = "metrics.auc > 0.6 and params.model = 'xgb'";
  auto page = store_->SearchRuns(query);
  // i = 5 (0.75) only: i = 1 has 0.55, i = 3 has no auc.
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].info.run_id, runs[5]);

  query.filter = "tags.Owner LIKE 'a%'";  // case-sensitive
  EXPECT_EQ(store_->SearchRuns(query).items.size(), 0u);
  query.filter = "tags.Owner ILIKE 'a%'";
  EXPECT_EQ(store_->SearchRuns(query).items.size(), 4u);
  query.filter = fmt::format("attributes.run_id IN ('{}', '{}')", runs[0], runs[6]);
  EXPECT_EQ(store_->SearchRuns(query).items.size(), 2u);

  query.filter = "";
  query.order_by = {"metrics.auc DESC"};
  query.max_results = 3;
  std::vector<std::string> order;
  std::string token;
  do {
    query.page_token = token;
    auto p = store_->SearchRuns(query);
    for (const track::Run& r : p.items) order.push_back(r.info.run_id);
    token = p.next_page_token;
  } while (!token.empty());
  const std::vector<std::string> expected = {runs[6], runs[5], runs[4], runs[2],
                                             runs[1], runs[0], runs[3]};
  EXPECT_EQ(order, expected);  // the run without auc sorts last

  query.order_by = {"metrics.auc ASC"};
  query.max_results = 10;
  query.page_token = "";
  auto asc = store_->SearchRuns(query);
  EXPECT_EQ(asc.items.front().info.run_id, runs[0]);
  EXPECT_EQ(asc.items.back().info.run_id, runs[3]);

  query.filter = "metrics.auc >> 1";
  EXPECT_EQ(ErrorCode([&] { store_->SearchRuns(query); }), kInvalidParameter);
}

// An order by metric is read in parts (numbers, NaNs, runs without the
// metric); every page size must give the same sequence.
TEST_P(SqlStoreTest, OrderByMetricPagesAcrossNumbersNansAndMissing) {
  const std::string exp = store_->CreateExperiment("parts", "", {});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Numbers 0.9, 0.1, 0.5; NaN twice; two runs without auc.
  const std::vector<std::optional<double>> values = {0.9, nan, std::nullopt, 0.1,
                                                     nan, 0.5, std::nullopt};
  std::vector<std::string> runs;
  for (const auto& value : values) {
    runs.push_back(StartRun(exp));
    if (value) store_->LogBatch(runs.back(), {{"auc", *value, 1, 0}}, {}, {});
    store_->LogBatch(runs.back(), {{"other", 1.0, 1, 0}}, {}, {});
  }
  auto search = [&](const std::string& order_by, const std::string& filter, int64_t page_size) {
    RunQuery query;
    query.experiment_ids = {exp};
    query.order_by = {order_by};
    query.filter = filter;
    query.max_results = page_size;
    std::vector<std::string> order;
    do {
      auto page = store_->SearchRuns(query);
      for (const track::Run& r : page.items) order.push_back(r.info.run_id);
      query.page_token = page.next_page_token;
    } while (!query.page_token.empty());
    return order;
  };
  // Ties (the NaNs, the missing) are broken by start_time DESC: later runs first.
  const std::vector<std::string> desc = {runs[0], runs[5], runs[3], runs[4],
                                         runs[1], runs[6], runs[2]};
  const std::vector<std::string> asc = {runs[3], runs[5], runs[0], runs[4],
                                        runs[1], runs[6], runs[2]};
  for (int64_t size : {1, 2, 3, 4, 7, 100}) {
    EXPECT_EQ(search("metrics.auc DESC", "", size), desc) << size;
    EXPECT_EQ(search("metrics.auc", "", size), asc) << size;
  }
  // A filter on the ordered metric: NaN compares as 0, so "< 0.6" keeps it.
  const std::vector<std::string> below = {runs[5], runs[3], runs[4], runs[1]};
  for (int64_t size : {1, 3, 100}) {
    EXPECT_EQ(search("metrics.auc DESC", "metrics.auc < 0.6", size), below) << size;
  }
  EXPECT_EQ(search("metrics.auc DESC", "metrics.auc > 0.6", 1), std::vector<std::string>{runs[0]});
  // Another metric in the filter leaves the runs without auc in the last part.
  EXPECT_EQ(search("metrics.auc DESC", "metrics.other = 1", 2), desc);
}

TEST_P(SqlStoreTest, RegistryVersionsStagesAndAliases) {
  store_->CreateRegisteredModel("churn", {}, "predicts churn");
  EXPECT_EQ(ErrorCode([&] { store_->CreateRegisteredModel("churn", {}, ""); }), kAlreadyExists);
  EXPECT_EQ(ErrorCode([&] {
              store_->CreateModelVersion({"nope", "s3://x", "", "", "", "", {}});
            }),
            kNotFound);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(
        store_->CreateModelVersion({"churn", fmt::format("/m/{}", i), "", "", "", "", {}}).version,
        i);
  }
  store_->TransitionModelVersionStage("churn", 1, "production", false);
  store_->TransitionModelVersionStage("churn", 2, "Production", true);
  EXPECT_EQ(store_->GetModelVersion("churn", 1).current_stage, "Archived");
  auto latest = store_->GetLatestVersions("churn", {"Production"});
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].version, 2);

  store_->SetAlias("churn", "champion", 2, {"ana", "first"});
  store_->SetAlias("churn", "champion", 3, {"bo", "better auc"});
  EXPECT_EQ(store_->GetModelVersionByAlias("churn", "champion").version, 3);
  EXPECT_EQ(ErrorCode([&] { store_->SetAlias("churn", "v1", 1, {}); }), kInvalidParameter);
  auto history = store_->GetAliasHistory("churn", "champion");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_FALSE(history[0].from_version.has_value());
  EXPECT_EQ(history[1].from_version, 2);
  EXPECT_EQ(history[1].to_version, 3);
  EXPECT_EQ(history[1].user, "bo");
  EXPECT_EQ(history[1].reason, "better auc");

  // A deleted version's number is not handed out again; its alias goes.
  store_->DeleteModelVersion("churn", 3);
  EXPECT_EQ(ErrorCode([&] { store_->GetModelVersionByAlias("churn", "champion"); }), kNotFound);
  EXPECT_EQ(store_->CreateModelVersion({"churn", "/m/4", "", "", "", "", {}}).version, 4);

  store_->RenameRegisteredModel("churn", "churn2");
  EXPECT_EQ(store_->GetModelVersion("churn2", 4).source, "/m/4");
  EXPECT_EQ(store_->GetAliasHistory("churn2", "champion").size(), 3u);

  ModelSearch search;
  search.filter = "name LIKE 'churn%'";
  EXPECT_EQ(store_->SearchRegisteredModels(search).items.size(), 1u);
  search.filter = "name = 'churn2'";
  search.max_results = 2;
  auto versions = store_->SearchModelVersions(search);
  ASSERT_EQ(versions.items.size(), 2u);
  EXPECT_EQ(versions.items[0].version, 4);  // newest first
  EXPECT_FALSE(versions.next_page_token.empty());
}

TEST_P(SqlStoreTest, ConcurrentWritersLoseNothing) {
  const std::string run = StartRun();
  constexpr int kThreads = 4;
  constexpr int kBatches = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Metric> batch;
        for (int i = 0; i < 50; ++i) batch.push_back({"m", double(i), t, b * 50 + i});
        store_->LogBatch(run, batch, {}, {{fmt::format("t{}", t), std::to_string(b)}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store_->GetMetricHistory(run, "m", 0, "").items.size(),
            size_t{kThreads * kBatches * 50});
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlStoreTest,
                         ::testing::Values(SqlDialect::kSqlite, SqlDialect::kPostgres),
                         [](const auto& info) {
                           return info.param == SqlDialect::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace leanops::track
