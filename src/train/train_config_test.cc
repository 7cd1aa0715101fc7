// Tests of the training config: loading with sections and --set overrides,
// the checks with their messages, and the hyperparameter mapping.
#include "train/train_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "train/model_params.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

class TrainConfigTest : public ::testing::Test {
 protected:
  TrainConfigTest() {
    std::string pattern = std::filesystem::temp_directory_path() / "train_config_test.XXXXXX";
    dir_ = mkdtemp(pattern.data());
  }
  ~TrainConfigTest() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text, const std::string& name = "train.yaml") {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }
  std::string dir_;
};

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TrainConfig Parse(const std::string& json) { return ParseTrainConfig(Json::parse(json), "t.yaml"); }

TEST_F(TrainConfigTest, ReadsASectionAndAppliesOverrides) {
  std::string path = Write(
      "prepare: {split: 0.2}\n"
      "train:\n"
      "  data: {train: a.csv, target: churned, id_columns: [id]}\n"
      "  model: {type: xgboost, max_depth: 4}\n");
  Json doc = LoadConfigDocument(
      path, "train",
      {"model.max_depth=8", "model.subsample=0.5", "data.split.method=kfold", "seed=7"});
  TrainConfig config = ParseTrainConfig(doc, "params.yaml");
  EXPECT_EQ(config.data.train, std::vector<std::string>{"a.csv"});
  EXPECT_EQ(config.data.target, "churned");
  EXPECT_EQ(config.data.id_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(config.model.type, ModelType::kXGBoost);
  EXPECT_EQ(config.model.params["max_depth"], 8);
  EXPECT_EQ(config.model.params["subsample"], 0.5);
  EXPECT_EQ(config.data.split.method, SplitConfig::Method::kKFold);
  EXPECT_EQ(config.seed, 7u);
  EXPECT_NE(ErrorOf([&] { LoadConfigDocument(path, "nope", {}); }).find("has no section 'nope'"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { LoadConfigDocument("", "", {"max_depth"}); }).find("expected KEY=VALUE"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf([&] { LoadConfigDocument(dir_ + "/missing.yaml", "", {}); }).find("does not exist"),
      std::string::npos);
}

TEST_F(TrainConfigTest, FeaturesListOrMapAndDuplicates) {
  TrainConfig c = Parse(R"({"features": {"numeric": ["a", "b"],
                                         "categorical": {"plan": {"encode": "ordinal"}},
                                         "datetime": {"d": {"parts": ["month"]}}}})");
  ASSERT_EQ(c.features.specs.size(), 4u);
  EXPECT_FALSE(c.features.auto_infer);
  EXPECT_EQ(c.features.specs[2].encode, Encode::kOrdinal);
  EXPECT_EQ(c.features.specs[3].parts, std::vector<DatePart>{DatePart::kMonth});
  EXPECT_NE(ErrorOf([] {
              Parse(R"({"features": {"numeric": ["a"], "categorical": ["a"]}})");
            }).find("column 'a' is listed twice"),
            std::string::npos);
}

TEST_F(TrainConfigTest, UnknownKeysAndBadValuesNameTheKey) {
  EXPECT_NE(ErrorOf([] {
              Parse(R"({"dta": {}})");
            }).find("t.yaml.dta: unknown key (accepted: data, features, model, seed)"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Parse(R"({"data": {"task": "ranking"}})");
            }).find("data.task: 'ranking' is not one of: binary, multiclass, regression"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Parse(R"({"data": {"split": {"test_size": 1.5}}})");
            }).find("test_size: expected a fraction between 0 and 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Parse(R"({"model": {"type": "svm"}})");
            }).find("'svm' is not one of: xgboost, random_forest, linear, logistic"),
            std::string::npos);
}

TEST_F(TrainConfigTest, HyperparametersAreCheckedPerModelType) {
  TrainConfig c = Parse(R"({"model": {"type": "xgboost", "max_dept": 3}})");
  std::string error = ErrorOf([&] { EffectiveParams(c, "t.yaml", 10); });
  EXPECT_NE(error.find("model.max_dept: not a hyperparameter of model type xgboost (accepted: "
                       "n_estimators, max_depth,"),
            std::string::npos)
      << error;
  c = Parse(R"({"model": {"type": "logistic", "C": "high"}})");
  EXPECT_NE(ErrorOf([&] { EffectiveParams(c, "t.yaml", 10); }).find("model.C: expected a number"),
            std::string::npos);
  c = Parse(R"({"model": {"type": "xgboost", "seed": 1, "random_state": 2}})");
  EXPECT_NE(ErrorOf([&] { EffectiveParams(c, "t.yaml", 10); }).find("not both"), std::string::npos);
}

TEST_F(TrainConfigTest, EffectiveParamsHoldDefaultsAndTheSeed) {
  TrainConfig c = Parse(R"({"seed": 11, "model": {"type": "xgboost", "eta": 0.1}})");
  Json p = EffectiveParams(c, "t.yaml", 10);
  EXPECT_EQ(p["n_estimators"], 100);
  EXPECT_EQ(p["max_depth"], 6);
  EXPECT_EQ(p["learning_rate"], 0.1);
  EXPECT_EQ(p["seed"], 11);
  c = Parse(R"({"model": {"type": "xgboost", "random_state": 5}})");
  EXPECT_EQ(EffectiveParams(c, "t.yaml", 10)["seed"], 5);
}

TEST_F(TrainConfigTest, BoosterPlanMapsNamesToXGBoosts) {
  TrainConfig c = Parse(R"({"model": {"type": "xgboost", "n_estimators": 30,
                                      "learning_rate": 0.05, "reg_lambda": 2}})");
  BoosterPlan plan = PlanBooster(c, Task::kMulticlass, 3, 10, 2);
  EXPECT_EQ(plan.rounds, 30);
  auto value = [&](const std::string& key) {
    for (const auto& [k, v] : plan.params)
      if (k == key) return v;
    return std::string("(absent)");
  };
  EXPECT_EQ(value("objective"), "multi:softprob");
  EXPECT_EQ(value("num_class"), "3");
  EXPECT_EQ(value("eta"), "0.05");
  EXPECT_EQ(value("lambda"), "2");
  EXPECT_EQ(value("nthread"), "2");
  EXPECT_EQ(value("seed"), "42");

  TrainConfig rf = Parse(R"({"model": {"type": "random_forest", "n_estimators": 50}})");
  BoosterPlan forest = PlanBooster(rf, Task::kBinary, 2, 16, 2);
  plan = forest;
  EXPECT_EQ(forest.rounds, 1);
  EXPECT_EQ(value("num_parallel_tree"), "50");
  EXPECT_EQ(value("eta"), "1");
  EXPECT_EQ(value("colsample_bynode"), "0.25");  // sqrt(16) of 16 features
  EXPECT_EQ(value("subsample"), "0.2");
}

}  // namespace
}  // namespace leanops::train
