#include "track/rest_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"

namespace leanops::track {
namespace {

using nlohmann::json;

TEST(RestJson, NonFiniteDoublesAreStrings) {
  EXPECT_EQ(DoubleToJson(std::numeric_limits<double>::quiet_NaN()), json("NaN"));
  EXPECT_EQ(DoubleToJson(std::numeric_limits<double>::infinity()), json("Infinity"));
  EXPECT_EQ(DoubleToJson(-std::numeric_limits<double>::infinity()), json("-Infinity"));
  EXPECT_EQ(DoubleToJson(0.5), json(0.5));

  EXPECT_TRUE(std::isnan(DoubleFromJson("NaN", "value")));
  EXPECT_EQ(DoubleFromJson("Infinity", "value"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(DoubleFromJson("-Infinity", "value"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(DoubleFromJson("2.5", "value"), 2.5);
  EXPECT_EQ(DoubleFromJson(3, "value"), 3.0);
}

TEST(RestJson, BadNumbersNameTheField) {
  for (const json& bad : {json("abc"), json("nan"), json("inf"), json(true), json::array()}) {
    try {
      DoubleFromJson(bad, "value");
      FAIL() << bad.dump();
    } catch (const Error& e) {
      EXPECT_STREQ(e.code(), "INVALID_PARAMETER_VALUE");
      EXPECT_NE(std::string(e.what()).find("'value'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(Int64FromJson("12x", "step"), Error);
  EXPECT_THROW(Int64FromJson(1.5, "step"), Error);
  EXPECT_THROW(Int64FromJson("", "step"), Error);
  EXPECT_THROW(Int64FromJson(json(18446744073709551615ull), "step"), Error);
}

TEST(RestJson, Int64AcceptsNumbersAndDecimalStrings) {
  EXPECT_EQ(Int64FromJson(1700000000123, "timestamp"), 1700000000123);
  EXPECT_EQ(Int64FromJson("1700000000123", "timestamp"), 1700000000123);
  EXPECT_EQ(Int64FromJson("-4", "step"), -4);
  EXPECT_EQ(Int64FromJson(1e3, "step"), 1000);
}

TEST(RestJson, MetricRoundTripKeepsNonFiniteValues) {
  Metric metric{"loss", std::numeric_limits<double>::quiet_NaN(), 1700000000000, 7};
  json out = ToJson(metric);
  EXPECT_EQ(out, json::parse(R"({"key":"loss","value":"NaN","timestamp":1700000000000,"step":7})"));
  Metric back = MetricFromJson(out);
  EXPECT_EQ(back.key, "loss");
  EXPECT_TRUE(std::isnan(back.value));
  EXPECT_EQ(back.timestamp, 1700000000000);
  EXPECT_EQ(back.step, 7);

  Metric inf = MetricFromJson(ToJson(Metric{"m", -std::numeric_limits<double>::infinity(), 1, 0}));
  EXPECT_EQ(inf.value, -std::numeric_limits<double>::infinity());
}

TEST(RestJson, RunLeavesOutEmptyListsAndUnsetEndTime) {
  track::Run run;
  run.info.run_id = "0123456789abcdef0123456789abcdef";
  run.info.run_name = "bold-fox";
  run.info.experiment_id = "3";
  run.info.status = RunStatus::kRunning;
  run.info.start_time = 1000;
  run.info.artifact_uri = "mlflow-artifacts:/3/0123456789abcdef0123456789abcdef/artifacts";
  json out = ToJson(run);
  EXPECT_EQ(out["data"], json::object());
  EXPECT_EQ(out["inputs"], json::object());
  EXPECT_FALSE(out["info"].contains("end_time"));
  EXPECT_EQ(out["info"]["status"], "RUNNING");
  EXPECT_EQ(out["info"]["lifecycle_stage"], "active");
  EXPECT_EQ(out["info"]["run_uuid"], run.info.run_id);
  EXPECT_EQ(out["info"]["start_time"], 1000);

  run.info.status = RunStatus::kFinished;
  run.info.end_time = 2000;
  run.info.lifecycle_stage = LifecycleStage::kDeleted;
  run.metrics = {{"acc", 0.9, 1500, 2}};
  run.params = {{"lr", "0.1"}};
  run.tags = {{"mlflow.user", "ana"}};
  DatasetInput input;
  input.tags = {{"mlflow.data.context", "training"}};
  input.dataset = {"churn", "abc123", "local", "{\"uri\": \"data.csv\"}", "", ""};
  run.inputs = {input};
  out = ToJson(run);
  EXPECT_EQ(out["info"]["end_time"], 2000);
  EXPECT_EQ(out["inputs"]["dataset_inputs"][0]["dataset"],
            json::parse(R"({"name":"churn","digest":"abc123","source_type":"local",
                            "source":"{\"uri\": \"data.csv\"}"})"));

  track::Run back = RunFromJson(out);
  EXPECT_EQ(back.info.run_id, run.info.run_id);
  EXPECT_EQ(back.info.status, RunStatus::kFinished);
  EXPECT_EQ(back.info.end_time, std::optional<int64_t>(2000));
  EXPECT_EQ(back.info.lifecycle_stage, LifecycleStage::kDeleted);
  EXPECT_EQ(back.info.artifact_uri, run.info.artifact_uri);
  ASSERT_EQ(back.metrics.size(), 1u);
  EXPECT_EQ(back.metrics[0].value, 0.9);
  EXPECT_EQ(back.params, run.params);
  EXPECT_EQ(back.tags, run.tags);
  ASSERT_EQ(back.inputs.size(), 1u);
  EXPECT_EQ(back.inputs[0].tags, input.tags);
  EXPECT_EQ(back.inputs[0].dataset.source, input.dataset.source);
}

TEST(RestJson, RunInfoReadsDeprecatedRunUuidAndNumericStatus) {
  RunInfo info = RunInfoFromJson(
      json::parse(R"({"run_uuid":"abc","experiment_id":0,"status":3,"start_time":"5"})"));
  EXPECT_EQ(info.run_id, "abc");
  EXPECT_EQ(info.experiment_id, "0");
  EXPECT_EQ(info.status, RunStatus::kFinished);
  EXPECT_EQ(info.start_time, 5);
  EXPECT_FALSE(info.end_time.has_value());
}

TEST(RestJson, ModelVersionNumbersAreStringsOnTheWire) {
  ModelVersion version;
  version.name = "churn";
  version.version = 12;
  version.creation_timestamp = 1;
  version.last_updated_timestamp = 2;
  version.current_stage = "Production";
  version.source = "models:/churn/11";
  version.aliases = {"champion"};
  json out = ToJson(version);
  EXPECT_EQ(out["version"], "12");
  EXPECT_EQ(out["status"], "READY");
  EXPECT_EQ(out["aliases"], json::array({"champion"}));
  // Unset optional fields and empty lists are left out.
  for (const char* absent :
       {"description", "run_id", "user_id", "run_link", "status_message", "tags"}) {
    EXPECT_FALSE(out.contains(absent)) << absent;
  }
  ModelVersion back = ModelVersionFromJson(out);
  EXPECT_EQ(back.version, 12);
  EXPECT_EQ(back.current_stage, "Production");
  EXPECT_EQ(back.status, ModelVersionStatus::kReady);
  EXPECT_EQ(back.aliases, version.aliases);
  EXPECT_EQ(ModelVersionFromJson(json::parse(R"({"version": 4})")).version, 4);
  EXPECT_EQ(ModelVersionFromJson(json::parse(R"({"name": "m"})")).current_stage, "None");
}

TEST(RestJson, RegisteredModelAliasesCarryStringVersions) {
  RegisteredModel model;
  model.name = "churn";
  model.creation_timestamp = 10;
  model.last_updated_timestamp = 20;
  model.description = "predicts churn";
  model.aliases = {{"champion", 3}};
  model.tags = {{"team", "ml"}};
  ModelVersion latest;
  latest.name = "churn";
  latest.version = 3;
  model.latest_versions = {latest};
  json out = ToJson(model);
  EXPECT_EQ(out["aliases"], json::parse(R"([{"alias":"champion","version":"3"}])"));
  EXPECT_EQ(out["latest_versions"][0]["version"], "3");
  EXPECT_FALSE(out.contains("user_id"));

  RegisteredModel back = RegisteredModelFromJson(out);
  EXPECT_EQ(back.name, "churn");
  EXPECT_EQ(back.description, "predicts churn");
  ASSERT_EQ(back.aliases.size(), 1u);
  EXPECT_EQ(back.aliases[0].alias, "champion");
  EXPECT_EQ(back.aliases[0].version, 3);
  EXPECT_EQ(back.tags, model.tags);
  ASSERT_EQ(back.latest_versions.size(), 1u);
  EXPECT_EQ(back.latest_versions[0].version, 3);
}

TEST(RestJson, ExperimentRoundTrip) {
  Experiment experiment;
  experiment.experiment_id = "7";
  experiment.name = "churn";
  experiment.artifact_location = "mlflow-artifacts:/7";
  experiment.lifecycle_stage = LifecycleStage::kDeleted;
  experiment.creation_time = 100;
  experiment.last_update_time = 200;
  json out = ToJson(experiment);
  EXPECT_FALSE(out.contains("tags"));
  EXPECT_EQ(out["lifecycle_stage"], "deleted");
  experiment.tags = {{"team", "ml"}};
  Experiment back = ExperimentFromJson(ToJson(experiment));
  EXPECT_EQ(back.experiment_id, "7");
  EXPECT_EQ(back.artifact_location, experiment.artifact_location);
  EXPECT_EQ(back.lifecycle_stage, LifecycleStage::kDeleted);
  EXPECT_EQ(back.creation_time, 100);
  EXPECT_EQ(back.last_update_time, 200);
  EXPECT_EQ(back.tags, experiment.tags);
}

TEST(RestJson, MalformedEntitiesAreInvalidParameters) {
  try {
    TagFromJson(json::array());
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.code(), "INVALID_PARAMETER_VALUE");
  }
  EXPECT_THROW(TagFromJson(json::parse(R"({"key": {"a": 1}})")), Error);
  EXPECT_THROW(RunInfoFromJson(json::parse(R"({"status": "DONE"})")), Error);
  EXPECT_THROW(MetricFromJson(json::parse(R"({"key": "m", "value": "high"})")), Error);
}

}  // namespace
}  // namespace leanops::track
