// Sizes on the command line (cli/byte_size.hpp, docs/cli.md "Sizes").
#include <gtest/gtest.h>

#include "regcensus/cli/byte_size.hpp"

namespace regcensus::cli {
namespace {

TEST(ByteSize, ParsesUnits) {
    EXPECT_EQ(parse_byte_size("4096"), 4096u);
    EXPECT_EQ(parse_byte_size("4096B"), 4096u);
    EXPECT_EQ(parse_byte_size("2G"), 2147483648u);
    EXPECT_EQ(parse_byte_size("2g"), 2147483648u);
    EXPECT_EQ(parse_byte_size("512MiB"), 536870912u);
    EXPECT_EQ(parse_byte_size("64KiB"), 65536u);
    EXPECT_EQ(parse_byte_size("64K"), 65536u);
    EXPECT_EQ(parse_byte_size("1.5GB"), 1500000000u);
    EXPECT_EQ(parse_byte_size("1.5G"), 1610612736u);
    EXPECT_EQ(parse_byte_size("2kB"), 2000u);
    EXPECT_EQ(parse_byte_size("1TB"), 1000000000000u);
    EXPECT_EQ(parse_byte_size("1TiB"), 1099511627776u);
    EXPECT_EQ(parse_byte_size(" 3 M "), 3145728u);
    EXPECT_EQ(parse_byte_size("0"), 0u);
}

TEST(ByteSize, RefusesWhatIsNotASize) {
    for (const char* bad : {"", "G", "-1", "-1G", "2X", "2GiBs", "1e30", "8EiB", "nan", "inf", "0x10", "1,5G"})
        EXPECT_FALSE(parse_byte_size(bad).has_value()) << bad;
}

TEST(ByteSize, FormatsTheShortestExactSpelling) {
    EXPECT_EQ(format_byte_size(0), "0");
    EXPECT_EQ(format_byte_size(1000), "1000");
    EXPECT_EQ(format_byte_size(65536), "64KiB");
    EXPECT_EQ(format_byte_size(uint64_t{2} << 30), "2GiB");
    EXPECT_EQ(format_byte_size(uint64_t{256} << 30), "256GiB");
    EXPECT_EQ(format_byte_size(uint64_t{3} << 40), "3TiB");
    EXPECT_EQ(format_byte_size((uint64_t{1} << 20) + 1), "1048577");
    for (uint64_t n : {uint64_t{1}, uint64_t{4096}, uint64_t{17179869184}, uint64_t{123456789}})
        EXPECT_EQ(parse_byte_size(format_byte_size(n)), n);
}

}  // namespace
}  // namespace regcensus::cli
