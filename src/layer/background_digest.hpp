#pragma once
// The blob's digest computed on a second thread, so that hashing the
// compressed bytes overlaps the inflate when the process has a core to spare
// (LayerLimits::hash_blob_in_background). Each chunk is copied into a small
// ring of slots; the copy is what the decompressor reads, and a slot is only
// refilled once the hasher is done with it and the decompressor has moved
// kSlots chunks further (it only ever holds the latest chunk).
#include <array>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "regcensus/util/digest_hasher.hpp"

namespace regcensus::layer {

class BackgroundDigest {
public:
    explicit BackgroundDigest(DigestAlgorithm algorithm);
    ~BackgroundDigest();
    BackgroundDigest(const BackgroundDigest&) = delete;
    BackgroundDigest& operator=(const BackgroundDigest&) = delete;

    // Queues `chunk` for hashing and returns a copy of it that stays valid
    // until kSlots - 1 further calls.
    std::span<const std::byte> absorb(std::span<const std::byte> chunk);

    // Waits for every queued chunk, then "<algorithm>:<hex>"; call once.
    std::string finish_digest();

private:
    static constexpr std::size_t kSlots = 4;
    void hash_queued_chunks();
    void stop();

    DigestHasher hasher_;
    std::array<std::vector<std::byte>, kSlots> slots_;
    std::array<std::size_t, kSlots> sizes_{};
    std::size_t absorbed_ = 0, hashed_ = 0;  // chunks so far; slot = count % kSlots
    bool stopping_ = false;
    std::exception_ptr error_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace regcensus::layer
