#pragma once
// What an image runs as and how it was built (study 4.1.9), read from the image
// config (schema 2 / OCI) or from the newest `v1Compatibility` entry of a
// schema 1 manifest. Only parsing: pairing history with layers is in
// census/image_environment.hpp. Definitions: docs/execution-environment.md.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus {

// One build step of the config's `history` (or one schema 1 v1Compatibility entry), base first.
struct HistoryStep {
    int64_t created = -1;    // Unix seconds; -1 when absent or not RFC 3339
    std::string created_by;  // the Dockerfile instruction as recorded, e.g. "/bin/sh -c #(nop)  CMD [\"sh\"]"
    bool empty_layer = false;  // a step without filesystem content (schema 1: `throwaway`)
};

struct ExecutionEnvironment {
    std::string os, architecture, variant;
    std::string user;           // config.User, empty when unset
    int64_t env_count = 0;      // entries of config.Env
    std::string exposed_ports;  // keys of config.ExposedPorts, sorted, comma-separated
    std::string entrypoint;     // config.Entrypoint as a compact JSON array; empty when unset or null
    std::string cmd;            // config.Cmd likewise
    std::string workdir;        // config.WorkingDir
    int64_t label_count = 0;    // entries of config.Labels
    std::string docker_version, author;
    std::vector<HistoryStep> history;  // base first
};

// `user` runs as root: empty, "root", "0", or the group-qualified forms "root:root", "0:0"
// ("root:0", "0:root" too) — the user part decides, a non-root group does not drop root.
bool runs_as_root(std::string_view user);

// From an image config (schema 2 / OCI). Throws DataError("config_invalid", ...) on malformed JSON.
ExecutionEnvironment parse_config_environment(std::string_view config_bytes);

// From a schema 1 manifest: the newest v1Compatibility entry gives the
// environment, every entry (oldest first) a history step, `created_by` being
// its container_config.Cmd joined by spaces. Throws DataError("manifest_invalid", ...).
ExecutionEnvironment parse_schema1_environment(std::string_view manifest_bytes);

}  // namespace regcensus
