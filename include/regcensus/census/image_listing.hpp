#pragma once
// What a crawl's image list says of an image beyond its popularity (the
// columns last_updated, is_official and source of `regcensus crawl`), carried
// into /images for growth and popularity figures.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regcensus/util/binary_codec.hpp"

namespace regcensus {

struct ImageListing {
    int64_t last_updated = -1;  // Unix seconds; -1 when absent or not an RFC 3339 time
    int64_t is_official = -1;   // 1 or 0; -1 when absent or neither
    std::string source;         // the listing that found it ("catalog", "namespace:library", ...)
};

// The listing columns of one list line; `columns` maps a header name to its field index.
// A value that does not parse is unknown (-1), never an error: these columns are informative.
ImageListing read_listing(const std::vector<std::string>& fields, const std::map<std::string, std::size_t>& columns);

void encode(ByteWriter& out, const ImageListing& listing);
ImageListing decode_image_listing(ByteReader& in);

}  // namespace regcensus
