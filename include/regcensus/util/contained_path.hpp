#pragma once
// Paths that provably stay below a root directory. Every file regcensus writes
// or reads under a directory it was given (a work directory, an OCI layout) is
// named through here: first a lexical proof (the relative part is made of
// plain components only), then, once the directories exist, a check of the
// resolved path against the resolved root, so that a symlink planted inside
// the tree cannot lead a write out of it.
#include <filesystem>
#include <stdexcept>

namespace regcensus {

// A path that would leave its root: always a refusal, never a file.
class PathEscapeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `root / relative` after proving that `relative` is relative and has only
// plain components (no root, no "..", no ".", no empty component).
// Throws PathEscapeError otherwise.
std::filesystem::path join_contained(const std::filesystem::path& root, const std::filesystem::path& relative);

// Throws PathEscapeError unless `path`, with every symlink of its existing
// part resolved, lies strictly below the resolved `root`.
void check_contained(const std::filesystem::path& root, const std::filesystem::path& path);

// join_contained, then the parent directories created, then check_contained:
// the path a file may now be written to.
std::filesystem::path prepare_contained_file(const std::filesystem::path& root,
                                             const std::filesystem::path& relative);

}  // namespace regcensus
