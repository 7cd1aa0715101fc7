// Tests of promotion gates and rollback targets: requirements parsed with
// MLflow's filter grammar and evaluated against a run, must-beat against
// the incumbent's run, LIKE matching, the walk back through alias history,
// and Promote/Rollback on a real SQLite store.
#include "track/promotion.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string_view>

#include "pipeline/test_util.h"
#include "track/api_error.h"

namespace leanops::track {
namespace {

using pipeline_test::TempDir;

Run MakeRun(const std::map<std::string, double>& metrics,
            const std::map<std::string, std::string>& params,
            const std::map<std::string, std::string>& tags = {}) {
  Run run;
  run.info.run_id = "0123456789abcdef0123456789abcdef";
  for (const auto& [k, v] : metrics) run.metrics.push_back({k, v, 1000, 0});
  for (const auto& [k, v] : params) run.params.push_back({k, v});
  for (const auto& [k, v] : tags) run.tags.push_back({k, v});
  return run;
}

std::string CodeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no leanops::Error thrown";
  return "";
}

TEST(PromotionTest, ParsesRequirementsIntoOneGatePerComparison) {
  Requirement one = ParseRequirement("metrics.auc >= 0.85");
  ASSERT_EQ(one.comparisons.size(), 1u);
  EXPECT_EQ(one.comparisons[0].type, EntityType::kMetric);
  EXPECT_EQ(one.comparisons[0].key, "auc");
  EXPECT_EQ(one.comparisons[0].op, Comparator::kGe);
  EXPECT_EQ(std::get<double>(one.comparisons[0].value), 0.85);

  Requirement two = ParseRequirement("metrics.auc > 0.8 and params.optimizer = 'adam'");
  ASSERT_EQ(two.comparisons.size(), 2u);
  EXPECT_EQ(two.comparisons[1].type, EntityType::kParam);
  EXPECT_EQ(std::get<std::string>(two.comparisons[1].value), "adam");
}

TEST(PromotionTest, RejectsRequirementsOnAttributesAndMalformedOnes) {
  EXPECT_EQ(CodeOf([] { ParseRequirement("attributes.status = 'FINISHED'"); }),
            std::string(kInvalidParameter));
  EXPECT_EQ(CodeOf([] { ParseRequirement("metrics.auc >> 1"); }), std::string(kInvalidParameter));
  EXPECT_EQ(CodeOf([] { ParseRequirement(""); }), std::string(kInvalidParameter));
}

TEST(PromotionTest, EvaluatesMetricRequirementsWithTheValues) {
  track::Run run = MakeRun({{"auc", 0.91}, {"loss", 0.3}}, {});
  std::vector<GateOutcome> pass =
      EvaluateRequirement(ParseRequirement("metrics.auc >= 0.85"), &run);
  ASSERT_EQ(pass.size(), 1u);
  EXPECT_TRUE(pass[0].passed);
  EXPECT_EQ(pass[0].gate, "metrics.auc >= 0.85");
  EXPECT_EQ(pass[0].detail, "auc = 0.91");

  std::vector<GateOutcome> fail =
      EvaluateRequirement(ParseRequirement("metrics.auc > 0.95 and metrics.loss < 0.5"), &run);
  ASSERT_EQ(fail.size(), 2u);
  EXPECT_FALSE(fail[0].passed);
  EXPECT_EQ(fail[0].detail, "auc = 0.91");
  EXPECT_TRUE(fail[1].passed);

  // Boundaries of each comparator.
  auto holds = [&run](const std::string& text) {
    return EvaluateRequirement(ParseRequirement(text), &run)[0].passed;
  };
  EXPECT_TRUE(holds("metrics.auc = 0.91"));
  EXPECT_FALSE(holds("metrics.auc != 0.91"));
  EXPECT_TRUE(holds("metrics.auc <= 0.91"));
  EXPECT_FALSE(holds("metrics.auc < 0.91"));
  EXPECT_FALSE(holds("metrics.auc > 0.91"));
}

TEST(PromotionTest, MissingValuesAndMissingRunsFail) {
  track::Run run = MakeRun({{"auc", 0.91}}, {});
  std::vector<GateOutcome> missing = EvaluateRequirement(ParseRequirement("metrics.f1 > 0"), &run);
  EXPECT_FALSE(missing[0].passed);
  EXPECT_EQ(missing[0].detail, "metric f1 is missing");
  // As in MLflow's search, != does not match a run that lacks the key.
  EXPECT_FALSE(EvaluateRequirement(ParseRequirement("params.x != 'a'"), &run)[0].passed);
  std::vector<GateOutcome> no_run =
      EvaluateRequirement(ParseRequirement("metrics.auc > 0 and params.a = 'b'"), nullptr);
  ASSERT_EQ(no_run.size(), 2u);
  EXPECT_FALSE(no_run[0].passed);
  EXPECT_FALSE(no_run[1].passed);
  EXPECT_EQ(no_run[0].detail, "the version has no run");
}

TEST(PromotionTest, EvaluatesParamAndTagRequirementsAsStrings) {
  track::Run run = MakeRun({}, {{"optimizer", "Adam"}, {"lr", "0.1"}}, {{"validated", "true"}});
  auto holds = [&run](const std::string& text) {
    return EvaluateRequirement(ParseRequirement(text), &run)[0].passed;
  };
  EXPECT_TRUE(holds("params.optimizer = 'Adam'"));
  EXPECT_FALSE(holds("params.optimizer = 'adam'"));
  EXPECT_TRUE(holds("params.optimizer != 'sgd'"));
  EXPECT_TRUE(holds("params.optimizer LIKE 'Ad%'"));
  EXPECT_FALSE(holds("params.optimizer LIKE 'ad%'"));
  EXPECT_TRUE(holds("params.optimizer ILIKE 'ad%'"));
  EXPECT_TRUE(holds("tags.validated = 'true'"));
  EXPECT_EQ(EvaluateRequirement(ParseRequirement("params.lr = '0.2'"), &run)[0].detail,
            "lr = '0.1'");
}

TEST(PromotionTest, LikeMatchesAsMlflowDoes) {
  EXPECT_TRUE(LikeMatches("churn-gbm", "churn%", false));
  EXPECT_TRUE(LikeMatches("churn-gbm", "%gbm", false));
  EXPECT_TRUE(LikeMatches("churn-gbm", "%-%", false));
  EXPECT_TRUE(LikeMatches("churn-gbm", "churn_gbm", false));
  EXPECT_FALSE(LikeMatches("churn-gbm", "churn", false));  // anchored at both ends
  EXPECT_FALSE(LikeMatches("churn-gbm", "gbm%", false));
  EXPECT_TRUE(LikeMatches("", "%", false));
  EXPECT_FALSE(LikeMatches("", "_", false));
  EXPECT_TRUE(LikeMatches("aXbXc", "a%b%c", false));
  EXPECT_TRUE(LikeMatches("abcabd", "%abd", false));  // needs backtracking
  EXPECT_TRUE(LikeMatches("CHURN", "churn", true));
  EXPECT_FALSE(LikeMatches("CHURN", "churn", false));
}

TEST(PromotionTest, MustBeatComparesWithTheIncumbentStrictly) {
  MustBeat higher{"production", "auc", true};
  track::Run good = MakeRun({{"auc", 0.91}}, {});
  track::Run incumbent = MakeRun({{"auc", 0.88}}, {});
  GateOutcome pass = EvaluateMustBeat(higher, &good, &incumbent, 2);
  EXPECT_TRUE(pass.passed);
  EXPECT_EQ(pass.gate, "metrics.auc beats @production (higher is better)");
  EXPECT_EQ(pass.detail, "auc = 0.91 vs 0.88 of version 2 (@production)");

  EXPECT_FALSE(EvaluateMustBeat(higher, &incumbent, &good, 2).passed);
  track::Run tie = MakeRun({{"auc", 0.88}}, {});
  EXPECT_FALSE(EvaluateMustBeat(higher, &tie, &incumbent, 2).passed);

  MustBeat lower{"production", "loss", false};
  track::Run low = MakeRun({{"loss", 0.2}}, {});
  track::Run high = MakeRun({{"loss", 0.3}}, {});
  EXPECT_TRUE(EvaluateMustBeat(lower, &low, &high, 1).passed);
  EXPECT_FALSE(EvaluateMustBeat(lower, &high, &low, 1).passed);
}

TEST(PromotionTest, MustBeatWithoutIncumbentPassesWithoutCandidateMetricFails) {
  MustBeat rule{"production", "auc", true};
  track::Run candidate = MakeRun({{"auc", 0.7}}, {});
  GateOutcome none = EvaluateMustBeat(rule, &candidate, nullptr, std::nullopt);
  EXPECT_TRUE(none.passed);
  EXPECT_EQ(none.detail, "auc = 0.7; no version holds @production");
  track::Run no_metric = MakeRun({{"f1", 0.5}}, {});
  EXPECT_TRUE(EvaluateMustBeat(rule, &candidate, &no_metric, 4).passed);
  EXPECT_TRUE(EvaluateMustBeat(rule, &candidate, nullptr, 4).passed);  // version without a run

  GateOutcome missing = EvaluateMustBeat(rule, &no_metric, &candidate, 4);
  EXPECT_FALSE(missing.passed);
  EXPECT_EQ(missing.detail, "metric auc is missing");
  EXPECT_FALSE(EvaluateMustBeat(rule, nullptr, nullptr, std::nullopt).passed);
}

AliasEvent Move(std::optional<int64_t> from, std::optional<int64_t> to) {
  AliasEvent e;
  e.model = "churn";
  e.alias = "production";
  e.from_version = from;
  e.to_version = to;
  return e;
}

TEST(PromotionTest, RollbackTargetIsTheVersionHeldBeforeTheLastMove) {
  auto all = [](int64_t) { return true; };
  std::vector<AliasEvent> history = {Move(std::nullopt, 1), Move(1, 2), Move(2, 3)};
  EXPECT_EQ(RollbackTarget(history, 3, all), 2);

  // A deleted version is skipped, going further back.
  std::set<int64_t> deleted = {2};
  auto live = [&deleted](int64_t v) { return deleted.count(v) == 0; };
  EXPECT_EQ(RollbackTarget(history, 3, live), 1);

  // After a rollback (3 -> 2) the last move's origin is 3 again.
  history.push_back(Move(3, 2));
  EXPECT_EQ(RollbackTarget(history, 2, all), 3);

  // A deleted alias comes back to where it was.
  std::vector<AliasEvent> removed = {Move(std::nullopt, 4), Move(4, std::nullopt)};
  EXPECT_EQ(RollbackTarget(removed, std::nullopt, all), 4);
}

TEST(PromotionTest, RollbackTargetNoneWithoutAnEarlierVersion) {
  auto all = [](int64_t) { return true; };
  EXPECT_EQ(RollbackTarget({}, std::nullopt, all), std::nullopt);
  EXPECT_EQ(RollbackTarget({Move(std::nullopt, 1)}, 1, all), std::nullopt);
  auto none = [](int64_t) { return false; };
  EXPECT_EQ(RollbackTarget({Move(std::nullopt, 1), Move(1, 2)}, 2, none), std::nullopt);
}

// Promote and Rollback on a real store: the alias moves only when the
// gates pass, and the history records each move.
class PromotionStoreTest : public ::testing::Test {
 protected:
  PromotionStoreTest()
      : store_(OpenStore("sqlite:///" + dir_ / "tracking.db", dir_ / "artifacts")) {
    store_->CreateRegisteredModel("churn", {}, "");
  }

  // A run with metric auc = `auc`, registered as the model's next version.
  int64_t VersionWithAuc(double auc) {
    NewRun new_run;
    new_run.experiment_id = "0";
    track::Run run = store_->CreateRun(new_run);
    store_->LogBatch(run.info.run_id, {{"auc", auc, 1000, 0}}, {{"model", "gbm"}}, {});
    NewModelVersion version;
    version.name = "churn";
    version.source = run.info.artifact_uri + "/model";
    version.run_id = run.info.run_id;
    return store_->CreateModelVersion(version).version;
  }

  std::optional<int64_t> Production() {
    try {
      return store_->GetModelVersionByAlias("churn", "production").version;
    } catch (const Error&) {
      return std::nullopt;
    }
  }

  PromotionRequest Request(int64_t version, const std::vector<std::string>& requirements,
                           bool must_beat) {
    PromotionRequest request;
    request.model = "churn";
    request.version = version;
    request.alias = "production";
    for (const std::string& r : requirements) request.requirements.push_back(ParseRequirement(r));
    if (must_beat) request.must_beat = MustBeat{"production", "auc", true};
    request.change = {"alice", "release"};
    return request;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(PromotionStoreTest, PromoteMovesTheAliasOnlyWhenEveryGatePasses) {
  int64_t v1 = VersionWithAuc(0.80);
  int64_t v2 = VersionWithAuc(0.90);
  int64_t v3 = VersionWithAuc(0.85);

  PromotionResult first = Promote(*store_, Request(v1, {"metrics.auc >= 0.8"}, true));
  EXPECT_TRUE(first.promoted);
  EXPECT_EQ(first.previous_version, std::nullopt);
  EXPECT_EQ(Production(), v1);

  PromotionResult blocked =
      Promote(*store_, Request(v2, {"metrics.auc >= 0.95", "params.model = 'gbm'"}, true));
  EXPECT_FALSE(blocked.promoted);
  ASSERT_EQ(blocked.gates.size(), 3u);
  EXPECT_FALSE(blocked.gates[0].passed);
  EXPECT_TRUE(blocked.gates[1].passed);
  EXPECT_TRUE(blocked.gates[2].passed);  // 0.90 beats 0.80
  EXPECT_EQ(Production(), v1);

  PromotionResult promoted = Promote(*store_, Request(v2, {"metrics.auc >= 0.85"}, true));
  EXPECT_TRUE(promoted.promoted);
  EXPECT_EQ(promoted.previous_version, v1);
  EXPECT_EQ(Production(), v2);

  // 0.85 does not beat the incumbent's 0.90.
  PromotionResult worse = Promote(*store_, Request(v3, {}, true));
  EXPECT_FALSE(worse.promoted);
  EXPECT_EQ(worse.gates[0].detail, "auc = 0.85 vs 0.9 of version 2 (@production)");
  EXPECT_EQ(Production(), v2);

  std::vector<AliasEvent> history = store_->GetAliasHistory("churn", "production");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].from_version, v1);
  EXPECT_EQ(history[1].to_version, v2);
  EXPECT_EQ(history[1].user, "alice");
  EXPECT_EQ(history[1].reason, "release");
}

TEST_F(PromotionStoreTest, PromoteOfAnUnknownVersionIsNotFound) {
  EXPECT_EQ(CodeOf([&] { Promote(*store_, Request(7, {}, false)); }), std::string(kNotFound));
}

TEST_F(PromotionStoreTest, RollbackReturnsToThePreviousLiveVersion) {
  int64_t v1 = VersionWithAuc(0.80);
  int64_t v2 = VersionWithAuc(0.85);
  int64_t v3 = VersionWithAuc(0.90);
  for (int64_t v : {v1, v2, v3}) store_->SetAlias("churn", "production", v, {"alice", "up"});

  RollbackResult back = Rollback(*store_, "churn", "production", {"bob", "bad deploy"});
  EXPECT_EQ(back.from_version, v3);
  EXPECT_EQ(back.to_version, v2);
  EXPECT_EQ(Production(), v2);
  AliasEvent last = store_->GetAliasHistory("churn", "production").back();
  EXPECT_EQ(last.user, "bob");
  EXPECT_EQ(last.reason, "bad deploy");

  // From v2 the last move came from v3; with v3 deleted, it goes on to v1.
  store_->DeleteModelVersion("churn", v3);
  RollbackResult skip = Rollback(*store_, "churn", "production", {"bob", ""});
  EXPECT_EQ(skip.to_version, v1);
  EXPECT_EQ(Production(), v1);
}

TEST_F(PromotionStoreTest, RollbackWithoutAnEarlierVersionIsInvalidState) {
  int64_t v1 = VersionWithAuc(0.80);
  store_->SetAlias("churn", "production", v1, {"alice", ""});
  EXPECT_EQ(CodeOf([&] {
              Rollback(*store_, "churn", "production", {"bob", ""});
            }),
            std::string(kInvalidState));
  EXPECT_EQ(CodeOf([&] {
              Rollback(*store_, "nope", "production", {"bob", ""});
            }),
            std::string(kNotFound));
}

}  // namespace
}  // namespace leanops::track
