#pragma once
// Per-file content identity: XXH3-128 of the bytes (the only file that touches
// libxxhash) plus the first kFileTypeProbeBytes bytes for the file-type probe.
// One instance serves every file of a layer, so there is no per-file allocation.
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "regcensus/layer/file_type.hpp"
#include "regcensus/layer/layer_profile.hpp"

namespace regcensus::layer {

class ContentHasher {
public:
    ContentHasher();
    ~ContentHasher();
    ContentHasher(const ContentHasher&) = delete;
    ContentHasher& operator=(const ContentHasher&) = delete;

    // A whole file in one contiguous block: the common case, hashed in one shot.
    static ContentHash hash_whole(std::span<const std::byte> content);

    // Streaming, for files that arrive in several blocks or with sparse holes.
    void begin();
    void update(std::span<const std::byte> bytes);
    void update_zeros(int64_t count);  // a sparse hole
    ContentHash finish();
    // The first bytes seen since begin(), at most kFileTypeProbeBytes.
    std::span<const std::byte> probe() const { return {probe_.data(), probe_size_}; }

private:
    struct State;
    std::unique_ptr<State> state_;
    std::array<std::byte, kFileTypeProbeBytes> probe_{};
    std::size_t probe_size_ = 0;
};

}  // namespace regcensus::layer
