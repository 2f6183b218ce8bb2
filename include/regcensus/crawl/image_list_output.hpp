#pragma once
// The image list a crawl writes, in the format `regcensus run` reads
// (src/census/image_list.cpp): a header naming tab-separated columns, then one
// row per image reference.
#include <string>
#include <vector>

#include "regcensus/crawl/crawl_row.hpp"

namespace regcensus::crawl {

// "#reference\tpull_count\tstar_count\tlast_updated\tis_official\tsource"
std::string image_list_header();

// One row without its newline. Tabs and line breaks inside fields become spaces,
// so that a field never splits a row.
std::string format_image_list_row(const CrawlRow& row);

// Duplicates removed (the occurrence with the smallest origin wins), sorted by reference.
std::vector<CrawlRow> deduplicate_rows(std::vector<FoundRow> rows);

// The header and the rows, written to a temp file renamed over `path`.
void write_image_list(const std::string& path, const std::vector<CrawlRow>& rows);

}  // namespace regcensus::crawl
