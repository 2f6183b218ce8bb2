#pragma once
// Image references: `[host[:port]/]name[:tag][@digest]`, the grammar of
// distribution/reference, with Docker Hub's `library/` rule for one-word names.
#include <string>
#include <string_view>

namespace regcensus {

struct Reference {
    std::string given;       // the text as written in the image list
    std::string host;        // empty when the reference names no host
    std::string repository;  // e.g. "library/debian" on Docker Hub, "team/app" elsewhere
    std::string tag;         // empty when only a digest is given
    std::string digest;      // a valid digest (util/digest.hpp: sha256 or sha512) or empty

    // What to ask the registry for: the digest if given, else the tag ("latest" by default).
    std::string manifest_reference() const { return digest.empty() ? tag : digest; }
};

// Throws std::invalid_argument with a message naming the fault. `docker_hub`
// applies the `library/` rule to one-word names; other registries keep names as given.
Reference parse_reference(std::string_view text, bool docker_hub);

}  // namespace regcensus
