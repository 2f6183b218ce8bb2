#include "regcensus/storage/registry_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "regcensus/registry/repository_name.hpp"
#include "regcensus/util/contained_path.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"

namespace fs = std::filesystem;

namespace regcensus {
namespace {

// Repository paths nest (a/_manifests beside a/b/_manifests); deeper than the
// grammar's 255 characters allow is a planted loop or a hostile tree.
constexpr int kMaxRepositoryDepth = 128;

// Closes a descriptor on every path out.
struct FileDescriptor {
    int fd = -1;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

// The bytes of a regular file, at most `max_bytes`; nullopt when `path` is not
// a regular file. O_NONBLOCK keeps a FIFO planted in the tree from blocking
// the open; fstat then refuses it.
std::optional<std::string> read_regular_file(const fs::path& path, int64_t max_bytes, bool& too_large) {
    too_large = false;
    FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
    if (file.fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return std::nullopt;
        throw DataError("io", "cannot open " + path.string() + ": " + std::strerror(errno));
    }
    struct stat info {};
    if (::fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
    if (info.st_size > max_bytes) {
        too_large = true;
        return std::string();
    }
    std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::read(file.fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw DataError("io", "cannot read " + path.string() + ": " + std::strerror(errno));
        if (n == 0) break;  // shrank while read: what is there is what the digest check sees
        done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
    return bytes;
}

// Subdirectory names of `directory` (not following symlinks), sorted; empty when it is none.
std::vector<std::string> subdirectories(const fs::path& directory) {
    std::vector<std::string> names;
    std::error_code error;
    fs::directory_iterator it(directory, error);
    if (error) return names;
    for (const auto& entry : it) {
        std::error_code type_error;
        if (entry.is_directory(type_error) && !entry.is_symlink(type_error))
            names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// A file of the store that resolves (through symlinks) outside it is the
// store's fault, a row error like any other bad content.
void require_contained(const fs::path& root, const fs::path& path) {
    try {
        check_contained(root, path);
    } catch (const PathEscapeError& error) {
        throw DataError("path_escape", path.string() + " leads outside the storage: " + error.what());
    }
}

bool is_lower_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

RegistryStorage::RegistryStorage(fs::path root) : root_(std::move(root)), v2_(root_ / "docker" / "registry" / "v2") {
    std::error_code error;
    if (!fs::is_directory(v2_, error))
        throw std::runtime_error(root_.string() + " is not the storage of a distribution registry (no docker/registry/v2)");
    root_ = fs::canonical(root_);
    v2_ = root_ / "docker" / "registry" / "v2";
}

fs::path RegistryStorage::repository_dir(const std::string& repository) const {
    if (!is_repository_name(repository)) throw DataError("invalid_reference", "'" + repository + "' is not a repository name");
    return join_contained(v2_ / "repositories", repository);
}

std::optional<std::string> RegistryStorage::read_link(const fs::path& link) const {
    std::error_code error;
    if (!fs::exists(fs::symlink_status(link, error))) return std::nullopt;
    require_contained(root_, link);
    bool too_large = false;
    auto bytes = read_regular_file(link, kMaxLinkFileBytes, too_large);
    if (!bytes) return std::nullopt;
    if (too_large || !Digest::parse(*bytes))
        throw DataError("link_invalid", link.string() + " does not hold a digest" +
                                            (too_large ? " (larger than 4 KiB)" : ""));
    return bytes;
}

bool RegistryStorage::has_link(const fs::path& directory, const std::string& digest) const {
    const Digest parsed = Digest::parse_or_throw(digest, directory.string());
    const auto link = join_contained(directory, fs::path(std::string(parsed.algorithm_name())) /
                                                    std::string(parsed.encoded()) / "link");
    const auto target = read_link(link);
    if (!target) return false;
    if (*target != digest) throw DataError("link_invalid", link.string() + " names " + *target + ", not " + digest);
    return true;
}

std::vector<std::string> RegistryStorage::repositories() const {
    std::vector<std::string> found;
    // Depth-first in name order, so that the listing is the same on every rank and every run.
    std::vector<std::pair<fs::path, std::string>> pending{{v2_ / "repositories", ""}};
    while (!pending.empty()) {
        auto [directory, name] = std::move(pending.back());
        pending.pop_back();
        const auto children = subdirectories(directory);
        if (!name.empty() && std::binary_search(children.begin(), children.end(), "_manifests")) found.push_back(name);
        const auto depth = std::count(name.begin(), name.end(), '/') + (name.empty() ? 0 : 1);
        if (depth >= kMaxRepositoryDepth) continue;
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
            if (it->front() == '_') continue;  // _manifests, _layers, _uploads
            if (!is_repository_path_component(*it)) {
                ++skipped_;
                continue;
            }
            pending.emplace_back(directory / *it, name.empty() ? *it : name + "/" + *it);
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::vector<std::string> RegistryStorage::tags(const std::string& repository) const {
    std::vector<std::string> names;
    for (auto& tag : subdirectories(repository_dir(repository) / "_manifests" / "tags")) {
        if (is_tag_name(tag))
            names.push_back(std::move(tag));
        else
            ++skipped_;
    }
    return names;
}

std::vector<std::string> RegistryStorage::revisions(const std::string& repository) const {
    std::vector<std::string> digests;
    const auto directory = repository_dir(repository) / "_manifests" / "revisions";
    for (const auto& algorithm : subdirectories(directory)) {
        for (const auto& encoded : subdirectories(directory / algorithm)) {
            const auto digest = algorithm + ":" + encoded;
            if (!Digest::parse(digest)) {
                ++skipped_;
                continue;
            }
            try {
                if (has_link(directory, digest)) digests.push_back(digest);
            } catch (const DataError&) {
                ++skipped_;  // a garbage link: the registry cannot serve this revision either
            }
        }
    }
    std::sort(digests.begin(), digests.end());
    return digests;
}

std::optional<std::string> RegistryStorage::tag_target(const std::string& repository, const std::string& tag) const {
    if (!is_tag_name(tag)) throw DataError("invalid_reference", "'" + tag + "' is not a tag name");
    return read_link(repository_dir(repository) / "_manifests" / "tags" / tag / "current" / "link");
}

bool RegistryStorage::has_revision(const std::string& repository, const std::string& digest) const {
    return has_link(repository_dir(repository) / "_manifests" / "revisions", digest);
}

bool RegistryStorage::has_layer_link(const std::string& repository, const std::string& digest) const {
    return has_link(repository_dir(repository) / "_layers", digest);
}

fs::path RegistryStorage::blob_path(const std::string& digest) const {
    const Digest parsed = Digest::parse_or_throw(digest, root_.string());
    const std::string encoded(parsed.encoded());
    return join_contained(v2_ / "blobs", fs::path(std::string(parsed.algorithm_name())) / encoded.substr(0, 2) /
                                             encoded / "data");
}

std::optional<int64_t> RegistryStorage::blob_size(const std::string& digest) const {
    const auto path = blob_path(digest);
    std::error_code error;
    if (!fs::exists(fs::symlink_status(path, error))) return std::nullopt;
    require_contained(root_, path);
    const auto status = fs::status(path, error);
    if (error || !fs::is_regular_file(status)) return std::nullopt;
    const auto size = fs::file_size(path, error);
    if (error) return std::nullopt;
    return static_cast<int64_t>(size);
}

std::string RegistryStorage::read_blob(const std::string& digest, int64_t max_bytes) const {
    const auto path = blob_path(digest);
    std::error_code error;
    if (!fs::exists(fs::symlink_status(path, error))) throw DataError("blob_unknown", digest + " is not in the storage");
    require_contained(root_, path);
    bool too_large = false;
    auto bytes = read_regular_file(path, max_bytes, too_large);
    if (!bytes) throw DataError("blob_unknown", path.string() + " is not a regular file");
    if (too_large) throw DataError("too_large", path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    return std::move(*bytes);
}

std::vector<StoredBlobFile> RegistryStorage::blobs() const {
    std::vector<StoredBlobFile> found;
    const auto directory = v2_ / "blobs";
    for (const auto& algorithm : subdirectories(directory)) {
        for (const auto& prefix : subdirectories(directory / algorithm)) {
            for (const auto& encoded : subdirectories(directory / algorithm / prefix)) {
                const auto digest = algorithm + ":" + encoded;
                if (!Digest::parse(digest) || prefix.size() != 2 || !is_lower_hex(prefix) ||
                    encoded.compare(0, 2, prefix) != 0) {
                    ++skipped_;
                    continue;
                }
                // The walk followed no symlink down to here: a regular `data` file
                // is inside the store without resolving its path again.
                const auto data = directory / algorithm / prefix / encoded / "data";
                std::error_code error;
                const auto status = fs::symlink_status(data, error);
                if (!error && fs::is_regular_file(status)) {
                    const auto size = fs::file_size(data, error);
                    if (!error) found.push_back({digest, static_cast<int64_t>(size)});
                } else if (const auto size = blob_size(digest)) {
                    found.push_back({digest, *size});
                }
            }
        }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.digest < b.digest; });
    return found;
}

}  // namespace regcensus
