#pragma once
// From a registry's HTTP error response to the DataError status the census
// records: the mapping of the distribution spec's error codes lives here only.
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/registry/http_session.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

struct RegistryErrorEntry {
    std::string code;     // e.g. "MANIFEST_UNKNOWN"
    std::string message;  // e.g. "manifest unknown"
};

// The entries of a `{"errors":[{"code","message"}]}` body; empty when the body
// is not such a document (HEAD responses, proxies' HTML pages).
std::vector<RegistryErrorEntry> parse_registry_errors(std::string_view body);

// What a missing object is called in the status: "manifest_unknown" or "blob_unknown".
enum class RegistryObject { manifest, blob, other };

// 404 -> "<object>_unknown", 401 -> "unauthorized", 403 -> "denied",
// 429 -> "rate_limited", anything else -> "http_<code>". The message names the
// request and carries the registry's own codes and messages.
DataError registry_error(const HttpResponse& response, RegistryObject object, std::string_view request);

}  // namespace regcensus
