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
// Evenly spaced records looked at to guess a content that fills most of a part.
constexpr std::size_t kMajoritySamples = 15;

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

struct DigitCounts {
    std::array<std::size_t, 256> count{};
    KeyDifference differ;
};

DigitCounts count_digits(const PackedRecord* a, std::size_t n, int d) {
    DigitCounts c;
    // The differences accumulate in locals: kept in the returned struct, they
    // went through memory on every record (the counts' stores may alias them).
    uint64_t differ_high = 0, differ_low = 0;
    const uint64_t high = a[0].hash_high, low = a[0].hash_low;
    for (std::size_t i = 0; i < n; ++i) {
        ++c.count[digit_of(a[i], d)];
        differ_high |= a[i].hash_high ^ high;
        differ_low |= a[i].hash_low ^ low;
    }
    c.differ = {differ_high, differ_low};
    return c;
}

// Counts digit d, moving d past leading digits all records share: each would
// cost a pass for one bucket, and a heavily copied content shares its whole
// hash, so it is done as soon as it is isolated. d = kKeyDigits: all keys equal.
DigitCounts count_first_useful_digit(const PackedRecord* a, std::size_t n, int& d) {
    for (;;) {
        auto c = count_digits(a, n, d);
        const int first = c.differ.first_digit();
        if (first <= d) return c;
        d = first;
        if (d >= kKeyDigits) return c;
    }
}

void insertion_sort(PackedRecord* a, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        const PackedRecord v = a[i];
        std::size_t j = i;
        for (; j > 0 && key_less(v, a[j - 1]); --j) a[j] = a[j - 1];
        a[j] = v;
    }
}

// Out of place and stable: streaming reads and 256 streaming writes.
void scatter_by_digit(const PackedRecord* a, std::size_t n, int d, const std::array<std::size_t, 256>& count,
                      PackedRecord* out) {
    std::array<std::size_t, 256> next;
    for (std::size_t b = 0, start = 0; b < 256; ++b) {
        next[b] = start;
        start += count[b];
    }
    for (std::size_t i = 0; i < n; ++i) out[next[digit_of(a[i], d)]++] = a[i];
}

// In place (American flag sort), not stable: a cycle leader permutation that
// moves each record straight into its bucket.
void permute_by_digit(PackedRecord* a, int d, const std::array<std::size_t, 256>& count) {
    std::array<std::size_t, 256> head, tail;
    for (std::size_t b = 0, start = 0; b < 256; ++b) {
        head[b] = start;
        start += count[b];
        tail[b] = start;
    }
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

// The key most frequent among evenly spaced samples, and how many samples have it.
std::pair<PackedRecord, std::size_t> likely_majority(const PackedRecord* a, std::size_t n) {
    std::array<PackedRecord, kMajoritySamples> samples;
    for (std::size_t s = 0; s < kMajoritySamples; ++s) samples[s] = a[(2 * s + 1) * n / (2 * kMajoritySamples)];
    std::pair<PackedRecord, std::size_t> best{samples[0], 0};
    for (const auto& candidate : samples) {
        std::size_t hits = 0;
        for (const auto& other : samples) hits += same_content(candidate, other);
        if (hits > best.second) best = {candidate, hits};
    }
    return best;
}

std::size_t count_equal(const PackedRecord* a, std::size_t n, const PackedRecord& key) {
    std::size_t equal = 0;
    for (std::size_t i = 0; i < n; ++i) equal += same_content(a[i], key);
    return equal;
}

struct ThreeWaySplit {
    std::size_t less = 0, equal = 0;
};

// Stable three-way partition around `key`, to [less][equal][greater]: the
// equal records are compacted forwards in place, the others (which `scratch`
// must hold) copied out and back. Stable, so the records of a heavily copied
// content keep their arrival order (usually by layer), which the counter's
// per-layer tally then reads sequentially instead of at random.
ThreeWaySplit partition_around(PackedRecord* a, std::size_t n, const PackedRecord& key, PackedRecord* scratch) {
    ThreeWaySplit split;
    std::size_t others = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (same_content(a[i], key)) {
            a[split.equal++] = a[i];
        } else {
            split.less += key_less(a[i], key);
            scratch[others++] = a[i];
        }
    }
    std::memmove(static_cast<void*>(a + split.less), a, split.equal * sizeof(PackedRecord));
    std::size_t low = 0, high = split.less + split.equal;
    for (std::size_t j = 0; j < others; ++j) {
        if (key_less(scratch[j], key))
            a[low++] = scratch[j];
        else
            a[high++] = scratch[j];
    }
    return split;
}

void msd_sort(PackedRecord* a, std::size_t n, int d, std::span<PackedRecord> scratch);

void sort_buckets(PackedRecord* a, int d, const std::array<std::size_t, 256>& count,
                  std::span<PackedRecord> scratch) {
    for (std::size_t b = 0, start = 0; b < 256; ++b) {
        if (count[b] > 1) msd_sort(a + start, count[b], d + 1, scratch);
        start += count[b];
    }
}

// A part too large for the scratch. If one content fills so much of it that
// the rest fits the scratch, it is split off stably; true when done.
bool split_off_majority(PackedRecord* a, std::size_t n, int d, std::span<PackedRecord> scratch) {
    const auto [key, hits] = likely_majority(a, n);
    if (2 * hits <= kMajoritySamples) return false;
    const std::size_t equal = count_equal(a, n, key);
    if (equal == n) return true;  // one content: nothing to sort
    if (n - equal > scratch.size()) return false;
    const auto split = partition_around(a, n, key, scratch.data());
    msd_sort(a, split.less, d, scratch);
    const std::size_t greater = split.less + split.equal;
    msd_sort(a + greater, n - greater, d, scratch);
    return true;
}

void msd_sort(PackedRecord* a, std::size_t n, int d, std::span<PackedRecord> scratch) {
    if (n <= kInsertionSortLimit) return insertion_sort(a, n);
    if (d >= kKeyDigits) return;  // equal keys
    if (n > scratch.size() && split_off_majority(a, n, d, scratch)) return;
    const auto c = count_first_useful_digit(a, n, d);
    if (d >= kKeyDigits) return;
    if (n <= scratch.size()) {
        scatter_by_digit(a, n, d, c.count, scratch.data());
        std::memcpy(static_cast<void*>(a), scratch.data(), n * sizeof(PackedRecord));
    } else {
        permute_by_digit(a, d, c.count);
    }
    sort_buckets(a, d, c.count, scratch);
}

}  // namespace

std::span<PackedRecord> sort_records(std::span<PackedRecord> records, std::span<PackedRecord> scratch) {
    PackedRecord* a = records.data();
    const std::size_t n = records.size();
    if (n <= kInsertionSortLimit || n > scratch.size()) {
        msd_sort(a, n, 0, scratch);
        return records;
    }
    // Out of place at the first useful digit, with no copy back: the records end
    // up in the scratch, and each bucket below is sorted there with the matching
    // stretch of `records` as its own scratch.
    int d = 0;
    const auto c = count_first_useful_digit(a, n, d);
    if (d >= kKeyDigits) return records;
    scatter_by_digit(a, n, d, c.count, scratch.data());
    for (std::size_t b = 0, start = 0; b < 256; ++b) {
        if (c.count[b] > 1) msd_sort(scratch.data() + start, c.count[b], d + 1, records.subspan(start, c.count[b]));
        start += c.count[b];
    }
    return scratch.first(n);
}

}  // namespace regcensus::dedup
