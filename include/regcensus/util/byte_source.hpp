#pragma once
// A pull-style stream of bytes: a file, a registry blob, a test buffer. The
// layer analyser pulls from it; it never needs the whole blob in memory.
#include <cstddef>
#include <span>

namespace regcensus {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // The next chunk of the stream, valid until the following call; an empty
    // span marks the end. Throws DataError on a failed transfer ("network",
    // "truncated", ...).
    virtual std::span<const std::byte> next() = 0;
};

}  // namespace regcensus
