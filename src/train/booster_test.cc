// Tests of the booster wrapper that need no files: the random forest
// trained in independent chunks and merged.
#include "train/booster.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace leanops::train {
namespace {

struct Data {
  Matrix<float> x;
  std::vector<float> y;
};

// y = 3 + a step on the first feature, plus noise; four features.
Data StepData(size_t rows) {
  Data d;
  d.x.rows = rows;
  d.x.cols = 4;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> u(0, 1);
  for (size_t r = 0; r < rows; ++r) {
    for (int c = 0; c < 4; ++c) d.x.values.push_back(u(rng));
    d.y.push_back(3.0f + (d.x.row(r)[0] > 0.5f ? 1.0f : 0.0f) + 0.01f * u(rng));
  }
  return d;
}

XGBoostParams ForestParams(int trees, int threads) {
  return {{"objective", "reg:squarederror"},
          {"tree_method", "hist"},
          {"num_parallel_tree", std::to_string(trees)},
          {"eta", "1"},
          {"subsample", "0.5"},
          {"colsample_bynode", "1"},
          {"max_depth", "3"},
          {"lambda", "1e-5"},
          {"seed", "11"},
          {"nthread", std::to_string(threads)},
          {"verbosity", "0"}};
}

TEST(BoosterForestTest, ChunksMergeIntoOneForestThatAveragesItsTrees) {
  Data d = StepData(2000);
  BoosterData data;
  data.features = &d.x;
  data.labels = d.y;
  Booster one_thread = Booster::TrainForest(data, ForestParams(20, 1));
  Booster three_threads = Booster::TrainForest(data, ForestParams(20, 3));
  EXPECT_EQ(one_thread.Save(), three_threads.Save()) << "the same forest whatever the threads";
  EXPECT_EQ(one_thread.boosted_rounds(), 1);
  // Each tree's leaves weigh 1/20: the merged forest predicts the step's two
  // levels (a sum of unscaled trees would be far off).
  std::vector<float> p = one_thread.Predict(d.x, 1);
  ASSERT_EQ(p.size(), d.y.size());
  double error = 0;
  for (size_t r = 0; r < p.size(); ++r) error += std::fabs(double(p[r]) - d.y[r]);
  EXPECT_LT(error / static_cast<double>(p.size()), 0.05) << "mean absolute error";
  // One booster of 20 parallel trees, XGBoost's own forest, agrees.
  Booster single = Booster::Train(data, ForestParams(20, 1), 1);
  std::vector<float> q = single.Predict(d.x, 1);
  double gap = 0;
  for (size_t r = 0; r < p.size(); ++r) gap += double(p[r]) - double(q[r]);
  EXPECT_LT(std::fabs(gap / static_cast<double>(p.size())), 0.01) << "mean difference";
  // More trees than chunks, fewer trees than chunks: both train.
  EXPECT_NO_THROW(Booster::TrainForest(data, ForestParams(3, 2)));
  EXPECT_NE(Booster::TrainForest(data, ForestParams(20, 1)).Save(),
            Booster::TrainForest(data,
                                 [] {
                                   XGBoostParams p = ForestParams(20, 1);
                                   p[8].second = "12";  // another seed
                                   return p;
                                 }())
                .Save());
}

TEST(BoosterForestTest, CutsFromASampleOfRowsWhenThereAreManyMore) {
  // 8 bins take their cuts from a sample of 2048 of the 6000 rows.
  Data d = StepData(6000);
  BoosterData data;
  data.features = &d.x;
  data.labels = d.y;
  XGBoostParams params = ForestParams(10, 1);
  params.emplace_back("max_bin", "8");
  Booster one_thread = Booster::TrainForest(data, params);
  params[9].second = "2";  // nthread
  Booster two_threads = Booster::TrainForest(data, params);
  EXPECT_EQ(one_thread.Save(), two_threads.Save()) << "the same sample whatever the threads";
  std::vector<float> p = one_thread.Predict(d.x, 1);
  double error = 0;
  for (size_t r = 0; r < p.size(); ++r) error += std::fabs(double(p[r]) - d.y[r]);
  EXPECT_LT(error / static_cast<double>(p.size()), 0.05) << "the step is still found";
}

}  // namespace
}  // namespace leanops::train
