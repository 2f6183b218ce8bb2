#include <stdexcept>

#include "regcensus/manifest/manifest.hpp"

namespace regcensus {

namespace {

// arm64 images rarely name their variant; "linux/arm64" means "linux/arm64/v8"
// (the rule containerd's platform matcher applies).
std::string normalized_variant(const Platform& platform) {
    if (platform.architecture == "arm64" && platform.variant.empty()) return "v8";
    return platform.variant;
}

}  // namespace

std::string Platform::str() const {
    if (os.empty() && architecture.empty()) return {};
    return variant.empty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
}

Platform Platform::parse(std::string_view text) {
    Platform platform;
    std::string_view rest = text;
    std::string* fields[] = {&platform.os, &platform.architecture, &platform.variant};
    size_t count = 0;
    while (true) {
        if (count == 3) throw std::invalid_argument("platform '" + std::string(text) + "' has more than os/arch/variant");
        const size_t slash = rest.find('/');
        const std::string_view field = rest.substr(0, slash);
        if (field.empty())
            throw std::invalid_argument("platform '" + std::string(text) + "' has an empty component");
        *fields[count++] = std::string(field);
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (count < 2) throw std::invalid_argument("platform '" + std::string(text) + "' must be os/arch[/variant]");
    return platform;
}

bool is_attestation(const Descriptor& entry) {
    return entry.platform.os == "unknown" && entry.platform.architecture == "unknown";
}

std::vector<const Descriptor*> all_platforms(const Manifest& index) {
    std::vector<const Descriptor*> entries;
    for (const auto& entry : index.manifests)
        if (!is_attestation(entry)) entries.push_back(&entry);
    return entries;
}

const Descriptor* select_platform(const Manifest& index, const Platform& want) {
    for (const auto& entry : index.manifests) {
        if (is_attestation(entry)) continue;
        if (entry.platform.os != want.os || entry.platform.architecture != want.architecture) continue;
        if (!want.variant.empty() && normalized_variant(entry.platform) != normalized_variant(want)) continue;
        return &entry;
    }
    return nullptr;
}

}  // namespace regcensus
