#pragma once
// The origin of a URL (scheme, host, port; RFC 6454) and whether the host of an
// image reference names a given registry. A listing follows only links to its
// registry's origin, and a reference naming another host is not fetched from it.
#include <optional>
#include <string>
#include <string_view>

namespace regcensus {

struct UrlOrigin {
    std::string scheme;  // lowercase: "http" or "https"
    std::string host;    // lowercase; an IPv6 address keeps its brackets
    int port = 0;        // the scheme's default (80, 443) when the URL names none
    bool operator==(const UrlOrigin&) const = default;
    std::string str() const;  // "http://127.0.0.1:5000", the port always written
    std::string host_port() const;  // "127.0.0.1:5000"
};

// The origin of an absolute http(s) URL (userinfo ignored); nullopt for anything
// else (another scheme, no host, a port that is not a number up to 65535).
std::optional<UrlOrigin> url_origin(std::string_view url);

// True when both URLs have an origin and it is the same.
bool same_origin(std::string_view a, std::string_view b);

// Whether `reference_host` ("ghcr.io", "127.0.0.1:5000", "[::1]:5000"), the host
// part of an image reference, names the registry at `registry_url`: the same
// host (case-insensitive) and port, a reference without a port meaning the
// registry scheme's default one. Docker Hub's names (docker.io,
// index.docker.io, registry-1.docker.io) all name Docker Hub.
bool reference_host_names_registry(std::string_view reference_host, std::string_view registry_url);

// Docker Hub's registry names in references: docker.io, index.docker.io, registry-1.docker.io.
bool is_docker_hub_host(std::string_view host);

// A reference naming another registry than `registry_url` ("" host: none named)
// is not fetched from it: DataError "foreign_registry" naming both, for `command`.
void refuse_foreign_registry(std::string_view reference_host, std::string_view registry_url,
                             std::string_view command);

// "host:port" of a registry URL for messages (the URL itself when it has no origin).
std::string registry_host_port(std::string_view registry_url);

}  // namespace regcensus
