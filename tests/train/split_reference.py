#!/usr/bin/python3
"""An independent mt19937_64, Lemire draw and Fisher-Yates shuffle in plain
Python, which produced the golden values of src/train/split_test.cc
("SameSplitOnEveryPlatform"). Run: python3 tests/train/split_reference.py
"""
MASK = 2**64 - 1
N, M = 312, 156


class Mt19937_64:
    """std::mt19937_64 as [rand.eng.mers] and [rand.predef] define it."""

    def __init__(self, seed):
        self.state = [seed & MASK]
        for i in range(1, N):
            prev = self.state[-1]
            self.state.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK)
        self.index = N

    def __call__(self):
        if self.index >= N:
            for k in range(N):
                y = (self.state[k] & 0xFFFFFFFF80000000) | (self.state[(k + 1) % N] & 0x7FFFFFFF)
                value = self.state[(k + M) % N] ^ (y >> 1)
                if y & 1:
                    value ^= 0xB5026F5AA96619E9
                self.state[k] = value
            self.index = 0
        x = self.state[self.index]
        self.index += 1
        x ^= (x >> 29) & 0x5555555555555555
        x ^= (x << 17) & 0x71D67FFFEDA60000
        x ^= (x << 37) & 0xFFF7EEE000000000
        x ^= x >> 43
        return x & MASK


def uniform_below(bound, rng):
    """Lemire's method: the high word of x * bound, rejecting low words < 2^64 mod bound."""
    product = rng() * bound
    if product & MASK < bound:
        threshold = (2**64 - bound) % bound
        while product & MASK < threshold:
            product = rng() * bound
    return product >> 64


def shuffle(items, rng):
    for i in range(len(items), 1, -1):
        j = uniform_below(i, rng)
        items[i - 1], items[j] = items[j], items[i - 1]


def holdout_test_rows(rows, n_test, seed):
    order = list(range(rows))
    shuffle(order, Mt19937_64(seed))
    return sorted(order[:n_test])


rng = Mt19937_64(5489)
for _ in range(9999):
    rng()
print("10000th output of the default seed (standard: 9981545732273789042):", rng())
rng = Mt19937_64(42)
print("UniformBelow(6) x5, seed 42:", [uniform_below(6, rng) for _ in range(5)])
print("HoldoutSplit(10, 0.3, 42).test:", holdout_test_rows(10, 3, 42))
print("HoldoutSplit(20, 0.25, 7).test:", holdout_test_rows(20, 5, 7))
