#pragma once
// The blob read and hashed on a second thread, ahead of its decoder, when the
// process has a core to spare (LayerLimits::use_spare_core): the read's copy
// and the digest then leave the inflate's path. Each chunk of the source is
// copied into a small ring of slots and handed out from there; the thread
// refills a slot only once the consumer has moved past the chunk it held.
#include <array>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "regcensus/util/byte_source.hpp"
#include "regcensus/util/digest_hasher.hpp"

namespace regcensus::layer {

class BackgroundReader {
public:
    // Only the reader's thread touches `source` until this object is destroyed.
    BackgroundReader(ByteSource& source, DigestAlgorithm algorithm);
    ~BackgroundReader();
    BackgroundReader(const BackgroundReader&) = delete;
    BackgroundReader& operator=(const BackgroundReader&) = delete;

    // The source's chunks in order, each valid until kSlots - 1 further calls;
    // empty at its end. The source's error (a DataError) is rethrown in its
    // place, and again by later calls.
    std::span<const std::byte> next();

    // "<algorithm>:<hex>" of the whole source; only once next() has returned
    // its end.
    std::string finish_digest();

    static constexpr std::size_t kSlots = 4;

private:
    struct Slot {
        std::vector<std::byte> bytes;
        std::size_t size = 0;  // 0 marks the end
        std::exception_ptr error;
    };
    void read_ahead();
    void stop();

    ByteSource& source_;
    DigestHasher hasher_;
    std::array<Slot, kSlots> slots_;  // chunk k in slots_[k % kSlots]
    std::size_t read_ = 0, taken_ = 0;  // chunks read by the thread, handed to the consumer
    bool stopping_ = false;
    std::exception_ptr error_;  // once taken: the source's error, repeated
    bool ended_ = false;        // once taken: the end
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace regcensus::layer
