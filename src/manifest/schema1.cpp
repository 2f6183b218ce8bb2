#include "regcensus/manifest/schema1.hpp"

#include <simdjson.h>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/util/base64.hpp"
#include "regcensus/util/digest_hasher.hpp"

namespace regcensus {

std::optional<std::string> schema1_signed_payload(std::string_view bytes) {
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (parser.parse(simdjson::padded_string(bytes)).get(document) != simdjson::SUCCESS) return std::nullopt;
    int64_t schema_version = 0;
    if (document["schemaVersion"].get_int64().get(schema_version) != simdjson::SUCCESS || schema_version != 1)
        return std::nullopt;
    simdjson::dom::array signatures;
    if (document["signatures"].get_array().get(signatures) != simdjson::SUCCESS || signatures.size() == 0)
        return std::nullopt;
    std::string_view protected_header;
    if (signatures.at(0)["protected"].get_string().get(protected_header) != simdjson::SUCCESS) return std::nullopt;
    const auto header_json = base64url_decode(protected_header);
    if (!header_json) return std::nullopt;

    simdjson::dom::parser header_parser;
    simdjson::dom::element header;
    if (header_parser.parse(simdjson::padded_string(*header_json)).get(header) != simdjson::SUCCESS)
        return std::nullopt;
    int64_t format_length = 0;
    std::string_view format_tail;
    if (header["formatLength"].get_int64().get(format_length) != simdjson::SUCCESS ||
        header["formatTail"].get_string().get(format_tail) != simdjson::SUCCESS)
        return std::nullopt;
    if (format_length < 0 || uint64_t(format_length) > bytes.size()) return std::nullopt;
    const auto tail = base64url_decode(format_tail);
    if (!tail) return std::nullopt;
    return std::string(bytes.substr(0, size_t(format_length))) + *tail;
}

std::string manifest_digest(std::string_view bytes, std::string_view content_type, DigestAlgorithm algorithm) {
    const bool may_be_signed_schema1 = content_type.starts_with(media_type::docker_manifest_v1_signed) ||
                                       bytes.find("\"signatures\"") != std::string_view::npos;
    if (may_be_signed_schema1) {
        if (auto payload = schema1_signed_payload(bytes)) return DigestHasher::digest_of(algorithm, *payload);
    }
    return DigestHasher::digest_of(algorithm, bytes);
}

}  // namespace regcensus
