#include "output_check.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "regcensus/cli/option_parsing.hpp"

namespace fs = std::filesystem;

namespace regcensus::cli {

void check_output_writable(const std::string& option, const std::string& path) {
    const auto fail = [&](const std::string& cause) { throw UsageError(option + " " + path + ": " + cause); };
    if (path.empty()) fail("empty path");
    const fs::path target(path);
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code error;
    if (fs::is_directory(target, error)) fail("is a directory");
    // Missing directories are created when the result is written: the nearest
    // one that exists is where writing must work.
    fs::path directory = parent;
    while (!fs::exists(fs::symlink_status(directory, error))) {
        // A relative path runs out of parents at its first component: the
        // current directory is the one that exists ("out/r.h5" with no out/).
        if (!directory.has_parent_path() || directory.parent_path() == directory) {
            if (directory.is_relative()) directory = ".";
            break;
        }
        directory = directory.parent_path();
    }
    const auto state = fs::status(directory, error);
    if (!fs::exists(state)) fail("directory " + directory.string() + " does not exist");
    if (!fs::is_directory(state)) fail(directory.string() + " is not a directory");
    // The results are written to a temporary file beside the target and renamed
    // over it, so writing in the directory is what must work (access() would
    // say yes to root on a read-only file system).
    std::string probe = (directory / ("." + target.filename().string() + ".probe-XXXXXX")).string();
    std::vector<char> name(probe.begin(), probe.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) fail("cannot create a file in " + directory.string() + " (" + std::strerror(errno) + ")");
    ::close(fd);
    ::unlink(name.data());
}

}  // namespace regcensus::cli
