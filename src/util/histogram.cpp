#include "regcensus/util/histogram.hpp"

#include <bit>

namespace regcensus {

int Pow2Histogram::bin_of(int64_t value) {
    if (value <= 0) return 0;
    return std::bit_width(static_cast<uint64_t>(value));
}

int64_t Pow2Histogram::lower_edge(int bin) { return bin == 0 ? 0 : int64_t{1} << (bin - 1); }

void Pow2Histogram::add(int64_t value, int64_t times) {
    if (value < 0 || times == 0) return;
    const auto bin = static_cast<std::size_t>(bin_of(value));
    if (counts_.size() <= bin) counts_.resize(bin + 1, 0);
    counts_[bin] += times;
}

void Pow2Histogram::merge(const Pow2Histogram& other) {
    if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size(), 0);
    for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
}

std::vector<int64_t> Pow2Histogram::lower_edges() const {
    std::vector<int64_t> edges(counts_.size());
    for (std::size_t i = 0; i < edges.size(); ++i) edges[i] = lower_edge(static_cast<int>(i));
    return edges;
}

int64_t Pow2Histogram::total() const {
    int64_t sum = 0;
    for (auto c : counts_) sum += c;
    return sum;
}

void Pow2Histogram::assign_counts(std::vector<int64_t> counts) {
    while (!counts.empty() && counts.back() == 0) counts.pop_back();
    counts_ = std::move(counts);
}

}  // namespace regcensus
