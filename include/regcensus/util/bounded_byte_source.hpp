#pragma once
// A ByteSource that refuses to yield more than a bound: what keeps a blob that
// never ends (or goes on far past what any descriptor declared) from being
// read up to the analyser's much larger decompression limits.
#include <cstdint>
#include <string>

#include "regcensus/util/byte_source.hpp"

namespace regcensus {

class BoundedByteSource final : public ByteSource {
public:
    // `bound` < 0: no bound. Past it, next() throws DataError("size_mismatch", `why`).
    BoundedByteSource(ByteSource& source, int64_t bound, std::string why)
        : source_(source), bound_(bound), why_(std::move(why)) {}

    std::span<const std::byte> next() override;

private:
    ByteSource& source_;
    int64_t bound_;
    std::string why_;
    int64_t yielded_ = 0;
};

}  // namespace regcensus
