#pragma once
// The `WWW-Authenticate` header of a 401 (RFC 7235): one or more challenges,
// each a scheme and its auth-params, e.g.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus {

struct AuthChallenge {
    std::string scheme;                         // lowercased: "basic", "bearer"
    std::map<std::string, std::string> params;  // names lowercased, values unquoted

    std::string param(const std::string& name) const {
        auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    }
};

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header);

}  // namespace regcensus
