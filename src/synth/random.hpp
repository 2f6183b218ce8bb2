#pragma once
// The corpus's only source of randomness: xoshiro256** seeded through
// splitmix64. Everything is integer arithmetic written here, so a seed gives
// the same corpus with every compiler and standard library (std::
// distributions are implementation-defined and would not).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace regcensus::synth {

// One step of splitmix64; also used to derive independent sub-seeds.
uint64_t splitmix64(uint64_t& state);

// A seed for a named part of the corpus ("layer/base-debian", ...), so that
// adding a part does not shift the random streams of the others.
uint64_t derive_seed(uint64_t seed, std::string_view name);

class Random {
public:
    explicit Random(uint64_t seed);

    uint64_t next();
    // Uniform in [0, bound); bound > 0. Lemire's multiply-shift, no modulo bias worth noting.
    uint64_t below(uint64_t bound);
    // Uniform in [low, high] (inclusive).
    int64_t between(int64_t low, int64_t high);
    // True with probability numerator/denominator.
    bool chance(uint64_t numerator, uint64_t denominator);
    // A log-normal-ish size around 2^median_log2 (integer arithmetic only):
    // the exponent is a sum of uniform draws, the mantissa uniform.
    int64_t log_size(int median_log2, int spread_log2);
    void fill(std::span<std::byte> out);

    template <typename Container>
    const auto& pick(const Container& items) {
        return items[static_cast<std::size_t>(below(std::size(items)))];
    }

private:
    uint64_t state_[4];
};

}  // namespace regcensus::synth
