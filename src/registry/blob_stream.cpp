#include "regcensus/registry/blob_stream.hpp"

#include <algorithm>

#include "regcensus/registry/registry_errors.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

BlobStream::BlobStream(HttpPolicy policy, HttpRequest request, std::string description,
                       std::shared_ptr<RegistryShared> shared, std::string scope, int64_t expected_size)
    : policy_(std::move(policy)), request_(std::move(request)), description_(std::move(description)),
      shared_(std::move(shared)), scope_(std::move(scope)), expected_size_(expected_size),
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
        bool oversized = false;
        const HttpBodySink sink = [&](std::span<const std::byte> bytes) {
            received += int64_t(bytes.size());
            // More bytes than the descriptor says: no point reading on.
            if (expected_size_ >= 0 && received > expected_size_) {
                oversized = true;
                return false;
            }
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
        HttpResponse response;
        // Up to three rounds: anonymous, with a token, once more after insufficient_scope.
        for (int round = 0; round < 3; ++round) {
            HttpRequest request = request_;
            const std::string authorization = shared_ ? shared_->auth().authorization(scope_) : std::string();
            if (!authorization.empty()) request.headers.push_back(authorization);
            response = session.perform_streaming(request, sink, [this] { return cancelled_.load(); });
            if (response.status != 401 || received > 0 || !shared_ ||
                !shared_->auth().handle_unauthorized(response.header("www-authenticate"), scope_, authorization))
                break;
        }
        if (oversized)
            throw DataError("size_mismatch", "GET " + description_ + ": more than the " +
                                                 std::to_string(expected_size_) + " bytes the descriptor states");
        if (response.aborted_by_sink || cancelled_) return finish(nullptr);
        if (!response.ok()) throw registry_error(response, RegistryObject::blob, "GET " + description_);

        // The session already resumes bodies shorter than their announced length;
        // this covers what is left: a body that is complete but not what the descriptor says.
        if (response.entity_length >= 0 && response.entity_length != received)
            throw DataError("truncated", "GET " + description_ + ": received " + std::to_string(received) +
                                             " of " + std::to_string(response.entity_length) + " bytes");
        if (expected_size_ >= 0 && received != expected_size_)
            throw DataError("size_mismatch", "GET " + description_ + ": " + std::to_string(received) +
                                                 " bytes, the descriptor states " + std::to_string(expected_size_));
        if (!pending.empty() && !hand_over(std::move(pending))) return finish(nullptr);
        finish(nullptr);
    } catch (...) {
        finish(std::current_exception());
    }
}

}  // namespace regcensus
