#include "regcensus/synth/content_hash.hpp"

#include <xxhash.h>

namespace regcensus::synth {

std::string content_hash_hex(std::string_view bytes) {
    // One-shot hashing: no XXH3 state object to manage.
    const XXH128_hash_t hash = XXH3_128bits(bytes.data(), bytes.size());
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, hash);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (unsigned char byte : canonical.digest) {
        out += hex[byte >> 4];
        out += hex[byte & 15];
    }
    return out;
}

}  // namespace regcensus::synth
