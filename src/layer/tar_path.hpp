#pragma once
// Path normalisation of the results contract: leading "./" and "/" removed
// (repeatedly), trailing "/" removed, runs of "/" inside the path collapsed;
// "." and "" are the root. Components such as ".." are kept as written:
// nothing is ever extracted, so they are only names.
#include <cstddef>
#include <string>
#include <string_view>

namespace regcensus::layer {

// The normalised form of `raw`, written into `out` (reused to avoid allocations).
// Returns a view of `out`; empty means the root.
std::string_view normalise_tar_path(std::string_view raw, std::string& out);

// Number of components of a normalised, non-root path ("usr/bin" = 2).
inline std::size_t path_depth(std::string_view normalised) {
    std::size_t depth = 1;
    for (char c : normalised) depth += c == '/';
    return depth;
}

inline std::string_view path_basename(std::string_view normalised) {
    const auto slash = normalised.rfind('/');
    return slash == std::string_view::npos ? normalised : normalised.substr(slash + 1);
}

}  // namespace regcensus::layer
