#include "regcensus/manifest/schema1.hpp"

#include <simdjson.h>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {

namespace {

// JWS uses unpadded base64url; nullopt on any character outside the alphabet.
std::optional<std::string> decode_base64url(std::string_view text) {
    std::string decoded;
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value;
        if (c >= 'A' && c <= 'Z') value = c - 'A';
        else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
        else if (c >= '0' && c <= '9') value = c - '0' + 52;
        else if (c == '-' || c == '+') value = 62;
        else if (c == '_' || c == '/') value = 63;
        else if (c == '=') break;
        else return std::nullopt;
        buffer = (buffer << 6) | uint32_t(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            decoded += char((buffer >> bits) & 0xff);
        }
    }
    return decoded;
}

}  // namespace

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
    const auto header_json = decode_base64url(protected_header);
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
    const auto tail = decode_base64url(format_tail);
    if (!tail) return std::nullopt;
    return std::string(bytes.substr(0, size_t(format_length))) + *tail;
}

std::string manifest_digest(std::string_view bytes, std::string_view content_type) {
    const bool may_be_signed_schema1 = content_type.starts_with(media_type::docker_manifest_v1_signed) ||
                                       bytes.find("\"signatures\"") != std::string_view::npos;
    if (may_be_signed_schema1) {
        if (auto payload = schema1_signed_payload(bytes)) return Sha256::digest_of(*payload);
    }
    return Sha256::digest_of(bytes);
}

}  // namespace regcensus
