#include "regcensus/util/digest_hasher.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace regcensus {

struct DigestHasher::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

namespace {
const EVP_MD* evp_algorithm(DigestAlgorithm algorithm) {
    return algorithm == DigestAlgorithm::sha256 ? EVP_sha256() : EVP_sha512();
}
}  // namespace

DigestHasher::DigestHasher(DigestAlgorithm algorithm)
    : algorithm_(algorithm), context_(std::make_unique<Context>()) {
    if (!context_->ctx || EVP_DigestInit_ex(context_->ctx, evp_algorithm(algorithm), nullptr) != 1)
        throw std::runtime_error("OpenSSL: cannot initialise " + std::string(digest_algorithm_name(algorithm)));
}
DigestHasher::~DigestHasher() = default;
DigestHasher::DigestHasher(DigestHasher&&) noexcept = default;
DigestHasher& DigestHasher::operator=(DigestHasher&&) noexcept = default;

void DigestHasher::update(std::span<const std::byte> bytes) {
    if (!bytes.empty() && EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) != 1)
        throw std::runtime_error("OpenSSL: digest update failed");
}

void DigestHasher::update(std::string_view text) { update(std::as_bytes(std::span(text.data(), text.size()))); }

std::string DigestHasher::finish_digest() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->ctx, out, &length) != 1)
        throw std::runtime_error("OpenSSL: digest finalisation failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string digest = std::string(digest_algorithm_name(algorithm_)) + ":";
    for (unsigned i = 0; i < length; ++i) {
        digest += hex[out[i] >> 4];
        digest += hex[out[i] & 15];
    }
    return digest;
}

std::string DigestHasher::digest_of(DigestAlgorithm algorithm, std::string_view bytes) {
    DigestHasher hasher(algorithm);
    hasher.update(bytes);
    return hasher.finish_digest();
}

DigestHasher hasher_for(std::string_view expected) {
    const auto digest = Digest::parse(expected);
    return DigestHasher(digest ? digest->algorithm() : DigestAlgorithm::sha256);
}

std::string digest_in_algorithm_of(std::string_view expected, std::string_view bytes) {
    DigestHasher hasher = hasher_for(expected);
    hasher.update(bytes);
    return hasher.finish_digest();
}

}  // namespace regcensus
