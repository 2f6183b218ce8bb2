#pragma once
// The image list `regcensus run` reads: one reference per line, `#` comments and
// blank lines ignored. An optional header line `#reference<TAB>col<TAB>...`
// names tab-separated columns; `pull_count` and `star_count` are carried into
// /images, other columns are accepted and ignored.
//
// The list is an operator's file, but a wrong path must not become an empty or
// endless census: a directory, a missing or unreadable file, a line longer than
// kMaxImageListLineBytes (/dev/zero, a binary file), a NUL byte, more than
// kMaxImageListLines lines, or a list without any reference is an error.
// A reference listed twice is kept once (the first line wins).
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/census/image_listing.hpp"

namespace regcensus {

inline constexpr size_t kMaxImageListLineBytes = 64 << 10;
inline constexpr int64_t kMaxImageListLines = 100'000'000;

struct ImageListEntry {
    std::string reference;
    int64_t pull_count = -1;
    int64_t star_count = -1;
    int line_number = 0;  // for error messages
    ImageListing listing;
};

struct ImageList {
    std::vector<ImageListEntry> entries;
    int64_t duplicates = 0;  // lines dropped because an earlier line named the same image
};

// Reads and checks the list at `path`. Two lines name the same image when their
// reference texts are equal, or when both parse and agree on host, repository,
// tag and digest (`nginx` and `library/nginx:latest` with `docker_hub`, the
// `library/` rule then applying). Throws std::runtime_error naming the path (and
// the line) and the cause.
ImageList load_image_list(const std::string& path, bool docker_hub);

// The entries of load_image_list(path, false).
std::vector<ImageListEntry> read_image_list(const std::string& path);

}  // namespace regcensus
