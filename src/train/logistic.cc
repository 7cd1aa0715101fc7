// FitLogistic: L2-penalised logistic regression by Newton's method.
//
// Parameters are laid out per output row as [w (d values), b], so the
// penalty is the identity on every block except its last entry.
#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "train/linear.h"
#include "train/linear_internal.h"

namespace leanops::train {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// xa' diag(v) xa for v of one sign, as a symmetric rank update of
// sqrt(|v|) xa: half the flops of a general product.
MatrixXd WeightedGram(const MatrixXd& xa, const VectorXd& v, double sign) {
  MatrixXd scaled = (sign * v).cwiseMax(0).cwiseSqrt().asDiagonal() * xa;
  MatrixXd gram = MatrixXd::Zero(xa.cols(), xa.cols());
  gram.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose(), sign);
  return gram.selfadjointView<Eigen::Lower>();
}

// log(1 + exp(z)) without overflow.
double Softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

// A smooth, strictly convex objective of the parameter vector.
class Objective {
 public:
  virtual ~Objective() = default;
  virtual double Value(const VectorXd& theta) const = 0;
  virtual VectorXd Gradient(const VectorXd& theta) const = 0;
  virtual MatrixXd Hessian(const VectorXd& theta) const = 0;
};

// Shared data: features with a column of ones appended, C * weights.
struct Data {
  MatrixXd xa;
  VectorXd cs;
  Index d;  // number of features; xa has d + 1 columns
};

// Binary: one row, p = sigmoid(xa theta), labels 0/1.
class BinaryObjective : public Objective {
 public:
  BinaryObjective(const Data& data, VectorXd y) : data_(data), y_(std::move(y)) {}

  double Value(const VectorXd& theta) const override {
    VectorXd z = data_.xa * theta;
    double loss = 0;
    for (Index i = 0; i < z.size(); ++i) loss += data_.cs[i] * (Softplus(z[i]) - y_[i] * z[i]);
    return 0.5 * theta.head(data_.d).squaredNorm() + loss;
  }
  VectorXd Gradient(const VectorXd& theta) const override {
    VectorXd residual = Probabilities(theta) - y_;
    VectorXd g = data_.xa.transpose() * data_.cs.cwiseProduct(residual);
    g.head(data_.d) += theta.head(data_.d);
    return g;
  }
  MatrixXd Hessian(const VectorXd& theta) const override {
    VectorXd p = Probabilities(theta);
    VectorXd curvature = data_.cs.array() * p.array() * (1 - p.array());
    MatrixXd h = WeightedGram(data_.xa, curvature, 1);
    h.diagonal().head(data_.d).array() += 1;
    return h;
  }

 private:
  VectorXd Probabilities(const VectorXd& theta) const {
    return (data_.xa * theta).unaryExpr([](double z) { return Sigmoid(z); });
  }
  const Data& data_;
  VectorXd y_;
};

// Multinomial: K rows, P = softmax(xa Theta) with Theta (d+1) x K stored
// column-major in theta, so class k's block is theta[k(d+1), (k+1)(d+1)).
class MultinomialObjective : public Objective {
 public:
  MultinomialObjective(const Data& data, MatrixXd one_hot)
      : data_(data), y_(std::move(one_hot)), k_(y_.cols()) {}

  double Value(const VectorXd& theta) const override {
    MatrixXd z = data_.xa * Params(theta);
    double loss = 0;
    for (Index i = 0; i < z.rows(); ++i) {
      double top = z.row(i).maxCoeff();
      double lse = top + std::log((z.row(i).array() - top).exp().sum());
      loss += data_.cs[i] * (lse - z.row(i).dot(y_.row(i)));
    }
    return 0.5 * Params(theta).topRows(data_.d).squaredNorm() + loss;
  }
  VectorXd Gradient(const VectorXd& theta) const override {
    MatrixXd g = data_.xa.transpose() * (data_.cs.asDiagonal() * (Probabilities(theta) - y_));
    g.topRows(data_.d) += Params(theta).topRows(data_.d);
    return Eigen::Map<VectorXd>(g.data(), g.size());
  }
  // Block (k, l) = delta_kl R + xa' diag(cs p_k (delta_kl - p_l)) xa, whose
  // weights are >= 0 on the diagonal and <= 0 off it. Shifting
  // all intercepts together changes nothing, so the Hessian is singular
  // along u = (1 at every intercept); adding scale * u u' makes it definite
  // without changing Newton steps orthogonal to u (the gradient is).
  MatrixXd Hessian(const VectorXd& theta) const override {
    MatrixXd p = Probabilities(theta);
    Index b = data_.d + 1;
    MatrixXd h(k_ * b, k_ * b);
    for (Index k = 0; k < k_; ++k) {
      for (Index l = k; l < k_; ++l) {
        VectorXd v =
            data_.cs.array() * p.col(k).array() * ((k == l ? 1.0 : 0.0) - p.col(l).array());
        h.block(k * b, l * b, b, b) = WeightedGram(data_.xa, v, k == l ? 1 : -1);
        if (k != l) h.block(l * b, k * b, b, b) = h.block(k * b, l * b, b, b).transpose();
      }
      h.block(k * b, k * b, data_.d, data_.d).diagonal().array() += 1;
    }
    double scale = h.diagonal().mean();
    for (Index k = 0; k < k_; ++k) {
      for (Index l = 0; l < k_; ++l) h(k * b + data_.d, l * b + data_.d) += scale;
    }
    return h;
  }

 private:
  Eigen::Map<const MatrixXd> Params(const VectorXd& theta) const {
    return Eigen::Map<const MatrixXd>(theta.data(), data_.d + 1, k_);
  }
  MatrixXd Probabilities(const VectorXd& theta) const {
    MatrixXd z = data_.xa * Params(theta);
    for (Index i = 0; i < z.rows(); ++i) {
      z.row(i) = (z.row(i).array() - z.row(i).maxCoeff()).exp();
      z.row(i) /= z.row(i).sum();
    }
    return z;
  }
  const Data& data_;
  MatrixXd y_;
  Index k_;
};

struct NewtonResult {
  VectorXd theta;
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0;
};

// Newton from zero with Armijo backtracking; stops when the gradient norm
// falls to tol times its value at zero.
NewtonResult Newton(const Objective& f, Index size, double tol, int max_iter) {
  NewtonResult r;
  r.theta = VectorXd::Zero(size);
  double value = f.Value(r.theta);
  VectorXd g = f.Gradient(r.theta);
  double target = tol * g.norm();
  for (;;) {
    r.gradient_norm = g.norm();
    if (r.gradient_norm <= target) {
      r.converged = true;
      break;
    }
    if (r.iterations == max_iter) break;
    ++r.iterations;
    Eigen::LDLT<MatrixXd> ldlt(f.Hessian(r.theta));
    if (ldlt.info() != Eigen::Success) ThrowInternal("logistic: Hessian factorisation failed");
    VectorXd step = ldlt.solve(-g);
    double slope = g.dot(step);
    if (!(slope < 0)) break;  // not a descent direction: numerically at the optimum
    // Near the optimum the decrease can fall below the rounding of the value;
    // a full Newton step is then accepted within that rounding.
    double noise = 8 * std::numeric_limits<double>::epsilon() * std::abs(value);
    bool moved = false;
    for (double t = 1; t > 1e-10; t /= 2) {
      VectorXd trial = r.theta + t * step;
      double trial_value = f.Value(trial);
      if (trial_value <= value + 1e-4 * t * slope || (t == 1 && trial_value <= value + noise)) {
        r.theta = std::move(trial);
        value = trial_value;
        moved = true;
        break;
      }
    }
    if (!moved) break;  // line search stalled
    g = f.Gradient(r.theta);
  }
  return r;
}

}  // namespace

LogisticFit FitLogistic(Features x, std::span<const double> labels, size_t num_classes,
                        const LogisticOptions& options, std::span<const double> weights) {
  constexpr std::string_view kWhat = "logistic regression";
  ConstRowMap xs = CheckFeatures(x, kWhat);
  if (!(options.c > 0) || !std::isfinite(options.c))
    ThrowData("{}: C is {}; need C > 0", kWhat, options.c);
  if (!(options.tol > 0)) ThrowData("{}: tol is {}; need tol > 0", kWhat, options.tol);
  if (options.max_iter < 1) ThrowData("{}: max_iter is {}; need >= 1", kWhat, options.max_iter);
  if (num_classes < 2) ThrowData("{}: {} classes; need at least 2", kWhat, num_classes);
  if (labels.size() != x.rows) ThrowData("{}: {} labels for {} rows", kWhat, labels.size(), x.rows);
  VectorXd s = CheckWeights(weights, x.rows, kWhat);
  std::vector<double> class_weight(num_classes);
  for (size_t i = 0; i < labels.size(); ++i) {
    double y = labels[i];
    if (!(y >= 0 && y < static_cast<double>(num_classes)) || y != std::floor(y)) {
      ThrowData("{}: label of row {} is {}; expected a class number 0..{}", kWhat, i, y,
                num_classes - 1);
    }
    class_weight[static_cast<size_t>(y)] += s[static_cast<Index>(i)];
  }
  for (size_t k = 0; k < num_classes; ++k) {
    if (class_weight[k] == 0) ThrowData("{}: class {} has no rows of positive weight", kWhat, k);
  }

  auto n = static_cast<Index>(x.rows), d = static_cast<Index>(x.cols);
  Data data{MatrixXd(n, d + 1), options.c * s, d};
  data.xa.leftCols(d) = xs;
  data.xa.col(d).setOnes();
  auto k = static_cast<Index>(num_classes);
  NewtonResult r;
  if (k == 2) {
    Eigen::Map<const VectorXd> y(labels.data(), n);
    r = Newton(BinaryObjective(data, y), d + 1, options.tol, options.max_iter);
  } else {
    MatrixXd one_hot = MatrixXd::Zero(n, k);
    for (Index i = 0; i < n; ++i)
      one_hot(i, static_cast<Index>(labels[static_cast<size_t>(i)])) = 1;
    r = Newton(MultinomialObjective(data, std::move(one_hot)), k * (d + 1), options.tol,
               options.max_iter);
  }

  LogisticFit fit;
  fit.converged = r.converged;
  fit.iterations = r.iterations;
  fit.gradient_norm = r.gradient_norm;
  LinearModel& m = fit.model;
  m.kind = LinearKind::kLogistic;
  m.num_features = x.cols;
  m.num_classes = num_classes;
  Eigen::Map<const MatrixXd> params(r.theta.data(), d + 1, k == 2 ? 1 : k);
  for (Index c = 0; c < params.cols(); ++c) {
    m.coef.insert(m.coef.end(), params.col(c).data(), params.col(c).data() + d);
    m.intercept.push_back(params(d, c));
  }
  if (k > 2) {
    // Put the free shift where sklearn's lbfgs leaves it: intercepts sum to 0.
    double mean = params.row(d).mean();
    for (double& b : m.intercept) b -= mean;
  }
  return fit;
}

}  // namespace leanops::train
