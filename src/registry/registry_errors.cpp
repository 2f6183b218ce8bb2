#include "registry_errors.hpp"

#include <simdjson.h>

namespace regcensus {

std::vector<RegistryErrorEntry> parse_registry_errors(std::string_view body) {
    std::vector<RegistryErrorEntry> entries;
    if (body.empty()) return entries;
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (parser.parse(simdjson::padded_string(body)).get(document) != simdjson::SUCCESS) return entries;
    simdjson::dom::array errors;
    if (document["errors"].get_array().get(errors) != simdjson::SUCCESS) return entries;
    for (simdjson::dom::element error : errors) {
        RegistryErrorEntry entry;
        std::string_view text;
        if (error["code"].get_string().get(text) == simdjson::SUCCESS) entry.code = text;
        if (error["message"].get_string().get(text) == simdjson::SUCCESS) entry.message = text;
        entries.push_back(std::move(entry));
    }
    return entries;
}

DataError registry_error(const HttpResponse& response, RegistryObject object, std::string_view request) {
    const auto entries = parse_registry_errors(response.body);
    std::string message = std::string(request) + ": HTTP " + std::to_string(response.status);
    for (const auto& entry : entries) {
        message += " " + entry.code;
        if (!entry.message.empty()) message += " (" + entry.message + ")";
    }

    std::string status;
    switch (response.status) {
        case 401: status = "unauthorized"; break;
        case 403: status = "denied"; break;
        case 429: status = "rate_limited"; break;
        case 404: {
            // A 404 names a missing object unless the registry says it is about
            // something else (e.g. an unsupported operation).
            bool about_missing_object = entries.empty();
            for (const auto& entry : entries)
                if (entry.code == "MANIFEST_UNKNOWN" || entry.code == "NAME_UNKNOWN" ||
                    entry.code == "BLOB_UNKNOWN" || entry.code == "BLOB_UPLOAD_UNKNOWN")
                    about_missing_object = true;
            if (about_missing_object && object == RegistryObject::blob)
                status = "blob_unknown";
            else if (about_missing_object && object == RegistryObject::manifest)
                status = "manifest_unknown";
            else
                status = "http_404";
            break;
        }
        default: status = "http_" + std::to_string(response.status);
    }
    return DataError(status, message);
}

}  // namespace regcensus
