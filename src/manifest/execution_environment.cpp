#include "regcensus/manifest/execution_environment.hpp"

#include <simdjson.h>

#include <algorithm>

#include "regcensus/manifest/rfc3339.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

using simdjson::dom::element;

std::string string_member(element value, std::string_view key) {
    std::string_view text;
    if (value[key].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    return {};
}

// A timestamp that does not parse costs the step its time (-1), not the image its row.
int64_t seconds_member(element value, std::string_view key) {
    const std::string text = string_member(value, key);
    return text.empty() ? -1 : parse_rfc3339_seconds(text);
}

// Docker writes Entrypoint and Cmd as arrays (or null); a string form is kept as a one-element array.
std::string json_array_member(element value, std::string_view key) {
    element member;
    if (value[key].get(member) != simdjson::SUCCESS || member.is_null()) return {};
    if (member.is_array()) return simdjson::minify(member);
    if (member.is_string()) return "[" + simdjson::minify(member) + "]";
    return {};
}

int64_t entries_of(element value, std::string_view key) {
    element member;
    if (value[key].get(member) != simdjson::SUCCESS) return 0;
    if (simdjson::dom::array a; member.get_array().get(a) == simdjson::SUCCESS) return int64_t(a.size());
    if (simdjson::dom::object o; member.get_object().get(o) == simdjson::SUCCESS) return int64_t(o.size());
    return 0;
}

std::string sorted_keys(element value, std::string_view key) {
    simdjson::dom::object object;
    if (value[key].get_object().get(object) != simdjson::SUCCESS) return {};
    std::vector<std::string> keys;
    for (auto field : object) keys.emplace_back(field.key);
    std::sort(keys.begin(), keys.end());
    std::string joined;
    for (const auto& k : keys) joined += (joined.empty() ? "" : ",") + k;
    return joined;
}

// The runtime part of a config: `config` in schema 2 / OCI and in v1Compatibility.
void read_runtime_config(element root, ExecutionEnvironment& env) {
    env.os = string_member(root, "os");
    env.architecture = string_member(root, "architecture");
    env.variant = string_member(root, "variant");
    env.docker_version = string_member(root, "docker_version");
    env.author = string_member(root, "author");
    element config;
    if (root["config"].get(config) != simdjson::SUCCESS || !config.is_object()) return;
    env.user = string_member(config, "User");
    env.env_count = entries_of(config, "Env");
    env.exposed_ports = sorted_keys(config, "ExposedPorts");
    env.entrypoint = json_array_member(config, "Entrypoint");
    env.cmd = json_array_member(config, "Cmd");
    env.workdir = string_member(config, "WorkingDir");
    env.label_count = entries_of(config, "Labels");
}

// The document as a JSON object, or DataError(status, "WHAT is not a JSON object").
element parse_object(simdjson::dom::parser& parser, std::string_view bytes, const char* status, const char* what) {
    element root;
    if (parser.parse(simdjson::padded_string(bytes)).get(root) != simdjson::SUCCESS || !root.is_object())
        throw DataError(status, std::string(what) + " is not a JSON object");
    return root;
}

}  // namespace

bool runs_as_root(std::string_view user) {
    const std::string_view name = user.substr(0, user.find(':'));
    return name.empty() || name == "root" || name == "0";
}

ExecutionEnvironment parse_config_environment(std::string_view config_bytes) {
    simdjson::dom::parser parser;
    const element root = parse_object(parser, config_bytes, "config_invalid", "image config");
    ExecutionEnvironment env;
    read_runtime_config(root, env);
    simdjson::dom::array history;
    if (root["history"].get_array().get(history) == simdjson::SUCCESS) {
        for (element entry : history) {
            if (!entry.is_object()) throw DataError("config_invalid", "history has an entry that is not an object");
            HistoryStep step;
            step.created = seconds_member(entry, "created");
            step.created_by = string_member(entry, "created_by");
            if (entry["empty_layer"].get_bool().get(step.empty_layer) != simdjson::SUCCESS) step.empty_layer = false;
            env.history.push_back(std::move(step));
        }
    }
    return env;
}

ExecutionEnvironment parse_schema1_environment(std::string_view manifest_bytes) {
    simdjson::dom::parser parser;
    const element root = parse_object(parser, manifest_bytes, "manifest_invalid", "schema 1 manifest");
    ExecutionEnvironment env;
    simdjson::dom::array history;
    if (root["history"].get_array().get(history) != simdjson::SUCCESS) return env;
    simdjson::dom::parser entry_parser;
    bool newest = true;
    for (element entry : history) {  // newest first
        HistoryStep step;
        element v1;
        const std::string text = string_member(entry, "v1Compatibility");
        if (!text.empty() && entry_parser.parse(simdjson::padded_string(text)).get(v1) == simdjson::SUCCESS &&
            v1.is_object()) {
            if (newest) read_runtime_config(v1, env);
            step.created = seconds_member(v1, "created");
            simdjson::dom::array command;
            if (v1["container_config"]["Cmd"].get_array().get(command) == simdjson::SUCCESS) {
                for (element word : command) {
                    std::string_view w;
                    if (word.get_string().get(w) != simdjson::SUCCESS) continue;
                    step.created_by += (step.created_by.empty() ? "" : " ") + std::string(w);
                }
            }
            if (v1["throwaway"].get_bool().get(step.empty_layer) != simdjson::SUCCESS) step.empty_layer = false;
        }
        newest = false;
        env.history.push_back(std::move(step));
    }
    std::reverse(env.history.begin(), env.history.end());
    return env;
}

}  // namespace regcensus
