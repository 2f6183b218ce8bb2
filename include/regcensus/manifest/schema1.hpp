#pragma once
// Docker's signed schema 1 manifests are addressed by the digest of their JWS
// payload (the document without its "signatures"), not of the bytes served.
#include <optional>
#include <string>
#include <string_view>

#include "regcensus/util/digest.hpp"

namespace regcensus {

// The canonical payload of a signed schema 1 manifest, rebuilt from the
// `formatLength` and `formatTail` of its first signature's protected header;
// nullopt when `bytes` is not a signed schema 1 manifest.
std::optional<std::string> schema1_signed_payload(std::string_view bytes);

// The digest a registry addresses a manifest by: of the bytes, or of the
// payload for a signed schema 1 manifest; sha256 unless a digest reference or
// descriptor names another algorithm.
std::string manifest_digest(std::string_view bytes, std::string_view content_type,
                            DigestAlgorithm algorithm = DigestAlgorithm::sha256);

}  // namespace regcensus
