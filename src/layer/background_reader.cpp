#include "background_reader.hpp"

#include <cstring>
#include <stdexcept>

namespace regcensus::layer {

BackgroundReader::BackgroundReader(ByteSource& source, DigestAlgorithm algorithm)
    : source_(source), hasher_(algorithm), thread_([this] { read_ahead(); }) {}

BackgroundReader::~BackgroundReader() { stop(); }

void BackgroundReader::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void BackgroundReader::read_ahead() {
    std::unique_lock lock(mutex_);
    while (true) {
        // Reading chunk read_ overwrites the slot of chunk read_ - kSlots, which
        // the consumer holds until it takes chunk read_ - kSlots + 1.
        changed_.wait(lock, [&] { return stopping_ || read_ - taken_ < kSlots - 1; });
        if (stopping_) return;
        Slot& slot = slots_[read_ % kSlots];
        lock.unlock();
        bool last = false;
        try {
            const auto chunk = source_.next();
            if (slot.bytes.size() < chunk.size()) slot.bytes.resize(chunk.size());
            if (!chunk.empty()) std::memcpy(slot.bytes.data(), chunk.data(), chunk.size());
            slot.size = chunk.size();
            last = chunk.empty();
        } catch (...) {
            slot.error = std::current_exception();
            slot.size = 0;
            last = true;
        }
        lock.lock();
        ++read_;
        changed_.notify_all();
        if (last) return;
        // Hashed after it is handed over, so the decoder need not wait for it;
        // the slot is not refilled before this thread comes back here.
        lock.unlock();
        hasher_.update(std::span<const std::byte>(slot.bytes.data(), slot.size));
        lock.lock();
    }
}

std::span<const std::byte> BackgroundReader::next() {
    if (error_) std::rethrow_exception(error_);
    if (ended_) return {};
    const Slot* slot = nullptr;
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return read_ > taken_; });
        slot = &slots_[taken_ % kSlots];
        ++taken_;
    }
    changed_.notify_all();
    if (slot->error) {
        error_ = slot->error;
        std::rethrow_exception(error_);
    }
    if (slot->size == 0) ended_ = true;
    return {slot->bytes.data(), slot->size};
}

std::string BackgroundReader::finish_digest() {
    if (!ended_) throw std::logic_error("BackgroundReader::finish_digest before the end of the source");
    // The thread returns right after queuing the end, every chunk hashed.
    if (thread_.joinable()) thread_.join();
    return hasher_.finish_digest();
}

}  // namespace regcensus::layer
