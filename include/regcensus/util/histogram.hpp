#pragma once
// Power-of-two histograms: the binning of every /histograms group unless its
// `binning` attribute says otherwise. Bin 0 holds the value 0, bin k >= 1 holds
// [2^(k-1), 2^k). Histograms merge by adding counts, so per-layer, per-rank and
// global histograms are all the same type and sum exactly.
#include <cstdint>
#include <vector>

namespace regcensus {

class Pow2Histogram {
public:
    static int bin_of(int64_t value);
    static int64_t lower_edge(int bin);

    // Negative values mean "unknown" everywhere in regcensus and are not counted.
    void add(int64_t value, int64_t times = 1);
    void merge(const Pow2Histogram& other);

    // Counts up to the last non-empty bin, so equal data gives equal vectors.
    const std::vector<int64_t>& counts() const { return counts_; }
    std::vector<int64_t> lower_edges() const;
    int64_t total() const;
    void assign_counts(std::vector<int64_t> counts);

    bool operator==(const Pow2Histogram&) const = default;

private:
    std::vector<int64_t> counts_;
};

}  // namespace regcensus
