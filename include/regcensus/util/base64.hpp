#pragma once
// Standard base64 (RFC 4648 section 4, with padding) for HTTP Basic credentials
// and the `auth` field of docker config.json, and base64url (section 5,
// unpadded) for the JWS parts of signed schema 1 manifests.
#include <optional>
#include <string>
#include <string_view>

namespace regcensus {

std::string base64_encode(std::string_view bytes);
// nullopt on a character outside the alphabet; padding and whitespace are optional.
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace regcensus
