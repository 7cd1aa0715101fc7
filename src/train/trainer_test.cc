// End-to-end tests of training: every model type and task on generated
// data, the evaluation modes, the model directory round trip, signature
// checks, and the reproducibility guarantee (same data, config and seed:
// byte-identical model files, whatever the thread count).
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "train/model_dir.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

// A deterministic customer table: churn depends on tenure, plan and support
// calls; spend on tenure; segment on age. About 2% of incomes are empty.
std::string Customers(int rows, uint64_t seed) {
  std::ostringstream csv;
  csv << "id,age,tenure,income,plan,calls,signup,churned,spend,segment\n";
  uint64_t state = seed;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  const char* plans[] = {"basic", "standard", "pro"};
  for (int i = 0; i < rows; ++i) {
    int age = 18 + static_cast<int>(next() * 60);
    int tenure = static_cast<int>(next() * 72);
    int plan = static_cast<int>(next() * 3);
    int calls = static_cast<int>(next() * 6);
    double logit = 1.5 - 0.06 * tenure + 0.5 * calls - 0.8 * plan + (next() - 0.5) * 2;
    int churned = next() < 1 / (1 + std::exp(-logit)) ? 1 : 0;
    double spend = 20 + 3.5 * tenure + (next() - 0.5) * 10;
    const char* segment = age < 35 ? "young" : age < 55 ? "middle" : "senior";
    csv << "C" << i << ',' << age << ',' << tenure << ',';
    if (next() > 0.02) csv << 30000 + 700 * age + static_cast<int>(next() * 1000);
    csv << ',' << plans[plan] << ',' << calls << ",2023-" << (1 + i % 12 < 10 ? "0" : "")
        << 1 + i % 12 << "-1" << i % 9 << ',' << churned << ',' << spend << ',' << segment << '\n';
  }
  return csv.str();
}

class TrainerTest : public ::testing::Test {
 protected:
  TrainerTest() {
    std::string pattern = std::filesystem::temp_directory_path() / "trainer_test.XXXXXX";
    dir_ = mkdtemp(pattern.data());
    std::ofstream(dir_ + "/train.csv") << Customers(3000, 1);
    std::ofstream(dir_ + "/test.csv") << Customers(1000, 2);
  }
  ~TrainerTest() override { std::filesystem::remove_all(dir_); }

  TrainConfig Config(const std::string& extra_json) {
    Json doc = Json::parse(R"({"data": {"train": ")" + dir_ + R"(/train.csv", "target": "churned",
                                         "ignore_columns": ["spend", "segment"]}})");
    doc.merge_patch(Json::parse(extra_json));
    return ParseTrainConfig(doc, "test");
  }
  std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  double Metric(const MetricList& metrics, const std::string& name) {
    for (const auto& [n, v] : metrics)
      if (n == name) return v;
    return std::nan("");
  }
  std::string dir_;
};

TEST_F(TrainerTest, XGBoostLearnsChurnAndInfersTaskAndFeatures) {
  TrainReport r = Train(Config("{}"), "test", 2);
  EXPECT_EQ(r.model.task, Task::kBinary);
  EXPECT_EQ(r.model.classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(r.train_rows, 2400u);
  EXPECT_EQ(r.eval_rows, 600u);
  EXPECT_GT(Metric(r.metrics, "roc_auc"), 0.75);
  EXPECT_TRUE(std::isfinite(Metric(r.metrics, "log_loss")));
  // id is text with a value per row: left out, with a note saying so.
  std::string notes;
  for (const std::string& n : r.notes) notes += n + "\n";
  EXPECT_NE(notes.find("task: binary (inferred"), std::string::npos) << notes;
  EXPECT_NE(notes.find("more than 50 distinct values: id"), std::string::npos) << notes;
  std::vector<std::string> inputs;
  for (const InputColumn& c : r.model.inputs()) inputs.push_back(c.name);
  EXPECT_EQ(inputs,
            (std::vector<std::string>{"age", "tenure", "income", "plan", "calls", "signup"}));
  EXPECT_FALSE(r.roc.fpr.empty());
  EXPECT_EQ(r.example.num_rows(), 5u);
}

TEST_F(TrainerTest, SameDataConfigAndSeedGiveByteIdenticalModels) {
  std::string a = dir_ + "/a", b = dir_ + "/b", c = dir_ + "/c";
  TrainConfig config = Config(R"({"model": {"subsample": 0.8, "colsample_bytree": 0.7}})");
  SaveModelDir(Train(config, "test", 1).model, a, {});
  SaveModelDir(Train(config, "test", 2).model, b, {});
  EXPECT_EQ(Read(a + "/model.xgb"), Read(b + "/model.xgb"));
  EXPECT_EQ(Read(a + "/leanops.json"), Read(b + "/leanops.json"));
  EXPECT_EQ(Read(a + "/MLmodel"), Read(b + "/MLmodel"));
  config.seed = 43;
  SaveModelDir(Train(config, "test", 2).model, c, {});
  EXPECT_NE(Read(a + "/model.xgb"), Read(c + "/model.xgb"));
}

TEST_F(TrainerTest, ModelDirectoryRoundTripScoresTheSame) {
  TrainReport r = Train(Config(R"({"data": {"test": ")" + dir_ + R"(/test.csv"}})"), "test", 2);
  EXPECT_EQ(r.train_rows, 3000u);
  EXPECT_EQ(r.eval_rows, 1000u);
  ModelDirMeta meta;
  meta.example = &r.example;
  meta.run_id = "0123456789abcdef0123456789abcdef";
  meta.artifact_path = "model";
  SaveModelDir(r.model, dir_ + "/model", meta);
  std::string mlmodel = Read(dir_ + "/model/MLmodel");
  EXPECT_NE(mlmodel.find("  xgboost:\n    code: null\n    data: model.xgb\n"
                         "    model_class: xgboost.core.Booster\n    model_format: xgb\n"),
            std::string::npos)
      << mlmodel;
  EXPECT_NE(mlmodel.find("run_id: 0123456789abcdef0123456789abcdef\n"), std::string::npos);
  EXPECT_NE(mlmodel.find(R"({"type": "long", "name": "age", "required": true})"), std::string::npos)
      << mlmodel;
  Json example = Json::parse(Read(dir_ + "/model/input_example.json"));
  EXPECT_EQ(example["columns"][0], "age");
  EXPECT_EQ(example["data"].size(), 5u);

  TrainedModel loaded = LoadModel(dir_ + "/model");
  Evaluation direct = Evaluate(r.model, dir_ + "/test.csv", "", 2);
  Evaluation reloaded = Evaluate(loaded, dir_ + "/test.csv", "", 1);
  EXPECT_EQ(direct.metrics, reloaded.metrics);
  EXPECT_DOUBLE_EQ(Metric(direct.metrics, "roc_auc"), Metric(r.metrics, "roc_auc"));

  // The booster alone scores the transformed features, as Python would.
  TrainedModel bare = LoadModel(dir_ + "/model/model.xgb");
  EXPECT_TRUE(bare.bare);
  EXPECT_EQ(bare.task, Task::kBinary);
  EXPECT_EQ(bare.booster->FeatureNames(), r.model.features.output_names());
}

TEST_F(TrainerTest, ScoringRefusesDataThatDoesNotMatchTheSignature) {
  TrainReport r = Train(Config("{}"), "test", 2);
  std::ofstream(dir_ + "/bad.csv") << "age,tenure,plan,calls\n30,5,basic,1\n";
  try {
    ReadForModel(dir_ + "/bad.csv", r.model, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("missing column(s) income, signup"), std::string::npos)
        << e.what();
  }
  std::ofstream(dir_ + "/typed.csv")
      << "age,tenure,income,plan,calls,signup\n30,5,x,basic,1,2023-01-01\n";
  try {
    ReadForModel(dir_ + "/typed.csv", r.model, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("typed.csv:2:"), std::string::npos) << e.what();
  }
}

TEST_F(TrainerTest, EveryModelTypeAndTask) {
  TrainReport forest =
      Train(Config(R"({"model": {"type": "random_forest", "n_estimators": 30}})"), "test", 2);
  EXPECT_GT(Metric(forest.metrics, "roc_auc"), 0.75);

  TrainReport logistic = Train(Config(R"({"model": {"type": "logistic"}})"), "test", 2);
  EXPECT_GT(Metric(logistic.metrics, "roc_auc"), 0.75);
  for (const FeatureSpec& s : logistic.model.features.specs())
    if (s.kind == FeatureKind::kNumeric) {
      EXPECT_EQ(s.scale, Scale::kStandard) << s.column;
    }

  TrainConfig linear =
      Config(R"({"data": {"target": "spend", "ignore_columns": ["churned", "segment"]},
                                  "model": {"type": "linear", "alpha": 0.1}})");
  TrainReport ridge = Train(linear, "test", 2);
  EXPECT_EQ(ridge.model.task, Task::kRegression);
  EXPECT_GT(Metric(ridge.metrics, "r2"), 0.95);

  TrainConfig multi =
      Config(R"({"data": {"target": "segment", "ignore_columns": ["churned", "spend"]},
                                 "model": {"n_estimators": 20}})");
  TrainReport segments = Train(multi, "test", 2);
  EXPECT_EQ(segments.model.task, Task::kMulticlass);
  EXPECT_EQ(segments.model.classes, (std::vector<std::string>{"middle", "senior", "young"}));
  EXPECT_GT(Metric(segments.metrics, "accuracy"), 0.95);

  std::string error;
  try {
    Train(Config(R"({"model": {"type": "linear"}})"), "test", 2);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("'linear' is for regression"), std::string::npos) << error;
}

TEST_F(TrainerTest, KFoldScoresEveryRowOutOfFold) {
  TrainReport r = Train(Config(R"({"data": {"split": {"method": "kfold", "folds": 3}},
                                   "model": {"n_estimators": 20}})"),
                        "test", 2);
  EXPECT_EQ(r.eval_rows, 3000u);
  EXPECT_EQ(r.train_rows, 3000u);
  EXPECT_EQ(r.evaluated_on, "3-fold cross-validation (stratified)");
  EXPECT_GT(Metric(r.metrics, "roc_auc"), 0.75);
}

TEST_F(TrainerTest, ExplicitFeaturesAndTheirErrors) {
  TrainReport r = Train(Config(R"({"features": {"numeric": {"tenure": {"clip": [0, 48]}},
                                                "categorical": ["plan"]}})"),
                        "test", 2);
  EXPECT_EQ(r.model.features.output_names(),
            (std::vector<std::string>{"tenure", "plan=basic", "plan=pro", "plan=standard",
                                      "plan=__unknown__"}));
  std::string error;
  try {
    Train(Config(R"({"features": {"numeric": ["tenur"]}})"), "test", 2);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("feature column 'tenur' is not in the data (columns: id, age,"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace leanops::train
