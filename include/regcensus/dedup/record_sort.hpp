#pragma once
// Sort of packed records by hash (see key_less): an MSD radix sort over the
// 16 hash bytes. In place (American flag sort) where no second buffer is
// at hand, so that an owner's memory stays at one copy of its records; a part
// that fits `scratch` is partitioned out of place instead, which streams
// instead of chasing cache misses and is several times faster. A part too large
// for `scratch` but mostly one content has that content split off stably
// instead (see partition_around in the source).
#include <span>

#include "regcensus/dedup/packed_record.hpp"

namespace regcensus::dedup {

// Returns where the sorted records are: `records` itself, or (sorted out of
// place with no copy back) the first records.size() of `scratch`. The other
// span's contents are left unspecified.
std::span<PackedRecord> sort_records(std::span<PackedRecord> records, std::span<PackedRecord> scratch = {});

}  // namespace regcensus::dedup
