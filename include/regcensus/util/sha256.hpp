#pragma once
// SHA-256, the digest regcensus computes when nothing names another algorithm
// (layers it writes, manifests addressed by tag): DigestHasher fixed to sha256.
#include <string>
#include <string_view>

#include "regcensus/util/digest.hpp"
#include "regcensus/util/digest_hasher.hpp"

namespace regcensus {

class Sha256 : public DigestHasher {
public:
    Sha256() : DigestHasher(DigestAlgorithm::sha256) {}
    static std::string digest_of(std::string_view bytes) {
        return DigestHasher::digest_of(DigestAlgorithm::sha256, bytes);
    }
};

// True for "sha256:" followed by 64 lowercase hex digits.
inline bool is_sha256_digest(std::string_view digest) {
    const auto parsed = Digest::parse(digest);
    return parsed && parsed->algorithm() == DigestAlgorithm::sha256;
}

}  // namespace regcensus
