#include "regcensus/dedup/packed_record.hpp"

#include <stdexcept>
#include <string>

namespace regcensus::dedup {

PackedRecord pack(const ContentRecord& record) {
    if (record.size < 0 || static_cast<uint64_t>(record.size) > kMaxPackedSize)
        throw std::invalid_argument("content record size out of range: " + std::to_string(record.size));
    PackedRecord packed;
    packed.hash_high = record.hash.high;
    packed.hash_low = record.hash.low;
    packed.layer_row = record.layer_row;
    packed.file_index = record.file_index;
    const uint64_t bits =
        static_cast<uint64_t>(record.size) | (static_cast<uint64_t>(record.type) << kPackedSizeBits);
    std::memcpy(packed.size_and_type, &bits, sizeof(packed.size_and_type));
    return packed;
}

ContentRecord unpack(const PackedRecord& record) {
    return {record.hash(), record.size(), record.layer_row, record.file_index, record.type()};
}

}  // namespace regcensus::dedup
