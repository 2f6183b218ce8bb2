#include "regcensus/registry/blob_stream.hpp"

#include <algorithm>
#include <utility>

#include "registry_errors.hpp"
#include "regcensus/registry/transfer_engine.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

namespace {
HttpPolicy on_an_engine(HttpPolicy policy) {
    if (!policy.engine) policy.engine = std::make_shared<TransferEngine>();
    return policy;
}
}  // namespace

BlobStream::BlobStream(HttpPolicy policy, HttpRequest request, std::string description,
                       std::shared_ptr<RegistryShared> shared, std::string scope, int64_t expected_size)
    : request_(std::move(request)), description_(std::move(description)), shared_(std::move(shared)),
      scope_(std::move(scope)), expected_size_(expected_size), session_(on_an_engine(std::move(policy))),
      thread_([this] { transfer(); }) {}

BlobStream::~BlobStream() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    changed_.notify_all();
    // A paused transfer resumes to see the cancellation; a running one sees it
    // in its next progress callback, which the wake-up brings forward.
    session_.resume_receiving();
    session_.policy().engine->wake();
    thread_.join();
}

std::span<const std::byte> BlobStream::next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (!queue_.empty()) {
        current_ = std::move(queue_.front());
        queue_.pop_front();
        const bool resume = std::exchange(paused_, false);
        lock.unlock();
        if (resume) session_.resume_receiving();
        return std::as_bytes(std::span(current_.data(), current_.size()));
    }
    current_.clear();
    if (error_) std::rethrow_exception(error_);
    return {};
}

SinkVerdict BlobStream::take(std::span<const std::byte> bytes) {
    {
        std::lock_guard lock(mutex_);
        if (cancelled_) return SinkVerdict::stop;
        // Room for one more chunk is all a call can need: libcurl's writes are
        // far smaller than a chunk.
        if (queue_.size() >= kQueuedChunks) {
            paused_ = true;
            return SinkVerdict::full;
        }
    }
    received_ += int64_t(bytes.size());
    // More bytes than the descriptor says: no point reading on.
    if (expected_size_ >= 0 && received_ > expected_size_) {
        oversized_ = true;
        return SinkVerdict::stop;
    }
    // libcurl's writes vary in size; chunks are cut at exactly kChunkBytes so
    // that the memory bound holds whatever it hands over.
    while (!bytes.empty()) {
        const size_t taken = std::min(bytes.size(), kChunkBytes - pending_.size());
        pending_.append(reinterpret_cast<const char*>(bytes.data()), taken);
        bytes = bytes.subspan(taken);
        if (pending_.size() < kChunkBytes) break;
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(pending_));
        }
        changed_.notify_all();
        pending_ = std::string();
        pending_.reserve(kChunkBytes);
    }
    return SinkVerdict::taken;
}

void BlobStream::finish(std::exception_ptr error) {
    {
        std::lock_guard lock(mutex_);
        if (!pending_.empty() && !error) queue_.push_back(std::move(pending_));
        finished_ = true;
        error_ = error;
    }
    changed_.notify_all();
}

void BlobStream::transfer() {
    try {
        pending_.reserve(kChunkBytes);
        const HttpBodySink sink = [this](std::span<const std::byte> bytes) { return take(bytes); };
        HttpResponse response;
        // Up to three rounds: anonymous, with a token, once more after insufficient_scope.
        for (int round = 0; round < 3; ++round) {
            HttpRequest request = request_;
            const std::string authorization = shared_ ? shared_->auth().authorization(scope_) : std::string();
            if (!authorization.empty()) request.headers.push_back(authorization);
            response = session_.perform_streaming(request, sink, [this] { return cancelled_.load(); });
            if (challenged_by_another_origin(response, request.url))
                throw foreign_challenge_error(response, "GET " + description_);
            if (response.status != 401 || received_ > 0 || !shared_ ||
                !shared_->auth().handle_unauthorized(response.header("www-authenticate"), scope_, authorization))
                break;
        }
        if (oversized_)
            throw DataError("size_mismatch", "GET " + description_ + ": more than the " +
                                                 std::to_string(expected_size_) + " bytes the descriptor states");
        if (response.aborted_by_sink || cancelled_) return finish(nullptr);
        if (!response.ok()) throw registry_error(response, RegistryObject::blob, "GET " + description_);

        // The session already resumes bodies shorter than their announced length;
        // this covers what is left: a body that is complete but not what the descriptor says.
        if (response.entity_length >= 0 && response.entity_length != received_)
            throw DataError("truncated_transfer", "GET " + description_ + ": received " + std::to_string(received_) +
                                             " of " + std::to_string(response.entity_length) + " bytes");
        if (expected_size_ >= 0 && received_ != expected_size_)
            throw DataError("size_mismatch", "GET " + description_ + ": " + std::to_string(received_) +
                                                 " bytes, the descriptor states " + std::to_string(expected_size_));
        finish(nullptr);
    } catch (...) {
        finish(std::current_exception());
    }
}

}  // namespace regcensus
