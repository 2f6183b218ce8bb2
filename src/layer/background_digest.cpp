#include "background_digest.hpp"

#include <cstring>

namespace regcensus::layer {

BackgroundDigest::BackgroundDigest(DigestAlgorithm algorithm)
    : hasher_(algorithm), thread_([this] { hash_queued_chunks(); }) {}

BackgroundDigest::~BackgroundDigest() { stop(); }

void BackgroundDigest::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::span<const std::byte> BackgroundDigest::absorb(std::span<const std::byte> chunk) {
    std::unique_lock lock(mutex_);
    // The slot to fill held chunk absorbed_ - kSlots: wait until it is hashed.
    changed_.wait(lock, [&] { return absorbed_ - hashed_ < kSlots || error_; });
    if (error_) std::rethrow_exception(error_);
    const std::size_t slot = absorbed_ % kSlots;
    lock.unlock();
    auto& buffer = slots_[slot];
    if (buffer.size() < chunk.size()) buffer.resize(chunk.size());
    std::memcpy(buffer.data(), chunk.data(), chunk.size());
    lock.lock();
    sizes_[slot] = chunk.size();
    ++absorbed_;
    lock.unlock();
    changed_.notify_all();
    return {buffer.data(), chunk.size()};
}

void BackgroundDigest::hash_queued_chunks() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return hashed_ < absorbed_ || stopping_; });
        if (hashed_ == absorbed_) return;  // stopping, nothing left
        const std::size_t slot = hashed_ % kSlots;
        const std::size_t size = sizes_[slot];
        lock.unlock();
        try {
            hasher_.update(std::span<const std::byte>(slots_[slot].data(), size));
        } catch (...) {
            lock.lock();
            error_ = std::current_exception();
            changed_.notify_all();
            return;
        }
        lock.lock();
        ++hashed_;
        changed_.notify_all();
    }
}

std::string BackgroundDigest::finish_digest() {
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return hashed_ == absorbed_ || error_; });
    }
    stop();
    if (error_) std::rethrow_exception(error_);
    return hasher_.finish_digest();
}

}  // namespace regcensus::layer
