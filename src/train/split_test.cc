#include "train/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"

namespace leanops::train {
namespace {

using Rows = std::vector<size_t>;

// Both sides ascending, disjoint, and together exactly 0..rows-1.
void ExpectPartition(const Split& s, size_t rows) {
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
  Rows all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  Rows expected(rows);
  for (size_t i = 0; i < rows; ++i) expected[i] = i;
  EXPECT_EQ(all, expected);
}

std::map<double, size_t> CountLabels(const std::vector<double>& labels, const Rows& rows) {
  std::map<double, size_t> counts;
  for (size_t r : rows) ++counts[labels[r]];
  return counts;
}

// Class sizes 50, 30, 20 for labels 0, 1, 2, interleaved.
std::vector<double> ThreeClasses() {
  std::vector<double> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2);
  return labels;
}

TEST(SplitTest, RandomSourceIsTheStandardOne) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64.
  std::mt19937_64 rng;
  rng.discard(9999);
  EXPECT_EQ(rng(), 9981545732273789042ull);
}

// Golden values from an independent Python implementation of mt19937_64,
// Lemire's draw and Fisher-Yates (tests/train/split_reference.py): a change
// here means splits differ from earlier releases and other platforms.
TEST(SplitTest, SameSplitOnEveryPlatform) {
  std::mt19937_64 rng(42);
  Rows draws;
  for (int i = 0; i < 5; ++i) draws.push_back(UniformBelow(6, rng));
  EXPECT_EQ(draws, (Rows{4, 3, 4, 0, 5}));
  EXPECT_EQ(HoldoutSplit(10, 0.3, 42).test, (Rows{1, 3, 4}));
  EXPECT_EQ(HoldoutSplit(20, 0.25, 7).test, (Rows{1, 6, 8, 9, 14}));
}

TEST(SplitTest, UniformBelowIsUniformAndInRange) {
  std::mt19937_64 rng(1);
  size_t counts[3] = {};
  for (int i = 0; i < 30000; ++i) ++counts[UniformBelow(3, rng)];
  for (size_t c : counts) EXPECT_NEAR(static_cast<double>(c), 10000, 300);
  // A bound just above 2^63 rejects about half of the raw outputs.
  uint64_t big = (uint64_t{1} << 63) + 1;
  size_t upper = 0;
  for (int i = 0; i < 2000; ++i) {
    uint64_t x = UniformBelow(big, rng);
    EXPECT_LT(x, big);
    upper += x >= big / 2;
  }
  EXPECT_NEAR(static_cast<double>(upper), 1000, 120);
  EXPECT_EQ(UniformBelow(1, rng), 0u);
}

TEST(SplitTest, HoldoutSizesCoverageAndSeeds) {
  for (size_t rows : {2, 3, 10, 101, 1000}) {
    Split s = HoldoutSplit(rows, 0.2, 5);
    ExpectPartition(s, rows);
    EXPECT_EQ(s.test.size(), static_cast<size_t>(std::ceil(0.2 * static_cast<double>(rows))));
  }
  Split a = HoldoutSplit(1000, 0.2, 5), b = HoldoutSplit(1000, 0.2, 5),
        c = HoldoutSplit(1000, 0.2, 6);
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(a.train, b.train);
  EXPECT_NE(a.test, c.test);
}

TEST(SplitTest, StratifiedHoldoutCountsAreLargestRemainder) {
  std::vector<double> labels = ThreeClasses();
  Split s = StratifiedHoldoutSplit(labels, 0.25, 3);
  ExpectPartition(s, 100);
  // 25 test rows: shares 12.5, 7.5, 5; the one left over goes to the tied
  // remainder of the smaller label.
  EXPECT_EQ(CountLabels(labels, s.test), (std::map<double, size_t>{{0, 13}, {1, 7}, {2, 5}}));
  EXPECT_EQ(StratifiedHoldoutSplit(labels, 0.25, 3).test, s.test);
  EXPECT_NE(StratifiedHoldoutSplit(labels, 0.25, 4).test, s.test);
}

TEST(SplitTest, StratifiedHoldoutKeepsEveryClassOnBothSides) {
  // Label 7 has 2 rows of 100: its share of 10 test rows is 0.2, clamped
  // to 1, so the total is 11.
  std::vector<double> labels(100, -1.5);
  labels[10] = labels[60] = 7;
  Split s = StratifiedHoldoutSplit(labels, 0.1, 9);
  ExpectPartition(s, 100);
  EXPECT_EQ(CountLabels(labels, s.test), (std::map<double, size_t>{{-1.5, 10}, {7, 1}}));
  EXPECT_EQ(CountLabels(labels, s.train), (std::map<double, size_t>{{-1.5, 88}, {7, 1}}));
  // A large fraction leaves each class one training row.
  Split most = StratifiedHoldoutSplit(labels, 0.9, 9);
  EXPECT_EQ(CountLabels(labels, most.train)[7], 1u);
}

TEST(SplitTest, KFoldPartitionsTheRows) {
  std::vector<Split> folds = KFold(10, 3, 11);
  ASSERT_EQ(folds.size(), 3u);
  Rows sizes, all_test;
  for (const Split& f : folds) {
    ExpectPartition(f, 10);
    sizes.push_back(f.test.size());
    all_test.insert(all_test.end(), f.test.begin(), f.test.end());
  }
  EXPECT_EQ(sizes, (Rows{4, 3, 3}));
  std::sort(all_test.begin(), all_test.end());
  EXPECT_EQ(all_test, (Rows{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(KFold(10, 3, 11)[1].test, folds[1].test);
  EXPECT_NE(KFold(10, 3, 12)[1].test, folds[1].test);
  EXPECT_EQ(KFold(5, 5, 0)[4].test.size(), 1u);  // leave-one-out
}

TEST(SplitTest, StratifiedKFoldSpreadsEachClassEvenly) {
  std::vector<double> labels = ThreeClasses();
  std::vector<Split> folds = StratifiedKFold(labels, 7, 2);
  ASSERT_EQ(folds.size(), 7u);
  std::map<double, std::vector<size_t>> per_class;
  Rows all_test;
  for (const Split& f : folds) {
    ExpectPartition(f, 100);
    EXPECT_TRUE(f.test.size() == 14 || f.test.size() == 15) << f.test.size();
    for (auto [label, count] : CountLabels(labels, f.test)) per_class[label].push_back(count);
    all_test.insert(all_test.end(), f.test.begin(), f.test.end());
  }
  std::sort(all_test.begin(), all_test.end());
  EXPECT_EQ(all_test.size(), 100u);
  EXPECT_EQ(std::adjacent_find(all_test.begin(), all_test.end()), all_test.end());
  for (auto& [label, counts] : per_class) {
    ASSERT_EQ(counts.size(), 7u) << label;
    auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
    EXPECT_LE(*hi - *lo, 1u) << label;
  }
  EXPECT_EQ(StratifiedKFold(labels, 7, 2)[3].test, folds[3].test);
  EXPECT_NE(StratifiedKFold(labels, 7, 3)[3].test, folds[3].test);
}

TEST(SplitTest, RejectsBadArguments) {
  for (double f : {0.0, 1.0, -0.1, 1.5, std::nan("")}) {
    EXPECT_THROW(HoldoutSplit(10, f, 0), Error) << f;
  }
  EXPECT_THROW(HoldoutSplit(10, 0.95, 0), Error);  // ceil(9.5) leaves no train row
  EXPECT_THROW(HoldoutSplit(1, 0.5, 0), Error);
  EXPECT_THROW(KFold(10, 1, 0), Error);
  EXPECT_THROW(KFold(3, 4, 0), Error);
  std::vector<double> labels = {0, 0, 0, 1, 1, 2};
  try {
    StratifiedHoldoutSplit(labels, 0.5, 0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_STREQ(e.what(),
                 "stratified holdout split: label 2 has only 1 row; each class needs 2 (one for "
                 "train, one for test)");
  }
  EXPECT_THROW(StratifiedKFold(labels, 2, 0), Error);  // label 2 has 1 row < k
  labels[5] = std::nan("");
  EXPECT_THROW(StratifiedKFold(labels, 2, 0), Error);
}

}  // namespace
}  // namespace leanops::train
