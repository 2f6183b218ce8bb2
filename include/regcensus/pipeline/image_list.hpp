#pragma once
// The image list `regcensus run` reads: one reference per line, `#` comments and
// blank lines ignored. An optional header line `#reference<TAB>col<TAB>...`
// names tab-separated columns; `pull_count` and `star_count` are carried into
// /images, other columns are accepted and ignored.
#include <cstdint>
#include <string>
#include <vector>

namespace regcensus {

struct ImageListEntry {
    std::string reference;
    int64_t pull_count = -1;
    int64_t star_count = -1;
    int line_number = 0;  // for error messages
};

// Throws std::runtime_error naming the file and line on a malformed number or an unreadable file.
std::vector<ImageListEntry> read_image_list(const std::string& path);

}  // namespace regcensus
