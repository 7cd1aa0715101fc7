#include "train/xgboost_library.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/shared_library.h"

namespace leanops::train {
namespace {

XGBoostLibrary Load() {
  // XGBoost's OpenMP threads spin between parallel regions by default; on
  // a busy machine (a pipeline running beside other jobs) that made training
  // 5-13x slower than with one thread. Sleeping waiters cost little when
  // idle. A value the user set is kept. libgomp reads it when it loads.
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  SharedLibrary handle("libxgboost.so.0", "training and scoring XGBoost models", "libxgboost0",
                       "XGBoost 1.7 or newer");
  XGBoostLibrary lib{};
  handle.Resolve("XGBGetLastError", &lib.get_last_error);
  handle.Resolve("XGBoostVersion", &lib.version);
  handle.Resolve("XGDMatrixCreateFromDense", &lib.dmatrix_create_from_dense);
  handle.Resolve("XGProxyDMatrixCreate", &lib.proxy_dmatrix_create);
  handle.Resolve("XGProxyDMatrixSetDataDense", &lib.proxy_dmatrix_set_data_dense);
  handle.Resolve("XGQuantileDMatrixCreateFromCallback", &lib.quantile_dmatrix_create_from_callback);
  handle.Resolve("XGDMatrixSetFloatInfo", &lib.dmatrix_set_float_info);
  handle.Resolve("XGDMatrixFree", &lib.dmatrix_free);
  handle.Resolve("XGBoosterCreate", &lib.booster_create);
  handle.Resolve("XGBoosterFree", &lib.booster_free);
  handle.Resolve("XGBoosterSetParam", &lib.booster_set_param);
  handle.Resolve("XGBoosterUpdateOneIter", &lib.booster_update_one_iter);
  handle.Resolve("XGBoosterEvalOneIter", &lib.booster_eval_one_iter);
  handle.Resolve("XGBoosterPredictFromDMatrix", &lib.booster_predict_from_dmatrix);
  handle.Resolve("XGBoosterPredictFromDense", &lib.booster_predict_from_dense);
  handle.Resolve("XGBoosterSaveModelToBuffer", &lib.booster_save_model_to_buffer);
  handle.Resolve("XGBoosterLoadModelFromBuffer", &lib.booster_load_model_from_buffer);
  handle.Resolve("XGBoosterBoostedRounds", &lib.booster_boosted_rounds);
  handle.Resolve("XGBoosterGetNumFeature", &lib.booster_get_num_feature);
  handle.Resolve("XGBoosterSetStrFeatureInfo", &lib.booster_set_str_feature_info);
  handle.Resolve("XGBoosterGetStrFeatureInfo", &lib.booster_get_str_feature_info);
  handle.Resolve("XGBoosterSaveJsonConfig", &lib.booster_save_json_config);
  return lib;  // the handle stays open for the life of the process
}

}  // namespace

const XGBoostLibrary& XGBoost() { return LoadOnce<XGBoostLibrary>(Load); }

const char* XGBoostVersion() {
  static const std::string version = [] {
    int major = 0, minor = 0, patch = 0;
    XGBoost().version(&major, &minor, &patch);
    return fmt::format("{}.{}.{}", major, minor, patch);
  }();
  return version.c_str();
}

}  // namespace leanops::train
