// Hyperparameters: the names users know from scikit-learn and XGBoost,
// checked per model type and mapped to what the trainer runs.
//
//   xgboost        n_estimators (100), max_depth (6), learning_rate (0.3, also eta),
//                  subsample (1), colsample_bytree, colsample_bylevel, colsample_bynode (1),
//                  min_child_weight (1), gamma (0), reg_lambda (1), reg_alpha (0),
//                  max_bin (256), max_leaves (0), grow_policy (depthwise), tree_method (hist),
//                  scale_pos_weight (1), max_delta_step (0), eval_metric
//   random_forest  n_estimators (40), max_depth (8), max_features ("sqrt", a
//                  fraction, or a count), max_samples (0.2, the fraction of rows
//                  each tree sees, without replacement), min_child_weight (1),
//                  reg_lambda (1e-5), max_bin (64)
//                  -- XGBoost's random-forest mode: one round of n_estimators
//                  parallel trees with learning rate 1. The defaults are smaller
//                  than scikit-learn's (100 full-depth trees on bootstrap samples):
//                  on the churn data 40 depth-8 trees on 20% samples, split on 64
//                  bins, score as well (bench/RESULTS.md) at a tenth of the time.
//                  XGBoost's cost per tree grows with all rows, not the sample
//                  (unsampled rows only get zero gradients), so the tree count
//                  sets the time; a coarser histogram regularises a forest
//                  rather than hurting it (held-out AUC +0.0005 at 100k rows).
//   linear         alpha (1.0): ridge, as scikit-learn's Ridge
//   logistic       C (1.0), max_iter (100), tol (1e-6): L2, as LogisticRegression
//   all            seed (also random_state), n_jobs
//
// Unknown names and values of the wrong type are kData naming the key and
// listing what the model type accepts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "train/booster.h"
#include "train/train_config.h"

namespace leanops::train {

struct BoosterPlan {
  XGBoostParams params;  // in a fixed order, so the same config gives the same model
  int rounds = 0;
  bool forest = false;  // random_forest: train with Booster::TrainForest
};

struct LinearPlan {
  double alpha = 1.0;  // linear
  double c = 1.0;      // logistic
  int max_iter = 100;
  double tol = 1e-6;
};

/// Checks `config.model.params` against the model type (throws kData with
/// `source` and the key); returns the params as logged to the tracking store
/// (every effective value, defaults included, by the user's names).
nlohmann::ordered_json EffectiveParams(const TrainConfig& config, const std::string& source,
                                       int num_features);

/// The XGBoost plan of an xgboost or random_forest config.
BoosterPlan PlanBooster(const TrainConfig& config, Task task, int num_classes, int num_features,
                        int jobs);
/// The plan of a linear or logistic config.
LinearPlan PlanLinear(const TrainConfig& config);

}  // namespace leanops::train
