#pragma once
// Deterministic pseudo-random numbers for jst-sim's data and faults.
//
// The standard distributions differ between standard libraries, so jst-sim maps
// splitmix64 output to ranges itself: the same seed gives the same data set on
// every platform. random_stream is a cheap value type, not thread-safe; the free
// functions are pure.
#include <array>
#include <cstddef>
#include <cstdint>

namespace ferry::sim {

// One splitmix64 finalisation step: a good 64-bit mix of `x`.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A value fixed by (seed, stream, index), mixed so neighbouring inputs differ.
constexpr std::uint64_t hash3(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

// Maps 64 random bits to [0, 1) with 53 bits of precision.
constexpr double to_unit(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// A stream of values from one seed.
class random_stream {
 public:
  explicit random_stream(std::uint64_t seed) : state_(splitmix64(seed)) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return splitmix64(state_);
  }
  // A value in [0, n); n must be > 0. The modulo bias is below 2^-40 for the
  // small ranges jst-sim uses.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // A value in [lo, hi], both inclusive; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  double unit() { return to_unit(next()); }
  bool chance(double p) { return unit() < p; }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

}  // namespace ferry::sim
