#include "content_hasher.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace regcensus::layer {
namespace {

ContentHash to_content_hash(XXH128_hash_t hash) { return {hash.high64, hash.low64}; }

constexpr std::size_t kZeroBlockBytes = 64 * 1024;
const std::array<std::byte, kZeroBlockBytes> kZeros{};

}  // namespace

struct ContentHasher::State {
    XXH3_state_t* xxh = XXH3_createState();
    ~State() { XXH3_freeState(xxh); }
};

ContentHasher::ContentHasher() : state_(std::make_unique<State>()) {
    if (!state_->xxh) throw std::bad_alloc();
}

ContentHasher::~ContentHasher() = default;

ContentHash ContentHasher::hash_whole(std::span<const std::byte> content) {
    return to_content_hash(XXH3_128bits(content.data(), content.size()));
}

void ContentHasher::begin() {
    XXH3_128bits_reset(state_->xxh);
    probe_size_ = 0;
}

void ContentHasher::update(std::span<const std::byte> bytes) {
    if (probe_size_ < probe_.size()) {
        const std::size_t take = std::min(bytes.size(), probe_.size() - probe_size_);
        std::memcpy(probe_.data() + probe_size_, bytes.data(), take);
        probe_size_ += take;
    }
    XXH3_128bits_update(state_->xxh, bytes.data(), bytes.size());
}

void ContentHasher::update_zeros(int64_t count) {
    while (count > 0) {
        const auto take = static_cast<std::size_t>(std::min<int64_t>(count, kZeroBlockBytes));
        update({kZeros.data(), take});
        count -= static_cast<int64_t>(take);
    }
}

ContentHash ContentHasher::finish() { return to_content_hash(XXH3_128bits_digest(state_->xxh)); }

}  // namespace regcensus::layer
