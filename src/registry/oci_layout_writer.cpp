#include "regcensus/registry/oci_layout_writer.hpp"

#include <cstdio>
#include <map>

#include "regcensus/registry/oci_layout.hpp"
#include "regcensus/util/atomic_file.hpp"
#include "regcensus/util/contained_path.hpp"
#include "regcensus/util/digest.hpp"

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
        write_file_atomically(directory_ / "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
}

std::filesystem::path OciLayoutWriter::blob_path(const std::string& digest) const {
    return join_contained(directory_, Digest::parse_or_throw(digest, directory_.string()).relative_path());
}

bool OciLayoutWriter::has_blob(const std::string& digest) const {
    return std::filesystem::is_regular_file(blob_path(digest));
}

std::filesystem::path OciLayoutWriter::prepare_blob_path(const std::string& digest) const {
    return prepare_contained_file(directory_, Digest::parse_or_throw(digest, directory_.string()).relative_path());
}

void OciLayoutWriter::write_blob(const std::string& digest, std::string_view bytes) const {
    write_file_atomically(prepare_blob_path(digest), bytes);
}

void OciLayoutWriter::write_blob_streaming(const std::string& digest,
                                           const std::function<void(const BlobSink&)>& produce) const {
    AtomicFileWriter file(prepare_blob_path(digest));
    produce([&](std::span<const std::byte> bytes) {
        file.write(bytes);
        return true;
    });
    file.commit();
}

void OciLayoutWriter::write_index(const std::vector<LayoutEntry>& entries) const {
    std::map<std::string, LayoutEntry> named;
    std::map<std::string, LayoutEntry> unnamed;
    // Every entry already there stays, named or known by digest only, unless a
    // new entry of the same name replaces it.
    if (std::filesystem::exists(directory_ / "index.json")) {
        const OciLayout existing(directory_);
        for (const auto& entry : existing.entries()) {
            if (entry.name.empty())
                unnamed[entry.descriptor.digest] = LayoutEntry{"", entry.descriptor};
            else
                named[entry.name] = LayoutEntry{entry.name, entry.descriptor};
        }
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
    write_file_atomically(directory_ / "index.json", json);
}

}  // namespace regcensus
