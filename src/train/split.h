// Deterministic row splits for training and evaluation: seeded holdout,
// stratified holdout, k-fold and stratified k-fold.
//
// The same (rows, labels, seed) give the same split on every compiler and
// platform, because a trained model must be byte-identical for the same
// data, config and seed. So nothing here uses std::uniform_int_distribution
// or std::shuffle, whose results are implementation-defined: the random
// source is std::mt19937_64 (its output sequence is fixed by the standard),
// bounded draws use Lemire's unbiased multiply-and-reject method, and
// shuffles are Fisher-Yates from the last element down.
//
// Counts (n rows, test fraction f):
//   - Holdout: n_test = ceil(f * n), as sklearn's train_test_split; both
//     sides must be non-empty.
//   - Stratified holdout: rows are grouped by label value (ascending). The
//     total ceil(f * n) is apportioned to the classes in proportion to their
//     sizes by largest remainder (exact integer arithmetic; equal remainders
//     go to the smaller label), then each class's count is clamped to
//     [1, size - 1] so that train and test both see every class. The total
//     can therefore differ from ceil(f * n) by the clamped amounts. Every
//     class needs at least 2 rows.
//   - K-fold: the rows are shuffled and dealt into k folds of n / k rows,
//     the first n % k folds getting one more (sklearn's KFold sizes).
//   - Stratified k-fold: each class is shuffled, the classes are laid end to
//     end in ascending label order and the result is dealt round-robin, so
//     fold sizes differ by at most 1 and so do a class's counts across folds
//     (as sklearn's StratifiedKFold). Every class needs at least k rows.
//
// Indices are 0-based row numbers, sorted ascending on both sides, so reading
// the rows is sequential and the output does not depend on shuffle order.
// Bad arguments are kData errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace leanops::train {

struct Split {
  std::vector<size_t> train;  // ascending
  std::vector<size_t> test;   // ascending
};

/// Random holdout of ceil(test_fraction * rows) rows; test_fraction in (0, 1).
Split HoldoutSplit(size_t rows, double test_fraction, uint64_t seed);

/// Holdout with each label value's share kept (see the counts above).
/// `labels` holds one finite value per row; any values, grouped exactly.
Split StratifiedHoldoutSplit(std::span<const double> labels, double test_fraction, uint64_t seed);

/// k splits whose test folds partition the rows; 2 <= k <= rows.
std::vector<Split> KFold(size_t rows, size_t k, uint64_t seed);

/// k-fold with each label value spread evenly over the folds.
std::vector<Split> StratifiedKFold(std::span<const double> labels, size_t k, uint64_t seed);

/// The building blocks, exposed so that other sampling (row subsampling,
/// bootstrap) is just as portable.
/// A uniform draw from [0, bound), bound >= 1, by Lemire's method; consumes
/// one output of `rng`, or more in the rare rejected case.
uint64_t UniformBelow(uint64_t bound, std::mt19937_64& rng);
/// Fisher-Yates: for i = n-1 down to 1, swap item i with item UniformBelow(i+1).
void Shuffle(std::span<size_t> items, std::mt19937_64& rng);

}  // namespace leanops::train
