// The model directory: MLflow's MLmodel layout, so MLflow tools and
// Python's mlflow.xgboost.load_model read a leanops model.
//
//   model/
//     MLmodel             YAML, keys sorted as MLflow writes them:
//                           flavors.xgboost   data: model.xgb, model_class: xgboost.core.Booster,
//                                             model_format: xgb, xgb_version (boosters only)
//                           flavors.leanops   data: leanops.json, model_type, task, leanops_version
//                           model_uuid        derived from the model's bytes (same model, same id)
//                           run_id            when the model was logged to a run
//                           saved_input_example_info, signature (MLflow's column schema:
//                           long, double, boolean, string, datetime), utc_time_created
//     model.xgb           the booster in XGBoost's UBJSON format (xgboost, random_forest)
//     leanops.json        task, target, classes, effective params, the fitted feature
//                         transforms (features.h) and, for linear models, the coefficients
//     input_example.json  the first training rows, pandas "split" orient
//
// The booster takes the transformed features (named as the transforms name
// their outputs); leanops.json turns raw rows into them. With the same data,
// config and seed, model.xgb and leanops.json are byte-identical, and so is
// MLmodel when SOURCE_DATE_EPOCH fixes utc_time_created.
//
// Saving writes a sibling temp directory and renames it into place, so an
// interrupted save leaves the previous model (or none), never half of one.
#pragma once

#include <string>

#include "table/table.h"
#include "train/model.h"

namespace leanops::train {

struct ModelDirMeta {
  std::string run_id;                     // "" when not logged
  std::string artifact_path;              // "model" when logged
  const table::Table* example = nullptr;  // raw input rows, optional
  int64_t created_seconds = 0;            // utc_time_created (seconds since the epoch)
};

void SaveModelDir(const TrainedModel& model, const std::string& dir, const ModelDirMeta& meta);

/// A model directory written by SaveModelDir, or a bare XGBoost model file
/// (JSON, UBJSON or the legacy binary, as written by any XGBoost): then
/// the model scores the input's columns named by the booster's feature
/// names, untransformed. Throws kData naming the file for anything else.
TrainedModel LoadModel(const std::string& path);

}  // namespace leanops::train
