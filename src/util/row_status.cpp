#include "regcensus/util/row_status.hpp"

#include <algorithm>
#include <array>

namespace regcensus {
namespace {

constexpr std::array<RowStatus, 36> kRowStatuses{{
    {"ok", false, "resolved (image) or analysed (layer) without error"},
    // The network and the registry's load: worth another try.
    {"network", true, "the connection failed, timed out or stalled, after the retries"},
    {"truncated_transfer", true, "a transfer ended before the length the server announced, after the retries"},
    {"rate_limited", true, "the registry answered 429 Too Many Requests, after the retries"},
    {"http_408", true, "the server answered 408 Request Timeout, after the retries"},
    {"http_429", true, "429 Too Many Requests on a listing, after the retries"},
    {"http_500", true, "the server answered 500 Internal Server Error, after the retries"},
    {"http_502", true, "the server answered 502 Bad Gateway, after the retries"},
    {"http_503", true, "the server answered 503 Service Unavailable, after the retries"},
    {"http_504", true, "the server answered 504 Gateway Timeout, after the retries"},
    // The registry's answer.
    {"unauthorized", false, "401: no credential, or the credential was refused"},
    {"denied", false, "403: the credential may not pull this repository"},
    {"manifest_unknown", false, "404: the registry has no such repository, tag or manifest"},
    {"blob_unknown", false, "404: the registry has no such blob (config or layer)"},
    {"http_<code>", false, "any other HTTP status (e.g. http_404 about something else than a missing object)"},
    {"bad_response", false, "a response the protocol does not allow (e.g. a redirect without a location)"},
    {"other_origin", false, "a listing redirected to another origin"},
    {"foreign_registry", false, "the reference or a redirect names another registry than the census's"},
    // The reference and the documents.
    {"invalid_reference", false, "the image reference, repository or tag is not valid"},
    {"invalid_digest", false, "a digest that is not valid sha256/sha512"},
    {"platform_not_found", false, "the index has no image for the requested platform"},
    {"manifest_invalid", false, "the manifest is not a valid image manifest or index"},
    {"config_invalid", false, "the image config is not valid JSON of the image spec"},
    {"layer_failed", false, "image row: one of its layers failed (the error names it and its status)"},
    // The bytes.
    {"digest_mismatch", false, "the content does not hash to its digest"},
    {"size_mismatch", false, "the content's size differs from the size its descriptor states"},
    {"truncated", false, "the compressed stream or the tar archive ends early (damaged data)"},
    {"corrupt", false, "the compressed stream or the tar archive is malformed"},
    {"too_large", false, "past --max-layer-bytes or --max-ratio (a decompression bomb), or a body past its cap"},
    {"foreign", false, "a foreign layer (descriptor urls): not fetched"},
    {"io", false, "reading a local file (OCI layout blob, analyze-layer FILE) failed"},
    // A census from registry storage (docs/storage.md).
    {"link_invalid", false, "storage: a tag or revision link that holds no digest, or names another digest"},
    {"revision_missing", false, "storage: a tag names a digest the repository holds no revision of"},
    {"path_escape", false, "storage: a path that resolves outside the storage directory"},
    {"interrupted", false, "not analysed: the run was stopped (its shard is not written)"},
    {"aborted", false, "the receiver stopped a transfer (internal; not seen in a results file)"},
}};

bool is_http_code(std::string_view status) {
    return status.size() > 5 && status.substr(0, 5) == "http_" &&
           std::all_of(status.begin() + 5, status.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::span<const RowStatus> row_statuses() { return kRowStatuses; }

const RowStatus* find_row_status(std::string_view status) {
    for (const auto& entry : kRowStatuses)
        if (entry.name == status) return &entry;
    if (is_http_code(status)) return find_row_status("http_<code>");
    return nullptr;
}

bool is_retryable_status(std::string_view status) {
    const auto* entry = find_row_status(status);
    return entry && entry->retryable;
}

}  // namespace regcensus

namespace regcensus {

std::string row_status_markdown() {
    std::string text = "| status | retried by --retry-failed | meaning |\n|---|---|---|\n";
    for (const auto& entry : kRowStatuses) {
        text += "| `" + std::string(entry.name) + "` | " + (entry.retryable ? "yes" : "no") + " | " +
                std::string(entry.meaning) + " |\n";
    }
    return text;
}

}  // namespace regcensus
