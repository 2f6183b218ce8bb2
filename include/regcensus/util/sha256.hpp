#pragma once
// SHA-256 over OpenSSL's EVP interface (SHA-NI where the CPU has it), owned in
// one RAII type so no other file touches EVP_MD_CTX.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace regcensus {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    void update(std::span<const std::byte> bytes);
    void update(std::string_view text);
    // "sha256:<64 lowercase hex>"; the object may not be updated afterwards.
    std::string finish_digest();

    static std::string digest_of(std::string_view bytes);

private:
    struct Context;
    std::unique_ptr<Context> context_;
};

// True for "sha256:" followed by 64 lowercase hex digits.
bool is_sha256_digest(std::string_view digest);

}  // namespace regcensus
