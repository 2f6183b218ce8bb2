#pragma once
// A registry blob as a ByteSource: the HTTP transfer runs on the registry's
// TransferEngine (one pooled keep-alive connection for all the streams of a
// process, not one per blob) and hands chunks to the consumer through a
// bounded queue, so a 10 GB layer costs a few MiB of memory and the network
// overlaps the analysis. When the queue is full the transfer pauses, and only
// this one. A small thread per stream runs the request's auth and retry rounds.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "regcensus/registry/http_session.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/util/byte_source.hpp"

namespace regcensus {

class BlobStream final : public ByteSource {
public:
    static constexpr size_t kChunkBytes = 1 << 20;
    static constexpr size_t kQueuedChunks = 4;

    // Starts the transfer at once, on `policy.engine` (a private one when null).
    // `description` names the blob in error messages.
    // `auth` (may be null) authorizes the request for `scope`; `expected_size`
    // (-1: unknown) is checked against what arrives (DataError "size_mismatch").
    BlobStream(HttpPolicy policy, HttpRequest request, std::string description,
               std::shared_ptr<RegistryShared> shared = nullptr, std::string scope = {},
               int64_t expected_size = -1);
    // Aborts a transfer still running (the consumer stopped early) and joins it.
    ~BlobStream() override;
    BlobStream(const BlobStream&) = delete;
    BlobStream& operator=(const BlobStream&) = delete;

    std::span<const std::byte> next() override;

private:
    void transfer();
    SinkVerdict take(std::span<const std::byte> bytes);  // the transfer's body sink
    void finish(std::exception_ptr error);

    const HttpRequest request_;
    const std::string description_;
    const std::shared_ptr<RegistryShared> shared_;
    const std::string scope_;
    const int64_t expected_size_;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> queue_;
    bool finished_ = false;
    std::exception_ptr error_;
    std::atomic<bool> cancelled_{false};
    bool paused_ = false;  // the sink answered `full`; the consumer resumes it

    // Transfer thread only (pending_ and received_ are read by the consumer
    // only after finish()).
    std::string pending_;  // bytes of the chunk being filled
    int64_t received_ = 0;
    bool oversized_ = false;
    HttpSession session_;

    std::string current_;  // the chunk the consumer holds, valid until the next call

    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace regcensus
