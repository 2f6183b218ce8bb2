// The kernel's peak resident memory as read for the per-phase log lines
// (util/peak_memory.hpp): VmHWM parsed, and the reset by /proc/self/clear_refs.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include <sys/mman.h>

#include "regcensus/util/peak_memory.hpp"

namespace regcensus {
namespace {

constexpr int64_t kBlockKib = 128 * 1024;  // 128 MiB, far above the test binary's own noise

// Touches every page of a block mapped and unmapped here, not taken from
// malloc: the heap may hold freed memory of earlier tests that is still
// resident, and a block carved from it would not raise the peak.
void touch_and_free_block() {
    const std::size_t bytes = kBlockKib * 1024;
    void* block = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(block, MAP_FAILED);
    std::memset(block, 1, bytes);
    munmap(block, bytes);
}

TEST(PeakMemory, ReadsThisProcessPeakAndSeesAnAllocation) {
    const auto before = peak_resident_kib();
    ASSERT_TRUE(before.has_value());
    EXPECT_GT(*before, 0);
    touch_and_free_block();
    const auto after = peak_resident_kib();
    ASSERT_TRUE(after.has_value());
    EXPECT_GE(*after, kBlockKib);
    EXPECT_GE(*after, *before);
}

TEST(PeakMemory, ResetForgetsAnEarlierPeakOrSaysItCannot) {
    touch_and_free_block();
    const auto high = peak_resident_kib().value();
    ASSERT_GE(high, kBlockKib);
    if (!reset_peak_resident()) GTEST_SKIP() << "the kernel refuses /proc/self/clear_refs; lines say 'peak since start'";
    const auto low = peak_resident_kib().value();
    EXPECT_GT(low, 0);
    // The freed block no longer counts: the mark is back near the current size.
    EXPECT_LT(low, high - kBlockKib / 2);
    touch_and_free_block();
    EXPECT_GE(peak_resident_kib().value(), kBlockKib);
}

TEST(PeakMemory, ParsesTheStatusLineAndReportsMissingFiles) {
    const auto dir = std::filesystem::temp_directory_path() / "regcensus-peak-memory-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "status") << "Name:\tregcensus\nVmPeak:\t  999999 kB\nVmHWM:\t    54321 kB\nVmRSS:\t 1000 kB\n";
    EXPECT_EQ(peak_resident_kib((dir / "status").string()), 54321);
    std::ofstream(dir / "nohwm") << "Name:\tregcensus\nVmRSS:\t 1000 kB\n";
    EXPECT_FALSE(peak_resident_kib((dir / "nohwm").string()).has_value());
    EXPECT_FALSE(peak_resident_kib((dir / "absent").string()).has_value());
    EXPECT_FALSE(reset_peak_resident((dir / "no-such-dir" / "clear_refs").string()));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace regcensus
