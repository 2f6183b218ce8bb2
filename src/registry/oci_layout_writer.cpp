#include "regcensus/registry/oci_layout_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "regcensus/registry/oci_layout.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {

namespace {

std::string json_string(std::string_view text) {
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            quoted += escaped;
        } else {
            quoted += c;
        }
    }
    return quoted + "\"";
}

// An output file descriptor closed exactly once.
class OutputFile {
public:
    explicit OutputFile(const std::filesystem::path& path)
        : path_(path), fd_(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) {
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
    }
    ~OutputFile() {
        if (fd_ >= 0) close(fd_);
    }
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    void write_all(std::span<const std::byte> bytes) {
        const auto* data = reinterpret_cast<const char*>(bytes.data());
        size_t left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(fd_, data, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path_.string());
            data += n;
            left -= size_t(n);
        }
    }
    void close_checked() {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot close " + path_.string());
    }

private:
    std::filesystem::path path_;
    int fd_;
};

// Removes a temp file unless it was renamed into place.
class TempFileGuard {
public:
    explicit TempFileGuard(std::filesystem::path path) : path_(std::move(path)) {}
    ~TempFileGuard() {
        if (!path_.empty()) {
            std::error_code ignored;
            std::filesystem::remove(path_, ignored);
        }
    }
    void commit_to(const std::filesystem::path& final_path) {
        std::filesystem::rename(path_, final_path);
        path_.clear();
    }

private:
    std::filesystem::path path_;
};

void write_file_atomically(const std::filesystem::path& final_path, const std::filesystem::path& temp_path,
                           std::string_view bytes) {
    TempFileGuard guard(temp_path);
    OutputFile file(temp_path);
    file.write_all(std::as_bytes(std::span(bytes.data(), bytes.size())));
    file.close_checked();
    guard.commit_to(final_path);
}

}  // namespace

std::string layout_entry_json(const LayoutEntry& entry) {
    const Descriptor& d = entry.descriptor;
    std::string json = "{\"mediaType\":" + json_string(d.media_type) + ",\"digest\":" + json_string(d.digest) +
                       ",\"size\":" + std::to_string(d.size);
    if (!d.platform.os.empty()) {
        json += ",\"platform\":{\"architecture\":" + json_string(d.platform.architecture) +
                ",\"os\":" + json_string(d.platform.os);
        if (!d.platform.variant.empty()) json += ",\"variant\":" + json_string(d.platform.variant);
        json += "}";
    }
    if (!entry.name.empty())
        json += ",\"annotations\":{" + json_string(kOciRefNameAnnotation) + ":" + json_string(entry.name) + "}";
    return json + "}";
}

OciLayoutWriter::OciLayoutWriter(std::filesystem::path directory) : directory_(std::move(directory)) {
    std::filesystem::create_directories(directory_ / "blobs" / "sha256");
    if (!std::filesystem::exists(directory_ / "oci-layout"))
        write_file_atomically(directory_ / "oci-layout", temp_path_for(directory_ / "oci-layout"),
                              "{\"imageLayoutVersion\":\"1.0.0\"}");
}

std::filesystem::path OciLayoutWriter::temp_path_for(const std::filesystem::path& final_path) const {
    // Unique per process and thread and call: concurrent writers never share a temp file.
    static std::atomic<uint64_t> counter{0};
    const auto thread_hash = std::hash<std::thread::id>{}(std::this_thread::get_id());
    return final_path.parent_path() / (".tmp-" + final_path.filename().string() + "-" + std::to_string(getpid()) +
                                       "-" + std::to_string(thread_hash % 1000000007) + "-" +
                                       std::to_string(counter++));
}

std::filesystem::path OciLayoutWriter::blob_path(const std::string& digest) const {
    if (!is_sha256_digest(digest)) throw std::runtime_error("not a sha256 digest: '" + digest + "'");
    return directory_ / "blobs" / "sha256" / digest.substr(7);
}

bool OciLayoutWriter::has_blob(const std::string& digest) const {
    return std::filesystem::is_regular_file(blob_path(digest));
}

void OciLayoutWriter::write_blob(const std::string& digest, std::string_view bytes) const {
    const auto path = blob_path(digest);
    write_file_atomically(path, temp_path_for(path), bytes);
}

void OciLayoutWriter::write_blob_streaming(const std::string& digest,
                                           const std::function<void(const BlobSink&)>& produce) const {
    const auto path = blob_path(digest);
    const auto temp = temp_path_for(path);
    TempFileGuard guard(temp);
    OutputFile file(temp);
    produce([&](std::span<const std::byte> bytes) {
        file.write_all(bytes);
        return true;
    });
    file.close_checked();
    guard.commit_to(path);
}

void OciLayoutWriter::write_index(const std::vector<LayoutEntry>& entries) const {
    std::map<std::string, LayoutEntry> named;
    std::map<std::string, LayoutEntry> unnamed;
    if (std::filesystem::exists(directory_ / "index.json")) {
        const OciLayout existing(directory_);
        for (const auto& reference : existing.references())
            named[reference.name] = LayoutEntry{reference.name, reference.descriptor};
    }
    for (const auto& entry : entries) {
        if (entry.name.empty())
            unnamed[entry.descriptor.digest] = entry;
        else
            named[entry.name] = entry;
    }
    std::string json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[";
    bool first = true;
    for (const auto* group : {&named, &unnamed}) {
        for (const auto& [key, entry] : *group) {
            json += (first ? "\n  " : ",\n  ") + layout_entry_json(entry);
            first = false;
        }
    }
    json += "\n]}\n";
    const auto path = directory_ / "index.json";
    write_file_atomically(path, temp_path_for(path), json);
}

}  // namespace regcensus
