#include "regcensus/census/image_listing.hpp"

#include "regcensus/manifest/rfc3339.hpp"

namespace regcensus {
namespace {

std::string field(const std::vector<std::string>& fields, const std::map<std::string, std::size_t>& columns,
                  const std::string& name) {
    auto it = columns.find(name);
    if (it == columns.end() || it->second >= fields.size()) return {};
    std::string text = fields[it->second];
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
    while (!text.empty() && text.front() == ' ') text.erase(text.begin());
    return text;
}

}  // namespace

ImageListing read_listing(const std::vector<std::string>& fields, const std::map<std::string, std::size_t>& columns) {
    ImageListing listing;
    if (const auto updated = field(fields, columns, "last_updated"); !updated.empty())
        listing.last_updated = parse_rfc3339_seconds(updated);
    const auto official = field(fields, columns, "is_official");
    if (official == "1" || official == "true") listing.is_official = 1;
    if (official == "0" || official == "false") listing.is_official = 0;
    listing.source = field(fields, columns, "source");
    return listing;
}

void encode(ByteWriter& out, const ImageListing& listing) {
    out.put(listing.last_updated);
    out.put(listing.is_official);
    out.put_string(listing.source);
}

ImageListing decode_image_listing(ByteReader& in) {
    ImageListing listing;
    listing.last_updated = in.get<int64_t>();
    listing.is_official = in.get<int64_t>();
    listing.source = in.get_string();
    return listing;
}

}  // namespace regcensus
