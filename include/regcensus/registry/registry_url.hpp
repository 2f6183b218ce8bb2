#pragma once
// A registry URL as the user typed it may carry a credential
// (`http://user:pass@host`). It is taken apart once: the credential goes to
// authentication, and only the URL without it is ever stored, logged or
// printed (plan parameters, /provenance, error messages).
#include <optional>
#include <string>
#include <string_view>

#include "regcensus/registry/credentials.hpp"

namespace regcensus {

struct SplitRegistryUrl {
    std::string url;                              // without userinfo
    std::optional<RegistryCredential> credential;  // from the userinfo, percent-decoded; nullopt when none
};

// Splits `scheme://[user[:password]@]host...`. Text that is not such a URL is
// returned as it is, without a credential.
SplitRegistryUrl split_registry_url(std::string_view url);

// `url` without its userinfo: what may be shown or stored.
std::string redact_url(std::string_view url);

}  // namespace regcensus
