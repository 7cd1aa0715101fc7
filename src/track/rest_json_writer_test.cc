#include "track/rest_json_writer.h"

#include <gtest/gtest.h>

#include <limits>

#include "track/rest_json.h"

namespace leanops::track {
namespace {

using nlohmann::json;

// What the DOM path answers for the same page.
template <typename T>
json DomPage(const char* name, const Page<T>& page) {
  json out = json::object();
  if (!page.items.empty()) {
    json list = json::array();
    for (const T& item : page.items) list.push_back(ToJson(item));
    out[name] = std::move(list);
  }
  if (!page.next_page_token.empty()) out["next_page_token"] = page.next_page_token;
  return out;
}

Run FullRun() {
  Run run;
  run.info.run_id = "0123456789abcdef0123456789abcdef";
  run.info.run_name = "caring-\"quoted\"-run\n";
  run.info.experiment_id = "7";
  run.info.user_id = "ann";
  run.info.status = RunStatus::kFinished;
  run.info.start_time = 1700000000123;
  run.info.end_time = 1700000009999;
  run.info.artifact_uri = "s3://bucket/7/0123/artifacts";
  run.info.lifecycle_stage = LifecycleStage::kDeleted;
  run.metrics = {{"auc", 0.8125, 1700000000200, 3},
                 {"loss", std::numeric_limits<double>::quiet_NaN(), 5, -1},
                 {"up", std::numeric_limits<double>::infinity(), 6, 0},
                 {"down", -std::numeric_limits<double>::infinity(), 7, 0},
                 {"big", 1e300, 8, 9007199254740993},
                 {"tiny", -4.9e-324, 9, 0},
                 {"whole", 100.0, 10, 0}};
  run.params = {{"model", "xgb"}, {"päram ✓", "tab\there"}, {"empty", ""}};
  run.tags = {{"mlflow.runName", "caring"}, {"ctl", std::string("nul\x01", 4)}};
  DatasetInput input;
  input.tags = {{"mlflow.data.context", "training"}};
  input.dataset = {"churn", "abc123", "local", "{\"uri\": \"data/churn.csv\"}", "", "{\"rows\":5}"};
  run.inputs = {input, DatasetInput{}};
  return run;
}

TEST(RestJsonWriter, RunPagesMatchTheDom) {
  Page<track::Run> page;
  EXPECT_EQ(json::parse(*RunPageJson(page)), DomPage("runs", page));
  track::Run minimal;
  minimal.info.run_id = "f";
  page.items = {FullRun(), minimal};
  EXPECT_EQ(json::parse(*RunPageJson(page)), DomPage("runs", page));
  page.next_page_token = "eyJvZmZzZXQiOiAxMDAwfQ==";
  EXPECT_EQ(json::parse(*RunPageJson(page)), DomPage("runs", page));
}

TEST(RestJsonWriter, MetricPagesMatchTheDomAndKeepEveryDigit) {
  Page<Metric> page;
  for (int64_t step = 0; step < 100; ++step) {
    page.items.push_back({"loss", 1.0 / static_cast<double>(step + 3), 1700000000000 + step, step});
  }
  page.items.push_back({"loss", std::numeric_limits<double>::quiet_NaN(), 1, 100});
  page.next_page_token = "tok";
  std::string text = *MetricPageJson(page);
  json parsed = json::parse(text);
  EXPECT_EQ(parsed, DomPage("metrics", page));
  // Round trip: the printed doubles read back as the same bits.
  for (size_t i = 0; i + 1 < page.items.size(); ++i) {
    EXPECT_EQ(parsed["metrics"][i]["value"].get<double>(), page.items[i].value) << i;
  }
  EXPECT_EQ(parsed["metrics"][100]["value"], "NaN");
  EXPECT_EQ(json::parse(*MetricPageJson(Page<Metric>{})), json::object());
}

TEST(RestJsonWriter, InvalidUtf8IsLeftToTheDom) {
  Page<Metric> page;
  page.items.push_back({std::string("bad\xff", 4), 1.0, 0, 0});
  EXPECT_FALSE(MetricPageJson(page).has_value());
  Page<track::Run> runs;
  runs.items.push_back(FullRun());
  runs.items[0].tags.push_back({"k", std::string("\xc3", 1)});
  EXPECT_FALSE(RunPageJson(runs).has_value());
}

}  // namespace
}  // namespace leanops::track
