#include "regcensus/util/histogram.hpp"

#include <gtest/gtest.h>

namespace regcensus {

TEST(Pow2Histogram, BinsArePowersOfTwoWithZeroAlone) {
    EXPECT_EQ(Pow2Histogram::bin_of(0), 0);
    EXPECT_EQ(Pow2Histogram::bin_of(1), 1);
    EXPECT_EQ(Pow2Histogram::bin_of(2), 2);
    EXPECT_EQ(Pow2Histogram::bin_of(3), 2);
    EXPECT_EQ(Pow2Histogram::bin_of(4), 3);
    EXPECT_EQ(Pow2Histogram::bin_of(1023), 10);
    EXPECT_EQ(Pow2Histogram::bin_of(1024), 11);
    EXPECT_EQ(Pow2Histogram::lower_edge(11), 1024);
}

TEST(Pow2Histogram, MergeAddsAndUnknownIsSkipped) {
    Pow2Histogram a, b;
    a.add(0);
    a.add(5);
    a.add(-1);
    b.add(6, 2);
    b.add(100);
    a.merge(b);
    EXPECT_EQ(a.counts(), (std::vector<int64_t>{1, 0, 0, 3, 0, 0, 0, 1}));
    EXPECT_EQ(a.lower_edges(), (std::vector<int64_t>{0, 1, 2, 4, 8, 16, 32, 64}));
    EXPECT_EQ(a.total(), 5);
}

}  // namespace regcensus
