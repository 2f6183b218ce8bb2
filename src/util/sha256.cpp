#include "regcensus/util/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace regcensus {

struct Sha256::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    if (!context_->ctx || EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::span<const std::byte> bytes) {
    if (!bytes.empty()) EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size());
}

void Sha256::update(std::string_view text) { update(std::as_bytes(std::span(text.data(), text.size()))); }

std::string Sha256::finish_digest() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_->ctx, out, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string digest = "sha256:";
    for (unsigned i = 0; i < length; ++i) {
        digest += hex[out[i] >> 4];
        digest += hex[out[i] & 15];
    }
    return digest;
}

std::string Sha256::digest_of(std::string_view bytes) {
    Sha256 sha;
    sha.update(bytes);
    return sha.finish_digest();
}

bool is_sha256_digest(std::string_view digest) {
    if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") return false;
    for (char c : digest.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace regcensus
