#pragma once
// Streaming hashing for the digest algorithms regcensus verifies, over
// OpenSSL's EVP interface (SHA-NI and friends where the CPU has them), owned
// in one RAII type so no other file touches EVP_MD_CTX.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "regcensus/util/digest.hpp"

namespace regcensus {

class DigestHasher {
public:
    explicit DigestHasher(DigestAlgorithm algorithm);
    ~DigestHasher();
    DigestHasher(DigestHasher&&) noexcept;
    DigestHasher& operator=(DigestHasher&&) noexcept;

    DigestAlgorithm algorithm() const { return algorithm_; }
    void update(std::span<const std::byte> bytes);
    void update(std::string_view text);
    // "<algorithm>:<lowercase hex>"; the object may not be updated afterwards.
    std::string finish_digest();

    static std::string digest_of(DigestAlgorithm algorithm, std::string_view bytes);

private:
    struct Context;
    DigestAlgorithm algorithm_;
    std::unique_ptr<Context> context_;
};

// The hasher that verifies `expected`: of its algorithm when it is a valid
// digest, else sha256 (whose result then cannot equal `expected`).
DigestHasher hasher_for(std::string_view expected);

// The digest of `bytes` in the algorithm of `expected` (as hasher_for).
std::string digest_in_algorithm_of(std::string_view expected, std::string_view bytes);

}  // namespace regcensus
