#include "regcensus/pipeline/work_directory.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace regcensus {

WorkDirectory::WorkDirectory(std::string root) : root_(std::move(root)) {
    fs::create_directories(fs::path(root_) / "blobs" / "sha256");
}

std::string WorkDirectory::blob_path(std::string_view digest) const {
    auto colon = digest.find(':');
    auto algorithm = digest.substr(0, colon);
    auto hex = digest.substr(colon + 1);
    return (fs::path(root_) / "blobs" / std::string(algorithm) / std::string(hex)).string();
}

void WorkDirectory::store_blob(std::string_view digest, std::string_view bytes) const {
    const auto path = blob_path(digest);
    if (fs::exists(path)) return;
    fs::create_directories(fs::path(path).parent_path());
    const auto temporary = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write " + temporary);
    }
    fs::rename(temporary, path);
}

std::optional<std::string> WorkDirectory::load_blob(std::string_view digest) const {
    std::ifstream in(blob_path(digest), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace regcensus
