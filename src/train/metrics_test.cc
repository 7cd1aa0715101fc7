#include "train/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"

namespace leanops::train {
namespace {

// The datasets of tests/train/sklearn_reference.py, row i of n = 30.
constexpr int kRows = 30;
std::vector<double> BinaryLabels() {
  std::vector<double> y;
  for (int i = 0; i < kRows; ++i) y.push_back((i * 7) % 11 < 5 ? 1 : 0);
  return y;
}
std::vector<double> BinaryProb() {  // ties, and exact 0 and 1
  std::vector<double> p;
  for (int i = 0; i < kRows; ++i) p.push_back(((i * 13) % 17) / 16.0);
  return p;
}
std::vector<double> Weights(int n = kRows) {
  std::vector<double> w;
  for (int i = 0; i < n; ++i) w.push_back(1 + (i % 4) * 0.5);
  return w;
}
std::vector<double> MulticlassLabels() {
  std::vector<double> y;
  for (int i = 0; i < kRows; ++i) y.push_back((i * 5 + i / 7) % 3);
  return y;
}
std::vector<double> MulticlassProba() {
  std::vector<double> labels = MulticlassLabels(), p;
  for (int i = 0; i < kRows; ++i) {
    double raw[3], sum = 0;
    for (int c = 0; c < 3; ++c) {
      raw[c] = 1 + (i * (c + 3) * 7) % 10 + (c == labels[i] ? 4 : 0);
      sum += raw[c];
    }
    for (double r : raw) p.push_back(r / sum);
  }
  return p;
}

void ExpectMetrics(const MetricList& got, const std::vector<std::string>& names,
                   const std::vector<double>& want) {
  ASSERT_EQ(got.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(got[i].first, names[i]);
    EXPECT_NEAR(got[i].second, want[i], 1e-6) << names[i];
  }
}
const std::vector<std::string> kClassification = {"accuracy", "precision", "recall",
                                                  "f1",       "roc_auc",   "log_loss"};

double Get(const MetricList& list, std::string_view name) {
  for (const auto& [n, v] : list) {
    if (n == name) return v;
  }
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

// Reference values: tests/train/sklearn_reference.py, sklearn 1.2.1.
TEST(TrainMetricsTest, BinaryMatchesSklearn) {
  auto y = BinaryLabels(), p = BinaryProb(), w = Weights();
  ExpectMetrics(BinaryMetrics(y, p), kClassification,
                {0.5333333333333333, 0.4666666666666667, 0.5384615384615384, 0.5,
                 0.5271493212669683, 2.0532999163322914});
  ExpectMetrics(BinaryMetrics(y, p, w), kClassification,
                {0.5339805825242718, 0.4666666666666667, 0.6363636363636364, 0.5384615384615385,
                 0.5496918335901386, 1.5492488889437461});
  ExpectMetrics(BinaryMetrics(y, p, {}, 0.3), kClassification,
                {0.4666666666666667, 0.42857142857142855, 0.6923076923076923, 0.5294117647058824,
                 0.5271493212669683, 2.0532999163322914});
}

TEST(TrainMetricsTest, MulticlassMatchesSklearn) {
  auto y = MulticlassLabels(), p = MulticlassProba(), w = Weights();
  ExpectMetrics(MulticlassMetrics(y, p, 3), kClassification,
                {0.7, 0.7819548872180451, 0.6641737891737892, 0.6773504273504273,
                 0.9205163482124267, 0.7329142863821099});
  ExpectMetrics(MulticlassMetrics(y, p, 3, w), kClassification,
                {0.7184466019417476, 0.7863756613756614, 0.6850300237397011, 0.7003507859542856,
                 0.9166779408550868, 0.7487441905719873});
}

TEST(TrainMetricsTest, RegressionMatchesSklearn) {
  std::vector<double> y, pred;
  for (int i = 0; i < kRows; ++i) {
    y.push_back(0.5 * i - 3 + (i * 7) % 5);
    pred.push_back(0.45 * i - 2 + ((i * 3) % 4) * 0.5);
  }
  ExpectMetrics(RegressionMetrics(y, pred), {"mae", "rmse", "r2"},
                {1.5416666666666667, 1.8671502349837839, 0.8395589645254075});
  ExpectMetrics(RegressionMetrics(y, pred, Weights()), {"mae", "rmse", "r2"},
                {1.545145631067961, 1.876340944446351, 0.833237493023775});
}

void ExpectCurve(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

TEST(TrainMetricsTest, RocCurveMatchesSklearn) {
  auto y = BinaryLabels(), p = BinaryProb();
  RocCurve roc = BinaryRocCurve(y, p);
  ExpectCurve(roc.fpr, {0.0, 0.0, 0.11764705882352941, 0.11764705882352941, 0.23529411764705882,
                        0.29411764705882354, 0.29411764705882354, 0.4117647058823529,
                        0.4117647058823529, 0.47058823529411764, 0.5882352941176471,
                        0.7058823529411765, 0.7058823529411765, 0.8235294117647058, 1.0});
  ExpectCurve(roc.tpr,
              {0.0, 0.07692307692307693, 0.07692307692307693, 0.23076923076923078,
               0.23076923076923078, 0.23076923076923078, 0.38461538461538464, 0.38461538461538464,
               0.5384615384615384, 0.5384615384615384, 0.6923076923076923, 0.6923076923076923,
               0.7692307692307693, 0.7692307692307693, 1.0});
  ExpectCurve(roc.thresholds, {2.0, 1.0, 0.9375, 0.875, 0.8125, 0.75, 0.6875, 0.625, 0.5625, 0.5,
                               0.375, 0.3125, 0.25, 0.1875, 0.0});
  RocCurve weighted = BinaryRocCurve(y, p, Weights());
  ExpectCurve(weighted.fpr,
              {0.0, 0.0, 0.11864406779661017, 0.11864406779661017, 0.23728813559322035,
               0.3050847457627119, 0.3050847457627119, 0.4576271186440678, 0.4576271186440678,
               0.5423728813559322, 0.576271186440678, 0.6610169491525424, 0.7796610169491526,
               0.7796610169491526, 0.864406779661017, 0.9152542372881356, 0.9491525423728814, 1.0});
  ExpectCurve(weighted.tpr, {0.0, 0.06818181818181818, 0.06818181818181818, 0.22727272727272727,
                             0.22727272727272727, 0.22727272727272727, 0.4318181818181818,
                             0.4318181818181818, 0.6363636363636364, 0.6363636363636364, 0.75,
                             0.7954545454545454, 0.7954545454545454, 0.8409090909090909,
                             0.8409090909090909, 0.8863636363636364, 0.9545454545454546, 1.0});
  ExpectCurve(weighted.thresholds, {2.0, 1.0, 0.9375, 0.875, 0.8125, 0.75, 0.6875, 0.625, 0.5625,
                                    0.5, 0.4375, 0.375, 0.3125, 0.25, 0.1875, 0.125, 0.0625, 0.0});
}

double BruteForceAuc(const std::vector<double>& y, const std::vector<double>& s,
                     const std::vector<double>& w) {
  double pairs = 0, wins = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    for (size_t j = 0; j < y.size(); ++j) {
      if (y[i] != 1 || y[j] != 0) continue;
      pairs += w[i] * w[j];
      wins += w[i] * w[j] * (s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0);
    }
  }
  return wins / pairs;
}

TEST(TrainMetricsTest, RocAucIsThePairwiseCountWithTiesHalf) {
  for (int n : {2, 7, 50, 200}) {
    std::vector<double> y, s, w, ones(n, 1.0);
    for (int i = 0; i < n; ++i) {
      y.push_back((i * 37 + 11) % 5 < 2 ? 1 : 0);
      s.push_back(((i * 53) % 19) / 18.0);  // many ties
      w.push_back((i % 3) * 0.75);          // including zero weights
    }
    y[0] = 1, y[1] = 0, w[0] = w[1] = 1;
    EXPECT_NEAR(Get(BinaryMetrics(y, s), "roc_auc"), BruteForceAuc(y, s, ones), 1e-12) << n;
    EXPECT_NEAR(Get(BinaryMetrics(y, s, w), "roc_auc"), BruteForceAuc(y, s, w), 1e-12) << n;
  }
}

TEST(TrainMetricsTest, MulticlassRocAucIsTheMeanOfOneVsRest) {
  auto y = MulticlassLabels(), p = MulticlassProba(), w = Weights();
  double sum = 0;
  for (int c = 0; c < 3; ++c) {
    std::vector<double> positive, score;
    for (int i = 0; i < kRows; ++i) {
      positive.push_back(y[i] == c ? 1 : 0);
      score.push_back(p[i * 3 + c]);
    }
    sum += BruteForceAuc(positive, score, w);
  }
  EXPECT_NEAR(Get(MulticlassMetrics(y, p, 3, w), "roc_auc"), sum / 3, 1e-12);
}

TEST(TrainMetricsTest, UndefinedRocAucIsNaN) {
  MetricList one_class = BinaryMetrics({{1.0, 1.0, 1.0}}, {{0.2, 0.5, 0.9}});
  EXPECT_TRUE(std::isnan(Get(one_class, "roc_auc")));
  EXPECT_NEAR(Get(one_class, "accuracy"), 2.0 / 3, 1e-15);
  // Class 2 of 3 never occurs.
  MetricList missing = MulticlassMetrics({{0.0, 1.0}}, {{0.6, 0.3, 0.1, 0.2, 0.7, 0.1}}, 3);
  EXPECT_TRUE(std::isnan(Get(missing, "roc_auc")));
  EXPECT_EQ(Get(missing, "accuracy"), 1.0);
  EXPECT_TRUE(std::isnan(BinaryRocCurve({{0.0, 0.0}}, {{0.1, 0.2}}).tpr[1]));
}

TEST(TrainMetricsTest, LogLossClipsAtMachineEpsilon) {
  // sklearn 1.2's eps="auto" is 2^-52, so a confident miss costs 36.04, not
  // the 34.54 of the old eps=1e-15.
  double eps = std::numeric_limits<double>::epsilon();
  EXPECT_DOUBLE_EQ(Get(BinaryMetrics({{0.0, 1.0}}, {{1.0, 1.0}}), "log_loss"), -std::log(eps) / 2);
  EXPECT_NEAR(Get(BinaryMetrics({{0.0, 1.0}}, {{0.0, 1.0}}), "log_loss"), eps, 1e-18);
}

TEST(TrainMetricsTest, ZeroDivisionGivesZero) {
  // Nothing predicted positive: precision 0/0 and f1 are 0, recall 0.
  MetricList m = BinaryMetrics({{0.0, 1.0, 0.0}}, {{0.1, 0.2, 0.3}});
  EXPECT_EQ(Get(m, "precision"), 0);
  EXPECT_EQ(Get(m, "recall"), 0);
  EXPECT_EQ(Get(m, "f1"), 0);
  // Macro averages cover classes seen in labels or predictions only: class 2
  // is neither, so the mean is over {0, 1}.
  MetricList mc = MulticlassMetrics({{0.0, 1.0}}, {{0.6, 0.3, 0.1, 0.6, 0.3, 0.1}}, 3);
  EXPECT_DOUBLE_EQ(Get(mc, "precision"), 0.25);  // (1/2 + 0) / 2
  EXPECT_DOUBLE_EQ(Get(mc, "recall"), 0.5);      // (1 + 0) / 2
}

TEST(TrainMetricsTest, R2OfAConstantTargetIsForcedFinite) {
  EXPECT_EQ(Get(RegressionMetrics({{2.0, 2.0}}, {{2.0, 2.0}}), "r2"), 1.0);
  EXPECT_EQ(Get(RegressionMetrics({{2.0, 2.0}}, {{2.0, 3.0}}), "r2"), 0.0);
}

TEST(TrainMetricsTest, ZeroWeightRowsDoNotMakeThresholds) {
  RocCurve roc = BinaryRocCurve({{1.0, 0.0, 1.0}}, {{0.9, 0.5, 0.1}}, {{1.0, 1.0, 0.0}});
  EXPECT_EQ(roc.thresholds, (std::vector<double>{1.9, 0.9, 0.5}));
}

TEST(TrainMetricsTest, NamesAndDirections) {
  EXPECT_EQ(KnownMetrics().size(), 9u);
  for (std::string_view name : {"accuracy", "precision", "recall", "f1", "roc_auc", "r2"}) {
    EXPECT_TRUE(HigherIsBetter(name)) << name;
  }
  for (std::string_view name : {"log_loss", "mae", "rmse"}) EXPECT_FALSE(HigherIsBetter(name));
  try {
    HigherIsBetter("auc");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_STREQ(e.what(),
                 "unknown metric 'auc' (known: accuracy, precision, recall, f1, roc_auc, "
                 "log_loss, mae, rmse, r2)");
  }
}

TEST(TrainMetricsTest, RejectsBadInput) {
  std::vector<double> y = {0, 1}, p = {0.2, 0.8};
  EXPECT_THROW(BinaryMetrics(y, {{0.5}}), Error);
  EXPECT_THROW(BinaryMetrics({}, {}), Error);
  EXPECT_THROW(BinaryMetrics({{0.0, 2.0}}, p), Error);
  EXPECT_THROW(BinaryMetrics({{0.0, 0.5}}, p), Error);
  EXPECT_THROW(BinaryMetrics(y, {{0.2, 1.5}}), Error);
  EXPECT_THROW(BinaryMetrics(y, {{0.2, std::nan("")}}), Error);
  EXPECT_THROW(BinaryMetrics(y, p, {{1.0, -1.0}}), Error);
  EXPECT_THROW(BinaryMetrics(y, p, {{0.0, 0.0}}), Error);
  EXPECT_THROW(BinaryMetrics(y, p, {{1.0}}), Error);
  EXPECT_THROW(MulticlassMetrics(y, {{0.5, 0.4, 0.5, 0.5}}, 2), Error);  // row 0 sums to 0.9
  EXPECT_THROW(MulticlassMetrics(y, {{0.5, 0.5, 0.5}}, 2), Error);
  EXPECT_THROW(RegressionMetrics({{1.0}}, {{std::nan("")}}), Error);
}

}  // namespace
}  // namespace leanops::train
