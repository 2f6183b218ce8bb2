#include "regcensus/util/contained_path.hpp"

#include <algorithm>

namespace fs = std::filesystem;

namespace regcensus {

std::filesystem::path join_contained(const fs::path& root, const fs::path& relative) {
    const std::string text = relative.native();
    const auto refuse = [&](const char* why) -> fs::path {
        throw PathEscapeError("refusing path '" + text + "' below " + root.string() + ": " + why);
    };
    if (text.empty()) return refuse("empty");
    if (relative.has_root_name() || relative.has_root_directory()) return refuse("not relative");
    // std::filesystem folds repeated separators; the text must not have any to fold.
    if (text.find("//") != std::string::npos || text.back() == '/') return refuse("empty component");
    for (const auto& component : relative) {
        const std::string part = component.string();
        if (part.empty()) return refuse("empty component");
        if (part == "." || part == "..") return refuse("'.' or '..' component");
    }
    return root / relative;
}

void check_contained(const fs::path& root, const fs::path& path) {
    fs::path resolved_root = fs::weakly_canonical(root);
    if (resolved_root.filename().empty()) resolved_root = resolved_root.parent_path();  // "dir/"
    const fs::path resolved = fs::weakly_canonical(path);
    // Component-wise, so that "/work/a" is not taken to contain "/work/ab".
    auto r = resolved_root.begin();
    auto p = resolved.begin();
    for (; r != resolved_root.end(); ++r, ++p) {
        if (p == resolved.end() || *p != *r)
            throw PathEscapeError(path.string() + " resolves to " + resolved.string() + ", outside " +
                                  resolved_root.string());
    }
    if (p == resolved.end())
        throw PathEscapeError(path.string() + " resolves to the root " + resolved_root.string() + " itself");
}

std::filesystem::path prepare_contained_file(const fs::path& root, const fs::path& relative) {
    const fs::path path = join_contained(root, relative);
    // Created one level at a time, each checked before the next goes below it:
    // a planted symlink stops the walk before anything is made outside.
    fs::path directory = root;
    const fs::path parent_relative = relative.parent_path();
    for (const auto& component : parent_relative) {
        directory /= component;
        check_contained(root, directory);
        fs::create_directory(directory);
    }
    check_contained(root, path);
    return path;
}

}  // namespace regcensus
