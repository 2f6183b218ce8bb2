// Transfers of one process share the TransferEngine's pool of keep-alive
// connections (libcurl multi), against a real docker-registry on loopback:
// exact request and connection counts, a paused stream that holds back only
// itself, and an abandoned stream that neither hangs nor poisons the pool.
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "registry_fixture.hpp"
#include "regcensus/registry/blob_stream.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/registry/transfer_engine.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing::drain;
using testing::make_test_bytes;

class RegistryConnectionTest : public testing::RegistryTest {
protected:
    // Blobs of the given sizes pushed into `repository`; returns their contents.
    std::vector<std::string> push_blobs(const std::string& repository, const std::vector<size_t>& sizes,
                                        uint64_t seed) {
        RegistryOptions options;
        options.url = registry_url();
        RegistryClient pusher(options);
        std::vector<std::string> blobs;
        for (size_t size : sizes) {
            blobs.push_back(make_test_bytes(size, seed++));
            pusher.push_blob(repository, Sha256::digest_of(blobs.back()),
                             std::as_bytes(std::span(blobs.back().data(), blobs.back().size())));
        }
        return blobs;
    }

    // A client with a registry state (and so a connection pool) of its own.
    RegistryClient fresh_client() const {
        RegistryOptions options;
        options.url = registry_url();
        return RegistryClient(options);
    }
};

TransferCounts counts_of(const RegistryClient& client) { return client.options().shared->engine()->counts(); }

TEST_F(RegistryConnectionTest, SequentialStreamsShareOneConnection) {
    // One blob larger than the stream's queue, so that its transfer pauses and resumes.
    const auto blobs = push_blobs("conn/sequential", {1000, 50'000, 9 << 20, 3, 200'000, 70'000}, 100);
    RegistryClient client = fresh_client();
    for (const auto& blob : blobs) {
        auto stream = client.open_blob("conn/sequential", Sha256::digest_of(blob), int64_t(blob.size()));
        EXPECT_EQ(drain(*stream), blob);
    }
    for (const auto& blob : blobs) EXPECT_EQ(client.get_blob("conn/sequential", Sha256::digest_of(blob), 16 << 20), blob);
    const TransferCounts counts = counts_of(client);
    EXPECT_EQ(counts.transfers, 12);
    EXPECT_EQ(counts.connections, 1);  // one stream per blob, each a connection of its own before the engine
}

TEST_F(RegistryConnectionTest, APausedStreamHoldsBackOnlyItself) {
    const auto blobs = push_blobs("conn/paused", {12 << 20, 10'000, 20'000, 30'000, 40'000, 50'000}, 200);
    RegistryClient client = fresh_client();
    // Not read for now: its queue fills and its transfer pauses, connection held.
    auto stalled = client.open_blob("conn/paused", Sha256::digest_of(blobs[0]), int64_t(blobs[0].size()));
    auto first_chunk = stalled->next();
    ASSERT_FALSE(first_chunk.empty());
    std::string stalled_bytes(reinterpret_cast<const char*>(first_chunk.data()), first_chunk.size());

    // Meanwhile the other blobs stream to the end, on a second connection.
    auto others = std::async(std::launch::async, [&] {
        RegistryClient second(client.options());
        std::vector<std::string> received;
        for (size_t i = 1; i < blobs.size(); ++i) {
            auto stream = second.open_blob("conn/paused", Sha256::digest_of(blobs[i]), int64_t(blobs[i].size()));
            received.push_back(drain(*stream));
        }
        return received;
    });
    ASSERT_EQ(others.wait_for(std::chrono::seconds(60)), std::future_status::ready)
        << "a paused stream stalled the others";
    const auto received = others.get();
    for (size_t i = 1; i < blobs.size(); ++i) EXPECT_EQ(received[i - 1], blobs[i]);

    stalled_bytes += drain(*stalled);
    EXPECT_EQ(stalled_bytes, blobs[0]);
    const TransferCounts counts = counts_of(client);
    EXPECT_EQ(counts.transfers, 6);
    EXPECT_EQ(counts.connections, 2);
}

TEST_F(RegistryConnectionTest, AnAbandonedStreamEndsAndTheNextTransferWorks) {
    const auto blobs = push_blobs("conn/abandoned", {16 << 20, 5000}, 300);
    RegistryClient client = fresh_client();
    for (int round = 0; round < 3; ++round) {
        auto stream = client.open_blob("conn/abandoned", Sha256::digest_of(blobs[0]), int64_t(blobs[0].size()));
        ASSERT_FALSE(stream->next().empty());
        // Let the queue fill and the transfer pause, then drop the stream.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    auto stream = client.open_blob("conn/abandoned", Sha256::digest_of(blobs[1]), int64_t(blobs[1].size()));
    EXPECT_EQ(drain(*stream), blobs[1]);
    const TransferCounts counts = counts_of(client);
    EXPECT_EQ(counts.transfers, 4);
    // An aborted transfer's connection cannot be reused: each abandoned stream
    // cost its own, and the last transfer got a fresh one.
    EXPECT_EQ(counts.connections, 4);
}

TEST_F(RegistryConnectionTest, ThreadsShareThePoolAndNeverExceedTheirConcurrency) {
    const auto blobs = push_blobs("conn/threads", {4000, 8000, 12000, 16000}, 400);
    RegistryClient client = fresh_client();
    constexpr int kThreads = 3, kRounds = 10;
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            RegistryClient mine(client.options());
            for (int round = 0; round < kRounds; ++round) {
                const auto& blob = blobs[size_t(t + round) % blobs.size()];
                if (mine.get_blob("conn/threads", Sha256::digest_of(blob), 1 << 20) != blob) ++mismatches;
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0);
    const TransferCounts counts = counts_of(client);
    EXPECT_EQ(counts.transfers, kThreads * kRounds);
    EXPECT_GE(counts.connections, 1);
    EXPECT_LE(counts.connections, kThreads);
}

}  // namespace
}  // namespace regcensus
