#include "regcensus/registry/oci_layout.hpp"

#include <simdjson.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "regcensus/registry/registry_client.hpp"
#include "regcensus/util/contained_path.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"

namespace regcensus {

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::string content;
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) throw std::runtime_error("cannot size " + path.string());
    content.resize(size_t(size));
    in.seekg(0);
    in.read(content.data(), std::streamsize(content.size()));
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return content;
}

// Every index.json entry, in file order: descriptors with their ref.name
// annotation (empty for an entry known by digest only).
std::vector<LayoutReference> read_index(const std::filesystem::path& directory) {
    const std::string index_path = (directory / "index.json").string();
    const std::string text = read_file(directory / "index.json");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS)
        throw std::runtime_error(index_path + " is not JSON");
    // The parser of manifests validates the descriptors (digests strictly); the annotations are ours to read.
    Manifest index;
    try {
        index = parse_manifest(text, media_type::oci_index);
    } catch (const DataError& error) {
        throw std::runtime_error(index_path + ": " + error.what());
    }
    if (index.kind != ManifestKind::index) throw std::runtime_error(index_path + " is not an image index");

    std::vector<LayoutReference> entries;
    simdjson::dom::array manifests;
    if (root["manifests"].get_array().get(manifests) != simdjson::SUCCESS)
        throw std::runtime_error(index_path + " has no manifests array");
    size_t position = 0;
    for (simdjson::dom::element entry : manifests) {
        LayoutReference reference;
        reference.descriptor = index.manifests.at(position++);
        std::string_view name;
        if (entry["annotations"][kOciRefNameAnnotation].get_string().get(name) == simdjson::SUCCESS) {
            const size_t last_slash = name.rfind('/');
            const size_t colon = name.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
            if (colon == std::string_view::npos || colon == 0 || colon + 1 == name.size())
                throw std::runtime_error(index_path + ": reference name '" + std::string(name) +
                                         "' is not <repository>:<tag>");
            reference.name = std::string(name);
            reference.repository = std::string(name.substr(0, colon));
            reference.tag = std::string(name.substr(colon + 1));
        }
        entries.push_back(std::move(reference));
    }
    return entries;
}

// Pushes one manifest tree (an index and its children, or an image) and
// returns the digest the registry reports for its root.
class TreePusher {
public:
    // `placed`: digest -> the first repository that holds the blob, over the
    // whole push (shared by the TreePushers of all references).
    TreePusher(RegistryClient& client, const OciLayout& layout, std::string repository, PushedReference& tally,
               std::map<std::string, std::string>& placed)
        : client_(client), layout_(layout), repository_(std::move(repository)), tally_(tally), placed_(placed) {}

    std::string push(const Descriptor& descriptor, const std::string& reference) {
        const std::string bytes = layout_.read_blob(descriptor.digest);
        const Manifest manifest = parse_manifest(bytes, descriptor.media_type);
        if (manifest.kind == ManifestKind::index) {
            for (const auto& child : manifest.manifests) push(child, child.digest);
        } else {
            if (!manifest.config.digest.empty()) push_blob(manifest.config);
            for (const auto& layer : manifest.layers) push_blob(layer);
        }
        const std::string media_type = descriptor.media_type.empty() ? manifest.media_type : descriptor.media_type;
        ++tally_.manifests_pushed;
        return client_.push_manifest(repository_, reference, media_type, bytes);
    }

private:
    void push_blob(const Descriptor& blob) {
        if (!pushed_.insert(blob.digest).second) return;  // a layer listed twice, or shared by children
        // A foreign layer (with urls) lives elsewhere and is usually absent from the layout.
        if (!blob.urls.empty() && !layout_.has_blob(blob.digest)) return;
        const auto placed = placed_.find(blob.digest);
        if (placed != placed_.end() && placed->second == repository_) {
            ++tally_.blobs_present;  // another tag of this repository sent it
            return;
        }
        // A HEAD first: a registry that already holds the blob (a second push)
        // needs neither a mount nor an upload, and the tally says "present".
        if (client_.has_blob(repository_, blob.digest)) {
            ++tally_.blobs_present;
            if (placed == placed_.end()) placed_.emplace(blob.digest, repository_);
            return;
        }
        if (placed != placed_.end()) {
            std::size_t read = 0;
            const auto outcome = client_.mount_or_push_blob(repository_, blob.digest, placed->second, [&] {
                std::string bytes = layout_.read_blob(blob.digest);
                read = bytes.size();
                return bytes;
            });
            if (outcome == BlobPush::mounted) {
                ++tally_.blobs_mounted;
            } else {
                ++tally_.blobs_uploaded;
                tally_.bytes_uploaded += int64_t(read);
            }
            return;
        }
        placed_.emplace(blob.digest, repository_);
        const std::string bytes = layout_.read_blob(blob.digest);
        client_.push_blob(repository_, blob.digest, std::as_bytes(std::span(bytes.data(), bytes.size())));
        ++tally_.blobs_uploaded;
        tally_.bytes_uploaded += int64_t(bytes.size());
    }

    RegistryClient& client_;
    const OciLayout& layout_;
    const std::string repository_;
    PushedReference& tally_;
    std::map<std::string, std::string>& placed_;
    std::set<std::string> pushed_;
};

}  // namespace

OciLayout::OciLayout(std::filesystem::path directory) : directory_(std::move(directory)) {
    if (!std::filesystem::is_regular_file(directory_ / "oci-layout"))
        throw std::runtime_error(directory_.string() + " is not an OCI image layout (no oci-layout file)");
    const std::string marker = read_file(directory_ / "oci-layout");
    if (marker.find("imageLayoutVersion") == std::string::npos)
        throw std::runtime_error((directory_ / "oci-layout").string() + " has no imageLayoutVersion");
    entries_ = read_index(directory_);
    for (const auto& entry : entries_)
        if (!entry.name.empty()) references_.push_back(entry);
}

std::filesystem::path OciLayout::blob_path(const std::string& digest) const {
    return join_contained(directory_, Digest::parse_or_throw(digest, directory_.string()).relative_path());
}

bool OciLayout::has_blob(const std::string& digest) const {
    return std::filesystem::is_regular_file(blob_path(digest));
}

std::string OciLayout::read_blob(const std::string& digest) const { return read_file(blob_path(digest)); }

std::vector<PushedReference> push_layout(RegistryClient& client, const std::filesystem::path& layout_directory,
                                         const std::function<void(const PushedReference&)>& progress) {
    const OciLayout layout(layout_directory);
    std::vector<PushedReference> pushed;
    std::map<std::string, std::string> placed;
    for (const auto& reference : layout.references()) {
        PushedReference tally;
        tally.name = reference.name;
        TreePusher pusher(client, layout, reference.repository, tally, placed);
        tally.digest = pusher.push(reference.descriptor, reference.tag);
        if (progress) progress(tally);
        pushed.push_back(std::move(tally));
    }
    return pushed;
}

}  // namespace regcensus
