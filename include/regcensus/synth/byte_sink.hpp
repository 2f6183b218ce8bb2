#pragma once
// Push-style byte streams of the generator: tar writer -> compressor -> blob
// file. Each stage sees every byte once, so layers are never held in memory.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace regcensus::synth {

class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual void write(std::span<const std::byte> bytes) = 0;
    // Flushes what the stage buffers and finishes the stream downstream.
    virtual void finish() = 0;

    void write(std::string_view text) { write(std::as_bytes(std::span(text.data(), text.size()))); }
};

// The end of a stream kept in memory: small blobs (configs) and tests.
class StringSink final : public ByteSink {
public:
    using ByteSink::write;
    void write(std::span<const std::byte> bytes) override {
        out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    void finish() override {}
    std::string out;
};

}  // namespace regcensus::synth
