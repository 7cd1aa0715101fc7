// The samplers of tune.h: random and the Tree-structured Parzen Estimator,
// with Optuna's default settings (see tune.h for the algorithm).
//
// Every random draw comes from std::mt19937_64 (whose output the C++
// standard fixes) through our own uniform and normal transforms: the
// standard library's distributions differ between implementations, and a
// seeded search should draw the same trials everywhere.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.h"
#include "train/tune.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kCandidates = 24;
constexpr double kPriorWeight = 1.0;

double Uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1p-53; }

double StandardNormal(std::mt19937_64& rng) {
  // Box-Muller; 1 - u keeps the logarithm's argument above 0.
  double u = 1 - Uniform01(rng), v = Uniform01(rng);
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// One numeric parameter in its sampling space: log for log: true, and
// integers widened by half a step on each side.
struct Range {
  double low, high;
};

Range RangeOf(const SearchParam& p) {
  double low = p.low, high = p.high;
  if (p.kind == SearchParam::Kind::kInt) low -= 0.5, high += 0.5;
  if (p.log) return {std::log(low), std::log(high)};
  return {low, high};
}

double ToSpace(const SearchParam& p, double value) { return p.log ? std::log(value) : value; }

Json FromSpace(const SearchParam& p, double x) {
  double value = p.log ? std::exp(x) : x;
  value = std::clamp(value, p.low, p.high);
  if (p.kind == SearchParam::Kind::kInt)
    return static_cast<int64_t>(std::clamp(std::round(value), p.low, p.high));
  return value;
}

// Optuna's default_weights: equal below 25 observations, else the oldest
// ones ramp up from 1/n to 1 and the newest 25 weigh 1. `ages` orders the
// observations by trial number.
std::vector<double> ObservationWeights(size_t n) {
  std::vector<double> w(n, 1.0);
  if (n >= 25) {
    size_t ramp = n - 25;
    for (size_t i = 0; i < ramp; ++i)
      w[i] = ramp == 1 ? 1.0 / static_cast<double>(n)
                       : 1.0 / static_cast<double>(n) + (1.0 - 1.0 / static_cast<double>(n)) *
                                                            static_cast<double>(i) /
                                                            static_cast<double>(ramp - 1);
  }
  return w;
}

// A mixture of Gaussians truncated to `range`, one per observation plus
// the prior.
struct Parzen {
  std::vector<double> mus, sigmas, weights;
  Range range;

  Parzen(std::vector<double> observations, Range r) : range(r) {
    std::vector<double> w = ObservationWeights(observations.size());
    observations.push_back(0.5 * (r.low + r.high));  // the prior
    w.push_back(kPriorWeight);
    size_t n = observations.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return observations[a] < observations[b]; });
    std::vector<double> sorted(n);
    for (size_t i = 0; i < n; ++i) sorted[i] = observations[order[i]];
    std::vector<double> sigma_sorted(n);
    for (size_t i = 0; i < n; ++i) {
      double left = sorted[i] - (i == 0 ? r.low : sorted[i - 1]);
      double right = (i + 1 == n ? r.high : sorted[i + 1]) - sorted[i];
      sigma_sorted[i] = std::max(left, right);
    }
    // Endpoints are not neighbours (Optuna's consider_endpoints=False).
    if (n > 2) {
      sigma_sorted[0] = sorted[1] - sorted[0];
      sigma_sorted[n - 1] = sorted[n - 1] - sorted[n - 2];
    }
    double max_sigma = r.high - r.low;
    double min_sigma = max_sigma / std::min(100.0, 1.0 + static_cast<double>(n));
    sigmas.assign(n, 0);
    for (size_t i = 0; i < n; ++i)
      sigmas[order[i]] = std::clamp(sigma_sorted[i], min_sigma, max_sigma);
    sigmas[n - 1] = max_sigma;  // the prior's
    mus = std::move(observations);
    double total = std::accumulate(w.begin(), w.end(), 0.0);
    for (double& x : w) x /= total;
    weights = std::move(w);
  }

  double Sample(std::mt19937_64& rng) const {
    double u = Uniform01(rng), acc = 0;
    size_t k = 0;
    for (; k + 1 < weights.size(); ++k) {
      acc += weights[k];
      if (u < acc) break;
    }
    for (int attempt = 0; attempt < 1000; ++attempt) {
      double x = mus[k] + sigmas[k] * StandardNormal(rng);
      if (x >= range.low && x <= range.high) return x;
    }
    return std::clamp(mus[k], range.low, range.high);
  }

  double LogPdf(double x) const {
    double best = -INFINITY;
    std::vector<double> terms;
    for (size_t k = 0; k < mus.size(); ++k) {
      double z = (x - mus[k]) / sigmas[k];
      double mass = NormalCdf((range.high - mus[k]) / sigmas[k]) -
                    NormalCdf((range.low - mus[k]) / sigmas[k]);
      double t = std::log(weights[k]) - 0.5 * z * z - std::log(sigmas[k] * std::sqrt(2 * M_PI)) -
                 std::log(std::max(mass, 1e-300));
      terms.push_back(t);
      best = std::max(best, t);
    }
    double sum = 0;
    for (double t : terms) sum += std::exp(t - best);
    return best + std::log(sum);
  }
};

// Category weights: weighted counts plus the prior spread over the choices.
std::vector<double> CategoryWeights(const std::vector<size_t>& observed, size_t choices) {
  std::vector<double> w(choices, kPriorWeight / static_cast<double>(choices));
  std::vector<double> ow = ObservationWeights(observed.size());
  for (size_t i = 0; i < observed.size(); ++i) w[observed[i]] += ow[i];
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& x : w) x /= total;
  return w;
}

size_t ChoiceIndex(const SearchParam& p, const Json& value) {
  for (size_t i = 0; i < p.choices.size(); ++i)
    if (p.choices[i] == value) return i;
  return 0;
}

Json SampleRandom(const SearchParam& p, std::mt19937_64& rng) {
  if (p.kind == SearchParam::Kind::kCategorical)
    return p.choices[static_cast<size_t>(Uniform01(rng) * static_cast<double>(p.choices.size()))];
  Range r = RangeOf(p);
  return FromSpace(p, r.low + (r.high - r.low) * Uniform01(rng));
}

Json SampleTpe(const SearchParam& p, const std::vector<const Trial*>& below,
               const std::vector<const Trial*>& above, std::mt19937_64& rng) {
  if (p.kind == SearchParam::Kind::kCategorical) {
    std::vector<size_t> lo, hi;
    for (const Trial* t : below) lo.push_back(ChoiceIndex(p, t->params[p.key]));
    for (const Trial* t : above) hi.push_back(ChoiceIndex(p, t->params[p.key]));
    std::vector<double> l = CategoryWeights(lo, p.choices.size());
    std::vector<double> g = CategoryWeights(hi, p.choices.size());
    size_t best = 0;
    double best_score = -INFINITY;
    for (int c = 0; c < kCandidates; ++c) {
      double u = Uniform01(rng), acc = 0;
      size_t k = 0;
      for (; k + 1 < l.size(); ++k) {
        acc += l[k];
        if (u < acc) break;
      }
      double score = std::log(l[k]) - std::log(g[k]);
      if (score > best_score) best_score = score, best = k;
    }
    return p.choices[best];
  }
  Range r = RangeOf(p);
  auto values = [&](const std::vector<const Trial*>& trials) {
    std::vector<double> xs;
    for (const Trial* t : trials) xs.push_back(ToSpace(p, t->params[p.key].get<double>()));
    return xs;
  };
  Parzen l(values(below), r), g(values(above), r);
  double best = l.Sample(rng), best_score = -INFINITY;
  for (int c = 0; c < kCandidates; ++c) {
    double x = c == 0 ? best : l.Sample(rng);
    double score = l.LogPdf(x) - g.LogPdf(x);
    if (score > best_score) best_score = score, best = x;
  }
  return FromSpace(p, best);
}

// Multivariate TPE (Falkner et al. 2018, Optuna's multivariate=True): one
// kernel per observation over every parameter at once, so values that
// scored well together are proposed together. Bandwidths follow Scott's
// rule, 0.2 n^(-1/(d+4)) of each range, clipped as in the univariate case.
class JointParzen {
 public:
  JointParzen(const std::vector<SearchParam>& space, const std::vector<const Trial*>& trials) {
    size_t n = trials.size();
    weights_ = ObservationWeights(n);
    weights_.push_back(kPriorWeight);
    double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    for (double& w : weights_) w /= total;
    double sigma0 = 0.2 * std::pow(static_cast<double>(std::max<size_t>(n, 1)),
                                   -1.0 / (static_cast<double>(space.size()) + 4));
    for (const SearchParam& p : space) {
      Kernel k;
      if (p.kind == SearchParam::Kind::kCategorical) {
        // Each observation's choice plus a prior spread over all choices;
        // the prior component is uniform.
        size_t m = p.choices.size();
        for (const Trial* t : trials) {
          std::vector<double> row(m, kPriorWeight / static_cast<double>(n + 1));
          row[ChoiceIndex(p, t->params[p.key])] += 1;
          double sum = std::accumulate(row.begin(), row.end(), 0.0);
          for (double& x : row) x /= sum;
          k.choice_weights.push_back(std::move(row));
        }
        k.choice_weights.emplace_back(m, 1.0 / static_cast<double>(m));
      } else {
        k.range = RangeOf(p);
        double width = k.range.high - k.range.low;
        double sigma = std::clamp(sigma0 * width,
                                  width / std::min(100.0, 2.0 + static_cast<double>(n)), width);
        for (const Trial* t : trials) {
          k.mus.push_back(ToSpace(p, t->params[p.key].get<double>()));
          k.sigmas.push_back(sigma);
        }
        k.mus.push_back(0.5 * (k.range.low + k.range.high));  // the prior
        k.sigmas.push_back(width);
      }
      kernels_.push_back(std::move(k));
    }
  }

  // One point: per parameter, a value in sampling space or a choice index.
  std::vector<double> Sample(std::mt19937_64& rng) const {
    double u = Uniform01(rng), acc = 0;
    size_t c = 0;
    for (; c + 1 < weights_.size(); ++c) {
      acc += weights_[c];
      if (u < acc) break;
    }
    std::vector<double> x;
    for (const Kernel& k : kernels_) {
      if (!k.choice_weights.empty()) {
        const std::vector<double>& w = k.choice_weights[c];
        double v = Uniform01(rng), sum = 0;
        size_t i = 0;
        for (; i + 1 < w.size(); ++i) {
          sum += w[i];
          if (v < sum) break;
        }
        x.push_back(static_cast<double>(i));
        continue;
      }
      double value = std::clamp(k.mus[c], k.range.low, k.range.high);
      for (int attempt = 0; attempt < 1000; ++attempt) {
        double draw = k.mus[c] + k.sigmas[c] * StandardNormal(rng);
        if (draw >= k.range.low && draw <= k.range.high) {
          value = draw;
          break;
        }
      }
      x.push_back(value);
    }
    return x;
  }

  double LogPdf(const std::vector<double>& x) const {
    std::vector<double> terms(weights_.size());
    for (size_t c = 0; c < weights_.size(); ++c) {
      double t = std::log(weights_[c]);
      for (size_t j = 0; j < kernels_.size(); ++j) {
        const Kernel& k = kernels_[j];
        if (!k.choice_weights.empty()) {
          t += std::log(k.choice_weights[c][static_cast<size_t>(x[j])]);
          continue;
        }
        double mu = k.mus[c], sigma = k.sigmas[c], z = (x[j] - mu) / sigma;
        double mass =
            NormalCdf((k.range.high - mu) / sigma) - NormalCdf((k.range.low - mu) / sigma);
        t +=
            -0.5 * z * z - std::log(sigma * std::sqrt(2 * M_PI)) - std::log(std::max(mass, 1e-300));
      }
      terms[c] = t;
    }
    double best = *std::max_element(terms.begin(), terms.end()), sum = 0;
    for (double t : terms) sum += std::exp(t - best);
    return best + std::log(sum);
  }

 private:
  struct Kernel {
    Range range{0, 1};
    std::vector<double> mus, sigmas;                  // numeric: per component
    std::vector<std::vector<double>> choice_weights;  // categorical: per component
  };
  std::vector<double> weights_;  // per component (observations, then the prior)
  std::vector<Kernel> kernels_;  // per parameter
};

Json SampleJointTpe(const std::vector<SearchParam>& space, const std::vector<const Trial*>& below,
                    const std::vector<const Trial*>& above, std::mt19937_64& rng) {
  JointParzen l(space, below), g(space, above);
  std::vector<double> best;
  double best_score = -INFINITY;
  for (int c = 0; c < kCandidates; ++c) {
    std::vector<double> x = l.Sample(rng);
    double score = l.LogPdf(x) - g.LogPdf(x);
    if (score > best_score) best_score = score, best = std::move(x);
  }
  Json params = Json::object();
  for (size_t j = 0; j < space.size(); ++j) {
    const SearchParam& p = space[j];
    params[p.key] = p.kind == SearchParam::Kind::kCategorical
                        ? p.choices[static_cast<size_t>(best[j])]
                        : FromSpace(p, best[j]);
  }
  return params;
}

}  // namespace

Json SampleParams(const TuneConfig& config, const std::vector<Trial>& finished,
                  uint64_t trial_seed) {
  std::mt19937_64 rng(trial_seed);
  std::vector<const Trial*> done;
  for (const Trial& t : finished)
    if (t.value && std::isfinite(*t.value)) done.push_back(&t);
  Json params = Json::object();
  bool model_based = config.tpe && static_cast<int>(done.size()) >= config.startup_trials;
  if (!model_based) {
    for (const SearchParam& p : config.space) params[p.key] = SampleRandom(p, rng);
    return params;
  }
  // Best first; ties keep trial order.
  std::stable_sort(done.begin(), done.end(), [&](const Trial* a, const Trial* b) {
    return config.maximize ? *a->value > *b->value : *a->value < *b->value;
  });
  size_t n_below =
      std::min<size_t>(static_cast<size_t>(std::ceil(0.1 * static_cast<double>(done.size()))), 25);
  std::vector<const Trial*> below(done.begin(), done.begin() + static_cast<long>(n_below));
  std::vector<const Trial*> above(done.begin() + static_cast<long>(n_below), done.end());
  // Observation weights follow trial age, so each group goes back to trial order.
  auto by_number = [](const Trial* a, const Trial* b) { return a->number < b->number; };
  std::sort(below.begin(), below.end(), by_number);
  std::sort(above.begin(), above.end(), by_number);
  if (config.multivariate) return SampleJointTpe(config.space, below, above, rng);
  for (const SearchParam& p : config.space) params[p.key] = SampleTpe(p, below, above, rng);
  return params;
}

}  // namespace leanops::train
