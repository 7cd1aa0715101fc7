// Helpers shared by linear.cc and logistic.cc; not part of the module's API.
#pragma once

#include <Eigen/Dense>
#include <span>
#include <string_view>

#include "train/linear.h"

namespace leanops::train {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix>;

/// The features as an Eigen view, after checking shape and finiteness.
ConstRowMap CheckFeatures(Features x, std::string_view what);

/// The sample weights (all 1 when empty), checked finite, >= 0, not all 0.
Eigen::VectorXd CheckWeights(std::span<const double> weights, size_t rows, std::string_view what);

/// Rows of coef_: K for a multinomial model, else 1.
size_t OutputRows(const LinearModel& model);

/// 1 / (1 + exp(-z)) without overflow for large |z|.
double Sigmoid(double z);

}  // namespace leanops::train
