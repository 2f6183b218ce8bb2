#include "regcensus/registry/url_origin.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

constexpr std::array kDockerHubHosts = {std::string_view("docker.io"), std::string_view("index.docker.io"),
                                        std::string_view("registry-1.docker.io")};

std::string lowercase(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return result;
}

int default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

// "host", "host:port", "[v6]", "[v6]:port" -> host and port (-1: none written);
// nullopt when malformed.
std::optional<std::pair<std::string, int>> split_host_port(std::string_view authority) {
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(0, close + 1);
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        if (port.empty()) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    int number = -1;
    if (!port.empty()) {
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (error != std::errc() || end != port.data() + port.size() || number < 0 || number > 65535)
            return std::nullopt;
    }
    return std::pair{lowercase(host), number};
}

}  // namespace

bool is_docker_hub_host(std::string_view host) {
    return std::find(kDockerHubHosts.begin(), kDockerHubHosts.end(), host) != kDockerHubHosts.end();
}

void refuse_foreign_registry(std::string_view reference_host, std::string_view registry_url,
                             std::string_view command) {
    if (reference_host.empty() || registry_url.empty() || reference_host_names_registry(reference_host, registry_url))
        return;
    throw DataError("foreign_registry", "the reference names the registry " + std::string(reference_host) + ", not " +
                                            registry_host_port(registry_url) + " (" + std::string(command) +
                                            " reads only --registry)");
}

std::string UrlOrigin::str() const { return scheme + "://" + host_port(); }
std::string UrlOrigin::host_port() const { return host + ":" + std::to_string(port); }

std::optional<UrlOrigin> url_origin(std::string_view url) {
    const size_t separator = url.find("://");
    if (separator == std::string_view::npos) return std::nullopt;
    UrlOrigin origin;
    origin.scheme = lowercase(url.substr(0, separator));
    if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
    std::string_view authority = url.substr(separator + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    // Userinfo ends at the last '@' of the authority (a password may hold '@' only escaped, but be lenient).
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    const auto host_port = split_host_port(authority);
    if (!host_port) return std::nullopt;
    origin.host = host_port->first;
    origin.port = host_port->second >= 0 ? host_port->second : default_port(origin.scheme);
    return origin;
}

bool same_origin(std::string_view a, std::string_view b) {
    const auto first = url_origin(a);
    const auto second = url_origin(b);
    return first && second && *first == *second;
}

bool reference_host_names_registry(std::string_view reference_host, std::string_view registry_url) {
    const auto registry = url_origin(registry_url);
    const auto reference = split_host_port(reference_host);
    if (!registry || !reference) return false;
    if (is_docker_hub_host(reference->first) && is_docker_hub_host(registry->host)) return true;
    const int port = reference->second >= 0 ? reference->second : default_port(registry->scheme);
    return reference->first == registry->host && port == registry->port;
}

std::string registry_host_port(std::string_view registry_url) {
    const auto origin = url_origin(registry_url);
    return origin ? origin->host_port() : std::string(registry_url);
}

}  // namespace regcensus
