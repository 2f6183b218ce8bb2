#include "background_decompressor.hpp"

#include <stdexcept>

namespace regcensus::layer {
namespace {

std::unique_ptr<Decompressor> keeping_enough_chunks(std::unique_ptr<Decompressor> inner) {
    if (inner->output_buffers() < BackgroundDecompressor::kBuffers)
        throw std::logic_error("BackgroundDecompressor: the inner decompressor keeps too few chunks");
    return inner;
}

}  // namespace

BackgroundDecompressor::BackgroundDecompressor(std::unique_ptr<Decompressor> inner)
    : inner_(keeping_enough_chunks(std::move(inner))), thread_([this] { decode_ahead(); }) {}

BackgroundDecompressor::~BackgroundDecompressor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void BackgroundDecompressor::decode_ahead() {
    std::unique_lock lock(mutex_);
    while (true) {
        // Decoding chunk produced_ overwrites the buffer of chunk
        // produced_ - kBuffers, which the consumer holds until it takes chunk
        // produced_ - kBuffers + 1: so at most kBuffers - 1 chunks lie ahead.
        changed_.wait(lock, [&] { return stopping_ || produced_ - taken_ < kBuffers - 1; });
        if (stopping_) return;
        lock.unlock();
        Decoded decoded;
        try {
            decoded.chunk = inner_->next();
            decoded.consumed = inner_->compressed_bytes_consumed();
        } catch (...) {
            decoded.error = std::current_exception();
        }
        const bool last = decoded.chunk.empty();
        lock.lock();
        decoded_[produced_ % kBuffers] = decoded;
        ++produced_;
        changed_.notify_all();
        if (last) return;
    }
}

std::span<const std::byte> BackgroundDecompressor::next() {
    if (last_.error) std::rethrow_exception(last_.error);
    if (finished_) return {};
    Decoded decoded;
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return produced_ > taken_; });
        decoded = decoded_[taken_ % kBuffers];
        ++taken_;
    }
    changed_.notify_all();
    if (decoded.error || decoded.chunk.empty()) {
        finished_ = true;
        last_ = decoded;
        if (decoded.error) std::rethrow_exception(decoded.error);
        return {};
    }
    consumed_ = decoded.consumed;
    return decoded.chunk;
}

}  // namespace regcensus::layer
