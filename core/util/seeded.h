#pragma once
// Seeded shuffling that gives the same order with every standard library.
#include <random>
#include <utility>
#include <vector>

namespace adapterlab {

/// Seeded Fisher-Yates with an explicit index rule (rng() % i), so an order is the same with
/// every standard library (std::shuffle's is not).
template <class T>
void seededShuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

} // namespace adapterlab
