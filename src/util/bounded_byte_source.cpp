#include "regcensus/util/bounded_byte_source.hpp"

#include "regcensus/util/data_error.hpp"

namespace regcensus {

std::span<const std::byte> BoundedByteSource::next() {
    const auto chunk = source_.next();
    yielded_ += static_cast<int64_t>(chunk.size());
    if (bound_ >= 0 && yielded_ > bound_) throw DataError("size_mismatch", why_);
    return chunk;
}

}  // namespace regcensus
