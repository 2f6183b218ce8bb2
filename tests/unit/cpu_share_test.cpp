// A rank's share of its CPUs (util/cpu_share.hpp), which decides whether its
// layers get a thread for the inflate (LayerLimits::use_spare_core).
#include <gtest/gtest.h>

#include <algorithm>

#include "regcensus/util/cpu_share.hpp"

namespace regcensus {
namespace {

TEST(CpuShare, BoundUnboundAndOverlappingRanks) {
    // Two ranks bound to a core each (mpirun -np 2 on a 2-core node).
    EXPECT_DOUBLE_EQ(cpu_share({{0}, {1}}, {0}), 1.0);
    // Three unbound ranks on 2 cores (oversubscribed): two thirds each.
    EXPECT_DOUBLE_EQ(cpu_share({{0, 1}, {0, 1}, {0, 1}}, {0, 1}), 2.0 / 3.0);
    // Slurm --cpus-per-task=4, two ranks: four CPUs each.
    EXPECT_DOUBLE_EQ(cpu_share({{0, 1, 2, 3}, {4, 5, 6, 7}}, {4, 5, 6, 7}), 4.0);
    // One rank alone with 2 CPUs (the program started without mpirun).
    EXPECT_DOUBLE_EQ(cpu_share({{0, 1}}, {0, 1}), 2.0);
    // Overlapping masks: CPU 1 is shared, CPU 2 is mine alone.
    EXPECT_DOUBLE_EQ(cpu_share({{0, 1}, {1, 2}}, {1, 2}), 1.5);
    // The kernel said nothing: no CPU to count.
    EXPECT_DOUBLE_EQ(cpu_share({{}}, {}), 0.0);
}

TEST(CpuShare, ThisProcessSeesItsAffinity) {
    const auto cpus = allowed_cpus();
    ASSERT_FALSE(cpus.empty());
    EXPECT_TRUE(std::is_sorted(cpus.begin(), cpus.end()));
    EXPECT_DOUBLE_EQ(cpu_share({cpus}, cpus), static_cast<double>(cpus.size()));
}

}  // namespace
}  // namespace regcensus
