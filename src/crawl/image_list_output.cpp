#include "regcensus/crawl/image_list_output.hpp"

#include <algorithm>

#include "regcensus/util/atomic_file.hpp"

namespace regcensus::crawl {
namespace {

std::string single_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
}

}  // namespace

std::string image_list_header() {
    return "#reference\tpull_count\tstar_count\tlast_updated\tis_official\tsource";
}

std::string format_image_list_row(const CrawlRow& row) {
    std::string line = single_line(row.reference);
    line += '\t';
    line += std::to_string(row.pull_count);
    line += '\t';
    line += std::to_string(row.star_count);
    line += '\t';
    line += single_line(row.last_updated);
    line += '\t';
    line += row.is_official ? '1' : '0';
    line += '\t';
    line += single_line(row.source);
    return line;
}

std::vector<CrawlRow> deduplicate_rows(std::vector<FoundRow> rows) {
    std::sort(rows.begin(), rows.end(), [](const FoundRow& a, const FoundRow& b) {
        if (a.row.reference != b.row.reference) return a.row.reference < b.row.reference;
        return a.origin < b.origin;
    });
    std::vector<CrawlRow> unique;
    for (auto& found : rows)
        if (unique.empty() || unique.back().reference != found.row.reference) unique.push_back(std::move(found.row));
    return unique;
}

void write_image_list(const std::string& path, const std::vector<CrawlRow>& rows) {
    AtomicFileWriter out(path);
    out.write(image_list_header() + '\n');
    for (const auto& row : rows) out.write(format_image_list_row(row) + '\n');
    out.commit();
}

}  // namespace regcensus::crawl
