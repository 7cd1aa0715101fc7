#include "train/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/error.h"

namespace leanops::train {
namespace {

// GCC and Clang provide it on every 64-bit target we build for.
__extension__ typedef unsigned __int128 Uint128;

void CheckFraction(double test_fraction, std::string_view what) {
  if (!(test_fraction > 0 && test_fraction < 1)) {
    ThrowData("{}: test fraction {} is not strictly between 0 and 1", what, test_fraction);
  }
}

// ceil(f * n) as sklearn's train_test_split; both sides must be non-empty.
size_t TestCount(size_t rows, double test_fraction, std::string_view what) {
  CheckFraction(test_fraction, what);
  double count = std::ceil(test_fraction * static_cast<double>(rows));
  if (count >= static_cast<double>(rows)) {
    ThrowData("{}: a test fraction of {} leaves no training rows out of {}", what, test_fraction,
              rows);
  }
  return static_cast<size_t>(count);
}

void CheckFolds(size_t rows, size_t k, std::string_view what) {
  if (k < 2 || k > rows)
    ThrowData("{}: k = {} folds for {} rows; need 2 <= k <= rows", what, k, rows);
}

// Row numbers per label value, ascending by value, each list ascending.
std::vector<std::vector<size_t>> GroupByLabel(std::span<const double> labels, std::string_view what,
                                              std::vector<double>* values) {
  std::map<double, std::vector<size_t>> groups;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!std::isfinite(labels[i])) ThrowData("{}: label of row {} is {}", what, i, labels[i]);
    groups[labels[i]].push_back(i);
  }
  std::vector<std::vector<size_t>> rows;
  for (auto& [value, members] : groups) {
    values->push_back(value);
    rows.push_back(std::move(members));
  }
  return rows;
}

// A split of rows 0..n-1 from the test rows: both sides ascending, in one
// pass instead of sorting them.
Split FromTestRows(size_t rows, std::span<const size_t> test) {
  std::vector<char> in_test(rows, 0);
  for (size_t row : test) in_test[row] = 1;
  Split split;
  split.test.reserve(test.size());
  split.train.reserve(rows - test.size());
  for (size_t row = 0; row < rows; ++row) (in_test[row] ? split.test : split.train).push_back(row);
  return split;
}

// Splits from a fold number per row; both sides come out ascending.
std::vector<Split> SplitsFromFolds(const std::vector<size_t>& fold_of, size_t k) {
  std::vector<Split> splits(k);
  for (size_t row = 0; row < fold_of.size(); ++row) {
    for (size_t f = 0; f < k; ++f) {
      (fold_of[row] == f ? splits[f].test : splits[f].train).push_back(row);
    }
  }
  return splits;
}

}  // namespace

uint64_t UniformBelow(uint64_t bound, std::mt19937_64& rng) {
  if (bound == 0) ThrowInternal("UniformBelow: empty range");
  // Lemire, "Fast Random Integer Generation in an Interval" (2019): the high
  // word of x * bound is uniform once the low words below 2^64 mod bound
  // are rejected.
  Uint128 product = static_cast<Uint128>(rng()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (low < threshold) {
      product = static_cast<Uint128>(rng()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

void Shuffle(std::span<size_t> items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[UniformBelow(i, rng)]);
  }
}

Split HoldoutSplit(size_t rows, double test_fraction, uint64_t seed) {
  size_t n_test = TestCount(rows, test_fraction, "holdout split");
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  Shuffle(order, rng);
  return FromTestRows(rows, std::span(order).first(n_test));
}

Split StratifiedHoldoutSplit(std::span<const double> labels, double test_fraction, uint64_t seed) {
  constexpr std::string_view kWhat = "stratified holdout split";
  size_t n = labels.size();
  size_t n_test = TestCount(n, test_fraction, kWhat);
  std::vector<double> values;
  std::vector<std::vector<size_t>> classes = GroupByLabel(labels, kWhat, &values);
  for (size_t c = 0; c < classes.size(); ++c) {
    if (classes[c].size() < 2) {
      ThrowData("{}: label {} has only 1 row; each class needs 2 (one for train, one for test)",
                kWhat, values[c]);
    }
  }
  // Largest-remainder apportionment of n_test, in exact integers.
  std::vector<size_t> quota(classes.size());
  std::vector<uint64_t> remainder(classes.size());
  size_t given = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    Uint128 share = static_cast<Uint128>(n_test) * classes[c].size();
    quota[c] = static_cast<size_t>(share / n);
    remainder[c] = static_cast<uint64_t>(share % n);
    given += quota[c];
  }
  std::vector<size_t> by_remainder(classes.size());
  std::iota(by_remainder.begin(), by_remainder.end(), size_t{0});
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; given < n_test; ++i, ++given) ++quota[by_remainder[i]];

  std::mt19937_64 rng(seed);
  std::vector<size_t> test;
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<size_t>& members = classes[c];
    size_t take = std::clamp<size_t>(quota[c], 1, members.size() - 1);
    Shuffle(members, rng);
    test.insert(test.end(), members.begin(), members.begin() + static_cast<ptrdiff_t>(take));
  }
  return FromTestRows(n, test);
}

std::vector<Split> KFold(size_t rows, size_t k, uint64_t seed) {
  CheckFolds(rows, k, "k-fold");
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  Shuffle(order, rng);
  std::vector<size_t> fold_of(rows);
  size_t pos = 0;
  for (size_t f = 0; f < k; ++f) {
    size_t size = rows / k + (f < rows % k ? 1 : 0);
    for (size_t i = 0; i < size; ++i) fold_of[order[pos++]] = f;
  }
  return SplitsFromFolds(fold_of, k);
}

std::vector<Split> StratifiedKFold(std::span<const double> labels, size_t k, uint64_t seed) {
  constexpr std::string_view kWhat = "stratified k-fold";
  CheckFolds(labels.size(), k, kWhat);
  std::vector<double> values;
  std::vector<std::vector<size_t>> classes = GroupByLabel(labels, kWhat, &values);
  std::mt19937_64 rng(seed);
  std::vector<size_t> fold_of(labels.size());
  size_t pos = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    if (classes[c].size() < k) {
      ThrowData("{}: label {} has {} rows, fewer than the k = {} folds", kWhat, values[c],
                classes[c].size(), k);
    }
    Shuffle(classes[c], rng);
    for (size_t row : classes[c]) fold_of[row] = pos++ % k;
  }
  return SplitsFromFolds(fold_of, k);
}

}  // namespace leanops::train
