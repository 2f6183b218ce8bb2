#include "regcensus/pipeline/image_list.hpp"

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace regcensus {
namespace {

std::vector<std::string> split_tabs(std::string_view line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        auto tab = line.find('\t', start);
        fields.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return fields;
        start = tab + 1;
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

int64_t parse_count(std::string_view text, const std::string& where) {
    text = trim(text);
    if (text.empty()) return -1;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error(where + ": not a whole number: '" + std::string(text) + "'");
    return value;
}

}  // namespace

std::vector<ImageListEntry> read_image_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read image list " + path);
    std::vector<ImageListEntry> entries;
    int pull_column = -1, star_column = -1;
    std::string line;
    int line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        std::string_view text = trim(line);
        if (text.starts_with("#reference")) {
            auto names = split_tabs(text);
            for (std::size_t i = 1; i < names.size(); ++i) {
                auto name = trim(names[i]);
                if (name == "pull_count") pull_column = static_cast<int>(i);
                if (name == "star_count") star_column = static_cast<int>(i);
            }
            continue;
        }
        if (text.empty() || text.front() == '#') continue;
        auto fields = split_tabs(text);
        ImageListEntry entry;
        entry.reference = std::string(trim(fields[0]));
        entry.line_number = line_number;
        const auto where = path + ":" + std::to_string(line_number);
        if (pull_column > 0 && static_cast<std::size_t>(pull_column) < fields.size())
            entry.pull_count = parse_count(fields[pull_column], where);
        if (star_column > 0 && static_cast<std::size_t>(star_column) < fields.size())
            entry.star_count = parse_count(fields[star_column], where);
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace regcensus
