#include "regcensus/registry/reference.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include "regcensus/registry/repository_name.hpp"
#include "regcensus/registry/url_origin.hpp"
#include "regcensus/util/digest.hpp"

namespace regcensus {

namespace {

[[noreturn]] void fail(std::string_view text, const std::string& reason) {
    throw std::invalid_argument("invalid reference '" + std::string(text) + "': " + reason);
}

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view component) {
    if (component.empty() || !is_alnum(component.front()) || !is_alnum(component.back())) return false;
    return std::all_of(component.begin(), component.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

// host ( ":" port )?, host being dotted domain components or a bracketed IPv6 address.
bool is_domain(std::string_view domain) {
    std::string_view host = domain;
    std::string_view port;
    if (domain.starts_with('[')) {
        const size_t close = domain.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        const std::string_view address = domain.substr(1, close - 1);
        if (!std::all_of(address.begin(), address.end(),
                         [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }))
            return false;
        host = {};
        const std::string_view rest = domain.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
            if (port.empty()) return false;
        }
    } else {
        const size_t colon = domain.find(':');
        if (colon != std::string_view::npos) {
            host = domain.substr(0, colon);
            port = domain.substr(colon + 1);
            if (port.empty()) return false;
        }
        size_t start = 0;
        while (true) {
            const size_t dot = host.find('.', start);
            if (!is_domain_component(host.substr(start, dot - start))) return false;
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
    }
    return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The rule of distribution/reference: the first component names a host only
// when it could not be a repository name component.
bool looks_like_host(std::string_view component) {
    return component.find('.') != std::string_view::npos || component.find(':') != std::string_view::npos ||
           component == "localhost";
}

}  // namespace

Reference parse_reference(std::string_view text, bool docker_hub) {
    Reference reference;
    reference.given = std::string(text);
    if (text.empty()) fail(text, "empty");

    std::string_view remainder = text;
    if (const size_t at = remainder.find('@'); at != std::string_view::npos) {
        reference.digest = std::string(remainder.substr(at + 1));
        remainder = remainder.substr(0, at);
        if (!is_valid_digest(reference.digest))
            fail(text, "digest '" + reference.digest +
                           "' is not sha256:<64 lowercase hex digits> or sha512:<128 lowercase hex digits>");
    }

    // A tag follows the last ':' after the last '/' (a ':' before it is a port).
    const size_t last_slash = remainder.rfind('/');
    const size_t tag_colon = remainder.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
    if (tag_colon != std::string_view::npos) {
        reference.tag = std::string(remainder.substr(tag_colon + 1));
        remainder = remainder.substr(0, tag_colon);
        if (!is_tag_name(reference.tag))
            fail(text, "tag '" + reference.tag + "' must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    }

    std::string_view name = remainder;
    if (const size_t slash = name.find('/'); slash != std::string_view::npos && looks_like_host(name.substr(0, slash))) {
        reference.host = std::string(name.substr(0, slash));
        name = name.substr(slash + 1);
        if (!is_domain(reference.host)) fail(text, "host '" + reference.host + "' is not a valid domain[:port]");
    }
    if (name.empty()) fail(text, "repository name is empty");
    if (name.size() > kMaxRepositoryNameLength)
        fail(text, "repository name is longer than " + std::to_string(kMaxRepositoryNameLength) + " characters");

    size_t start = 0;
    while (true) {
        const size_t slash = name.find('/', start);
        const std::string_view component = name.substr(start, slash - start);
        if (!is_repository_path_component(component)) {
            const bool has_upper = std::any_of(component.begin(), component.end(),
                                               [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
            fail(text, has_upper ? "repository name must be lowercase"
                                 : "repository name component '" + std::string(component) +
                                       "' must match [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*");
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    reference.repository = std::string(name);

    const bool on_docker_hub =
        docker_hub && (reference.host.empty() || is_docker_hub_host(reference.host));
    if (on_docker_hub) {
        if (!reference.host.empty()) reference.host = "docker.io";
        if (reference.repository.find('/') == std::string::npos)
            reference.repository = "library/" + reference.repository;
    }

    if (reference.tag.empty() && reference.digest.empty()) reference.tag = "latest";
    return reference;
}

}  // namespace regcensus
