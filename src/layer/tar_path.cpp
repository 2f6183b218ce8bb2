#include "tar_path.hpp"

namespace regcensus::layer {

std::string_view normalise_tar_path(std::string_view raw, std::string& out) {
    // Leading "./" and "/" in any mix: "./", "/", ".//", "././" ...
    while (true) {
        if (raw.starts_with('/')) {
            raw.remove_prefix(1);
        } else if (raw.starts_with("./")) {
            raw.remove_prefix(2);
        } else {
            break;
        }
    }
    while (raw.ends_with('/')) raw.remove_suffix(1);
    if (raw == ".") raw = {};

    out.clear();
    out.reserve(raw.size());
    char previous = 0;
    for (char c : raw) {
        if (c == '/' && previous == '/') continue;  // "a//b" names the same path as "a/b"
        out += c;
        previous = c;
    }
    return out;
}

}  // namespace regcensus::layer
