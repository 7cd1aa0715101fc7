// XGBoost's C API, loaded on first use with dlopen.
//
// libxgboost pulls OpenMP and dmlc into a process; only training and
// scoring need it, so the other commands (and a machine without it) pay
// nothing, as for libcurl and libpq. The functions are XGBoost's own,
// resolved from libxgboost.so.0 (Debian package libxgboost0, XGBoost 1.7).
#pragma once

#include <xgboost/c_api.h>

namespace leanops::train {

struct XGBoostLibrary {
  const char* (*get_last_error)();
  void (*version)(int*, int*, int*);
  int (*dmatrix_create_from_dense)(const char*, const char*, DMatrixHandle*);
  int (*proxy_dmatrix_create)(DMatrixHandle*);
  int (*proxy_dmatrix_set_data_dense)(DMatrixHandle, const char*);
  int (*quantile_dmatrix_create_from_callback)(DataIterHandle, DMatrixHandle, DataIterHandle,
                                               DataIterResetCallback*, XGDMatrixCallbackNext*,
                                               const char*, DMatrixHandle*);
  int (*dmatrix_set_float_info)(DMatrixHandle, const char*, const float*, bst_ulong);
  int (*dmatrix_free)(DMatrixHandle);
  int (*booster_create)(const DMatrixHandle[], bst_ulong, BoosterHandle*);
  int (*booster_free)(BoosterHandle);
  int (*booster_set_param)(BoosterHandle, const char*, const char*);
  int (*booster_update_one_iter)(BoosterHandle, int, DMatrixHandle);
  int (*booster_eval_one_iter)(BoosterHandle, int, DMatrixHandle[], const char*[], bst_ulong,
                               const char**);
  int (*booster_predict_from_dmatrix)(BoosterHandle, DMatrixHandle, const char*, const bst_ulong**,
                                      bst_ulong*, const float**);
  int (*booster_predict_from_dense)(BoosterHandle, const char*, const char*, DMatrixHandle,
                                    const bst_ulong**, bst_ulong*, const float**);
  int (*booster_save_model_to_buffer)(BoosterHandle, const char*, bst_ulong*, const char**);
  int (*booster_load_model_from_buffer)(BoosterHandle, const void*, bst_ulong);
  int (*booster_boosted_rounds)(BoosterHandle, int*);
  int (*booster_get_num_feature)(BoosterHandle, bst_ulong*);
  int (*booster_set_str_feature_info)(BoosterHandle, const char*, const char**, bst_ulong);
  int (*booster_get_str_feature_info)(BoosterHandle, const char*, bst_ulong*, const char***);
  int (*booster_save_json_config)(BoosterHandle, bst_ulong*, const char**);
};

/// Loads libxgboost once; throws kIO naming the package when it is missing.
const XGBoostLibrary& XGBoost();

/// "1.7.4": the loaded library's version (recorded in the MLmodel file).
const char* XGBoostVersion();

}  // namespace leanops::train
