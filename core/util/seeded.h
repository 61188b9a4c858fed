#pragma once
// Small helpers shared by the engine's torch and torch-free parts.
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace adapterlab {

/// Seeded Fisher-Yates with an explicit index rule (rng() % i), so an order is the same with
/// every standard library (std::shuffle's is not).
template <class T>
void seededShuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

/// The first line of an exception message (c10::Error appends a C++ backtrace).
inline std::string firstLine(const char* what) {
    const std::string s(what);
    return s.substr(0, s.find('\n'));
}

} // namespace adapterlab
