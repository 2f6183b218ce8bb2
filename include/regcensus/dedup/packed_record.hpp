#pragma once
// The 31-byte form in which a content record travels between ranks, is sorted
// and is spilled. An owner's peak memory is this size times the records it
// holds, so the size and the type share 7 bytes (50 + 6 bits) and nothing that
// can be looked up elsewhere (the sole image of a layer) is stored.
#include <bit>
#include <cstdint>
#include <cstring>

#include "regcensus/dedup/dedup_types.hpp"

namespace regcensus::dedup {

inline constexpr int kPackedSizeBits = 50;  // files up to 1 PiB
inline constexpr uint64_t kMaxPackedSize = (uint64_t{1} << kPackedSizeBits) - 1;
static_assert(kFileTypeCount <= 64, "the file type takes the 6 bits above the packed size");
static_assert(std::endian::native == std::endian::little, "size_and_type is read as a little-endian integer");

// No default member initialisers: a large `new PackedRecord[n]` must leave its
// pages untouched (and so not resident) until records arrive.
#pragma pack(push, 1)
struct PackedRecord {
    uint64_t hash_high;
    uint64_t hash_low;
    uint32_t layer_row;
    uint32_t file_index;
    uint8_t size_and_type[7];  // bits 0-49 size, bits 50-55 FileType

    uint64_t size_and_type_bits() const {
        uint64_t bits = 0;
        std::memcpy(&bits, size_and_type, sizeof(size_and_type));
        return bits;
    }
    int64_t size() const { return static_cast<int64_t>(size_and_type_bits() & kMaxPackedSize); }
    FileType type() const { return static_cast<FileType>(size_and_type_bits() >> kPackedSizeBits); }
    ContentHash hash() const { return {hash_high, hash_low}; }
};
#pragma pack(pop)
static_assert(sizeof(PackedRecord) == 31);

// Throws std::invalid_argument for a size outside [0, 1 PiB).
PackedRecord pack(const ContentRecord& record);
ContentRecord unpack(const PackedRecord& record);

// Sort order: the hash alone. The records of one content may come in any
// order; everything counted of them (copies, distinct layers, the example = the
// smallest (layer row, file index)) does not depend on it, and not sorting a
// content copied a million times by location saves the most expensive passes.
inline bool key_less(const PackedRecord& a, const PackedRecord& b) {
    if (a.hash_high != b.hash_high) return a.hash_high < b.hash_high;
    return a.hash_low < b.hash_low;
}

inline bool same_content(const PackedRecord& a, const PackedRecord& b) {
    return a.hash_high == b.hash_high && a.hash_low == b.hash_low;
}

}  // namespace regcensus::dedup
