#include "regcensus/dedup/record_sort.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <utility>

namespace regcensus::dedup {
namespace {

// Key bytes, most significant first: 8 of hash.high, 8 of hash.low.
constexpr int kKeyDigits = 16;
// Below this many records a radix pass costs more than it saves.
constexpr std::size_t kInsertionSortLimit = 32;
constexpr std::size_t kPrefetchRecords = 4;

inline unsigned digit_of(const PackedRecord& r, int d) {
    const int shift = 56 - 8 * (d & 7);
    return static_cast<unsigned>((d < 8 ? r.hash_high : r.hash_low) >> shift) & 0xffu;
}

// Bits in which some record differs from the first, per key word: the first
// digit worth a pass is the first non-zero byte of these.
struct KeyDifference {
    uint64_t hash_high = 0, hash_low = 0;

    int first_digit() const {
        if (hash_high) return std::countl_zero(hash_high) / 8;
        if (hash_low) return 8 + std::countl_zero(hash_low) / 8;
        return kKeyDigits;
    }
};

void insertion_sort(PackedRecord* a, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        const PackedRecord v = a[i];
        std::size_t j = i;
        for (; j > 0 && key_less(v, a[j - 1]); --j) a[j] = a[j - 1];
        a[j] = v;
    }
}

void msd_sort(PackedRecord* a, std::size_t n, int d, std::span<PackedRecord> scratch) {
    for (;;) {
        if (n <= kInsertionSortLimit) return insertion_sort(a, n);
        if (d >= kKeyDigits) return;  // equal keys
        std::array<std::size_t, 256> count{};
        KeyDifference differ;
        const uint64_t high = a[0].hash_high, low = a[0].hash_low;
        for (std::size_t i = 0; i < n; ++i) {
            ++count[digit_of(a[i], d)];
            differ.hash_high |= a[i].hash_high ^ high;
            differ.hash_low |= a[i].hash_low ^ low;
        }
        // Leading digits the records share would each cost a pass for one bucket:
        // a heavily copied content shares its whole hash, and is then done.
        if (const int first = differ.first_digit(); first > d) {
            d = first;
            continue;
        }

        if (n <= scratch.size()) {
            // Out of place: streaming reads and 256 streaming writes, then one copy back.
            std::array<std::size_t, 256> next;
            for (std::size_t b = 0, start = 0; b < 256; ++b) {
                next[b] = start;
                start += count[b];
            }
            for (std::size_t i = 0; i < n; ++i) scratch[next[digit_of(a[i], d)]++] = a[i];
            std::memcpy(static_cast<void*>(a), scratch.data(), n * sizeof(PackedRecord));
        } else {
            std::array<std::size_t, 256> head, tail;
            for (std::size_t b = 0, start = 0; b < 256; ++b) {
                head[b] = start;
                start += count[b];
                tail[b] = start;
            }
            // Cycle leader permutation: each record moves straight into its bucket.
            for (unsigned b = 0; b < 256; ++b) {
                while (head[b] < tail[b]) {
                    PackedRecord v = a[head[b]];
                    unsigned k = digit_of(v, d);
                    while (k != b) {
                        // Each bucket fills forwards: fetch its next slots before the walk comes
                        // back, or every swap of a large array waits on a cache miss.
                        __builtin_prefetch(a + head[k] + kPrefetchRecords, 1);
                        std::swap(v, a[head[k]++]);
                        k = digit_of(v, d);
                    }
                    a[head[b]++] = v;
                }
            }
        }
        for (std::size_t b = 0, start = 0; b < 256; ++b) {
            if (count[b] > 1) msd_sort(a + start, count[b], d + 1, scratch);
            start += count[b];
        }
        return;
    }
}

}  // namespace

void sort_records(std::span<PackedRecord> records, std::span<PackedRecord> scratch) {
    msd_sort(records.data(), records.size(), 0, scratch);
}

}  // namespace regcensus::dedup
