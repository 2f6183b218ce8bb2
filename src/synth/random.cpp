#include "random.hpp"

namespace regcensus::synth {

namespace {
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t derive_seed(uint64_t seed, std::string_view name) {
    // FNV-1a of the name, mixed with the seed through splitmix64.
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    uint64_t state = seed ^ h;
    return splitmix64(state);
}

Random::Random(uint64_t seed) {
    uint64_t s = seed;
    for (auto& word : state_) word = splitmix64(s);
}

uint64_t Random::next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

uint64_t Random::below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
}

int64_t Random::between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(below(static_cast<uint64_t>(high - low) + 1));
}

bool Random::chance(uint64_t numerator, uint64_t denominator) { return below(denominator) < numerator; }

int64_t Random::log_size(int median_log2, int spread_log2) {
    // Sum of three uniform draws in [-s, s]: a bell-shaped exponent.
    int exponent = median_log2;
    for (int i = 0; i < 3; ++i) exponent += static_cast<int>(between(-spread_log2, spread_log2));
    exponent = exponent < 0 ? 0 : (exponent > 40 ? 40 : exponent);
    const int64_t base = int64_t{1} << exponent;
    return base + static_cast<int64_t>(below(static_cast<uint64_t>(base)));
}

void Random::fill(std::span<std::byte> out) {
    std::size_t i = 0;
    // Bytes taken little-endian explicitly, so the corpus does not depend on the host's byte order.
    for (; i + 8 <= out.size(); i += 8) {
        const uint64_t word = next();
        for (int k = 0; k < 8; ++k) out[i + k] = static_cast<std::byte>(word >> (8 * k));
    }
    if (i < out.size()) {
        const uint64_t word = next();
        for (std::size_t k = 0; i + k < out.size(); ++k) out[i + k] = static_cast<std::byte>(word >> (8 * k));
    }
}

}  // namespace regcensus::synth
