#include <simdjson.h>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/rfc3339.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw DataError("config_invalid", message); }

std::string optional_string(simdjson::dom::element value, std::string_view key) {
    std::string_view text;
    if (value[key].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    return {};
}

}  // namespace

ImageConfig parse_image_config(std::string_view bytes) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto error = parser.parse(simdjson::padded_string(bytes)).get(root); error != simdjson::SUCCESS)
        invalid(std::string("image config is not JSON: ") + simdjson::error_message(error));
    if (!root.is_object()) invalid("image config is not a JSON object");

    ImageConfig config;
    const std::string created = optional_string(root, "created");
    config.created = created.empty() ? -1 : parse_rfc3339_seconds(created);
    config.platform.os = optional_string(root, "os");
    config.platform.architecture = optional_string(root, "architecture");
    config.platform.variant = optional_string(root, "variant");

    simdjson::dom::element rootfs;
    if (root["rootfs"].get(rootfs) == simdjson::SUCCESS) {
        if (!rootfs.is_object()) invalid("rootfs is not an object");
        simdjson::dom::element diff_ids;
        if (rootfs["diff_ids"].get(diff_ids) == simdjson::SUCCESS && !diff_ids.is_null()) {
            simdjson::dom::array entries;
            if (diff_ids.get_array().get(entries) != simdjson::SUCCESS) invalid("rootfs.diff_ids is not an array");
            for (simdjson::dom::element entry : entries) {
                std::string_view text;
                if (entry.get_string().get(text) != simdjson::SUCCESS) invalid("rootfs.diff_ids has a non-string");
                config.diff_ids.emplace_back(text);
            }
        }
    }
    return config;
}

}  // namespace regcensus
