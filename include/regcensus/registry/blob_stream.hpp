#pragma once
// A registry blob as a ByteSource: the HTTP transfer runs on a thread of its own
// and hands chunks to the consumer through a bounded queue, so a 10 GB layer
// costs a few MiB of memory and the network overlaps the analysis.
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

    // Starts the transfer at once. `description` names the blob in error messages.
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
    bool hand_over(std::string&& chunk);  // false when the consumer has gone
    void finish(std::exception_ptr error);

    const HttpPolicy policy_;
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

    std::string current_;  // the chunk the consumer holds, valid until the next call

    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace regcensus
