#include "regcensus/registry/registry_url.hpp"

namespace regcensus {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(std::string_view text) {
    std::string decoded;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            decoded += char(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

}  // namespace

SplitRegistryUrl split_registry_url(std::string_view url) {
    const size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return {std::string(url), std::nullopt};
    const size_t authority_start = scheme_end + 3;
    const size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
    const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
    // The last '@' ends the userinfo: a password may contain an unescaped '@'.
    const size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return {std::string(url), std::nullopt};
    const std::string_view userinfo = authority.substr(0, at);
    SplitRegistryUrl split;
    split.url = std::string(url.substr(0, authority_start)) + std::string(url.substr(authority_start + at + 1));
    const size_t colon = userinfo.find(':');
    RegistryCredential credential;
    credential.username = percent_decoded(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) credential.password = percent_decoded(userinfo.substr(colon + 1));
    if (!credential.empty()) split.credential = std::move(credential);
    return split;
}

std::string redact_url(std::string_view url) { return split_registry_url(url).url; }

}  // namespace regcensus
