#include "regcensus/registry/blob_stream.hpp"

#include <algorithm>

#include "regcensus/registry/registry_errors.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

BlobStream::BlobStream(HttpPolicy policy, HttpRequest request, std::string description)
    : policy_(policy), request_(std::move(request)), description_(std::move(description)),
      thread_([this] { transfer(); }) {}

BlobStream::~BlobStream() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

std::span<const std::byte> BlobStream::next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (!queue_.empty()) {
        current_ = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        changed_.notify_all();
        return std::as_bytes(std::span(current_.data(), current_.size()));
    }
    current_.clear();
    if (error_) std::rethrow_exception(error_);
    return {};
}

bool BlobStream::hand_over(std::string&& chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.size() < kQueuedChunks || cancelled_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(chunk));
    lock.unlock();
    changed_.notify_all();
    return true;
}

void BlobStream::finish(std::exception_ptr error) {
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
        error_ = error;
    }
    changed_.notify_all();
}

void BlobStream::transfer() {
    try {
        HttpSession session(policy_);
        std::string pending;
        pending.reserve(kChunkBytes);
        int64_t received = 0;
        const HttpBodySink sink = [&](std::span<const std::byte> bytes) {
            received += int64_t(bytes.size());
            // libcurl's writes vary in size; chunks are cut at exactly kChunkBytes
            // so that the memory bound holds whatever it hands over.
            while (!bytes.empty()) {
                const size_t taken = std::min(bytes.size(), kChunkBytes - pending.size());
                pending.append(reinterpret_cast<const char*>(bytes.data()), taken);
                bytes = bytes.subspan(taken);
                if (pending.size() < kChunkBytes) break;
                if (!hand_over(std::move(pending))) return false;
                pending = std::string();
                pending.reserve(kChunkBytes);
            }
            return true;
        };
        const HttpResponse response =
            session.perform_streaming(request_, sink, [this] { return cancelled_.load(); });
        if (response.aborted_by_sink || cancelled_) return finish(nullptr);
        if (!response.ok()) throw registry_error(response, RegistryObject::blob, "GET " + description_);

        // libcurl reports a connection closed before Content-Length as an error
        // already; this also covers servers that announce one length and frame another.
        const std::string announced = response.header("content-length");
        if (!announced.empty() && response.header("content-encoding").empty() &&
            std::stoll(announced) != received)
            throw DataError("truncated", "GET " + description_ + ": received " + std::to_string(received) +
                                             " of " + announced + " bytes");
        if (!pending.empty() && !hand_over(std::move(pending))) return finish(nullptr);
        finish(nullptr);
    } catch (...) {
        finish(std::current_exception());
    }
}

}  // namespace regcensus
