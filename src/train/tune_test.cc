// Tests of the tuning pieces that need no data: config checks, the
// samplers' ranges and determinism, TPE beating random search on a known
// objective, and the median pruning rule.
#include "train/tune.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

TuneConfig Parse(const std::string& json) {
  return ParseTuneConfig(Json::parse(json), "tune.yaml");
}

std::string ErrorOf(const std::string& json) {
  try {
    Parse(json);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kSpace = R"("space": {"model.max_depth": {"type": "int", "low": 2, "high": 10},
                                  "model.learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": true},
                                  "model.grow_policy": {"choices": ["depthwise", "lossguide"]}})";

TEST(TuneConfigTest, ReadsEverySettingAndDirectionFromTheMetric) {
  TuneConfig c = Parse(std::string(R"({"base": "params.yaml:train", "metric": "log_loss",
                                       "trials": 7, "jobs": 2, "sampler": "random", "seed": 3,
                                       "pruner": "none", "output": "params.yaml:train", )") +
                       kSpace + "}");
  EXPECT_EQ(c.base, "params.yaml:train");
  EXPECT_FALSE(c.maximize);  // log_loss falls as models improve
  EXPECT_EQ(c.trials, 7);
  EXPECT_EQ(c.jobs, 2);
  EXPECT_FALSE(c.tpe);
  EXPECT_FALSE(c.prune);
  ASSERT_EQ(c.space.size(), 3u);
  EXPECT_EQ(c.space[0].kind, SearchParam::Kind::kInt);
  EXPECT_TRUE(c.space[1].log);
  EXPECT_EQ(c.space[2].kind, SearchParam::Kind::kCategorical);
}

TEST(TuneConfigTest, ErrorsNameTheKey) {
  EXPECT_NE(ErrorOf(R"({"space": {"a": {"type": "int", "low": 1, "high": 2}}})")
                .find("base: name the training config"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"base": "b", "metric": "auc", "space": {"a": {"choices": [1]}}})")
                .find("metric: 'auc' is not one of: accuracy"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(
          R"({"base": "b", "space": {"x": {"type": "float", "low": 0, "high": 1, "log": true}}})")
          .find("space.x: a log-uniform parameter needs low > 0"),
      std::string::npos);
  EXPECT_NE(ErrorOf(R"({"base": "b", "space": {"x": {"type": "float", "low": 2, "high": 1}}})")
                .find("low 2 must be below high 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"base": "b", "space": {"x": {"type": "normal"}}})")
                .find("space.x.type: expected float, int or categorical"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(R"({"base": "b", "trails": 3, "space": {}})").find("tune.yaml.trails: unknown key"),
      std::string::npos);
}

TEST(SamplerTest, RandomValuesStayInRangeWithTheirTypes) {
  TuneConfig c = Parse(std::string(R"({"base": "b", "sampler": "random", )") + kSpace + "}");
  std::vector<Trial> none;
  bool saw_both = false;
  std::set<std::string> policies;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    Json p = SampleParams(c, none, seed);
    ASSERT_TRUE(p["model.max_depth"].is_number_integer());
    int64_t depth = p["model.max_depth"].get<int64_t>();
    EXPECT_GE(depth, 2);
    EXPECT_LE(depth, 10);
    double lr = p["model.learning_rate"].get<double>();
    EXPECT_GE(lr, 0.01);
    EXPECT_LE(lr, 0.3);
    policies.insert(p["model.grow_policy"].get<std::string>());
    saw_both = policies.size() == 2;
  }
  EXPECT_TRUE(saw_both);
  EXPECT_EQ(SampleParams(c, none, 5), SampleParams(c, none, 5)) << "the same seed draws the same";
  EXPECT_NE(SampleParams(c, none, 5), SampleParams(c, none, 6));
}

// Minimising (x - 0.3)^2 + (y - 7)^2 / 100 with 40 trials: TPE must end
// closer to the optimum than the median random search does.
double Objective(const Json& p) {
  double x = p["x"].get<double>(), y = static_cast<double>(p["y"].get<int64_t>());
  return (x - 0.3) * (x - 0.3) + (y - 7) * (y - 7) / 100;
}

double Search(const TuneConfig& c, uint64_t seed) {
  std::vector<Trial> trials;
  double best = INFINITY;
  for (int i = 0; i < c.trials; ++i) {
    Trial t;
    t.number = i;
    t.params = SampleParams(c, trials, seed * 1000 + static_cast<uint64_t>(i));
    t.value = Objective(t.params);
    best = std::min(best, *t.value);
    trials.push_back(t);
  }
  return best;
}

TEST(SamplerTest, TpeFindsABetterOptimumThanRandomSearch) {
  std::string base = R"({"base": "b", "metric": "rmse", "trials": 40,
                         "space": {"x": {"type": "float", "low": -2, "high": 2},
                                   "y": {"type": "int", "low": 0, "high": 20}}, )";
  TuneConfig random = Parse(base + R"("sampler": "random"})");
  std::vector<double> random_best;
  for (uint64_t seed = 1; seed <= 9; ++seed) random_best.push_back(Search(random, seed));
  std::sort(random_best.begin(), random_best.end());
  for (const char* multivariate : {"true", "false"}) {
    TuneConfig tpe = Parse(base + R"("sampler": "tpe", "multivariate": )" + multivariate + "}");
    EXPECT_FALSE(tpe.maximize);
    std::vector<double> tpe_best;
    for (uint64_t seed = 1; seed <= 9; ++seed) tpe_best.push_back(Search(tpe, seed));
    std::sort(tpe_best.begin(), tpe_best.end());
    EXPECT_LT(tpe_best[4], random_best[4])
        << "median best of 9 searches, multivariate " << multivariate;
    EXPECT_LT(tpe_best[4], 0.02) << "multivariate " << multivariate;
  }
}

// Categorical choices with the joint model: draws stay among the choices
// and the model-based trials favour the choice that scores well.
TEST(SamplerTest, MultivariateTpeLearnsACategoricalChoice) {
  TuneConfig c = Parse(R"({"base": "b", "metric": "rmse", "trials": 40,
                           "space": {"x": {"type": "float", "low": 0, "high": 1},
                                     "kind": {"choices": ["a", "b", "c"]}}})");
  ASSERT_TRUE(c.multivariate) << "the default";
  std::vector<Trial> trials;
  int good_after_startup = 0;
  for (int i = 0; i < c.trials; ++i) {
    Trial t;
    t.number = i;
    t.params = SampleParams(c, trials, 77 + static_cast<uint64_t>(i));
    std::string kind = t.params["kind"].get<std::string>();
    ASSERT_TRUE(kind == "a" || kind == "b" || kind == "c") << kind;
    double x = t.params["x"].get<double>();
    ASSERT_GE(x, 0);
    ASSERT_LE(x, 1);
    t.value = (kind == "b" ? 0 : 1) + (x - 0.5) * (x - 0.5);
    if (i >= c.startup_trials && kind == "b") ++good_after_startup;
    trials.push_back(t);
  }
  EXPECT_GT(good_after_startup, 20) << "of 30 model-based trials";
}

TEST(MedianPrunerTest, StopsATrialWorseThanTheMedianAfterFiveTrials) {
  MedianPruner pruner(/*maximize=*/true);
  // Five finished trials scoring 0.70 .. 0.74 at round 0 and 0.80 .. 0.84 at round 1.
  for (int t = 0; t < 5; ++t) {
    EXPECT_FALSE(pruner.Report(t, 0, 0.70 + 0.01 * t)) << "no pruning before 5 trials finish";
    EXPECT_FALSE(pruner.Report(t, 1, 0.80 + 0.01 * t));
    pruner.Finish(t);
  }
  EXPECT_FALSE(pruner.Report(5, 0, 0.725)) << "above the median 0.72";
  EXPECT_TRUE(pruner.Report(5, 1, 0.81)) << "best so far 0.81 is below the median 0.82";
  MedianPruner losses(/*maximize=*/false);
  for (int t = 0; t < 5; ++t) {
    losses.Report(t, 0, 0.5 + 0.1 * t);
    losses.Finish(t);
  }
  EXPECT_TRUE(losses.Report(9, 0, 0.75));
  EXPECT_FALSE(losses.Report(10, 0, 0.65));
}

}  // namespace
}  // namespace leanops::train
