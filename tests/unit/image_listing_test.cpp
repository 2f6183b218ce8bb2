#include <gtest/gtest.h>

#include "regcensus/census/image_listing.hpp"

namespace regcensus {
namespace {

const std::map<std::string, std::size_t> kColumns = {{"last_updated", 3}, {"is_official", 4}, {"source", 5}};

TEST(ImageListing, ReadsTheCrawlColumns) {
    const auto listing =
        read_listing({"library/nginx:latest", "10", "2", "2024-01-02T03:04:05.678Z", "1", "namespace:library"}, kColumns);
    EXPECT_EQ(listing.last_updated, 1704164645);
    EXPECT_EQ(listing.is_official, 1);
    EXPECT_EQ(listing.source, "namespace:library");
}

TEST(ImageListing, UnparseableOrAbsentValuesAreUnknownNotErrors) {
    const auto bad = read_listing({"a", "1", "1", "yesterday", "maybe", " catalog "}, kColumns);
    EXPECT_EQ(bad.last_updated, -1);
    EXPECT_EQ(bad.is_official, -1);
    EXPECT_EQ(bad.source, "catalog");
    const auto short_line = read_listing({"a", "1"}, kColumns);
    EXPECT_EQ(short_line.last_updated, -1);
    EXPECT_EQ(short_line.is_official, -1);
    EXPECT_EQ(short_line.source, "");
    EXPECT_EQ(read_listing({"a", "", "", "", "false", ""}, kColumns).is_official, 0);
    EXPECT_EQ(read_listing({"a"}, {}).source, "");
}

TEST(ImageListing, RoundTripsThroughThePlanCodec) {
    ImageListing listing{1704164645, 0, "search:ngi"};
    ByteWriter out;
    encode(out, listing);
    ByteReader in(out.bytes());
    const auto back = decode_image_listing(in);
    EXPECT_EQ(back.last_updated, 1704164645);
    EXPECT_EQ(back.is_official, 0);
    EXPECT_EQ(back.source, "search:ngi");
}

}  // namespace
}  // namespace regcensus
