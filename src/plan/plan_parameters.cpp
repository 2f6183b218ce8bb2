#include "regcensus/plan/plan_parameters.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_url.hpp"
#include "regcensus/util/sha256.hpp"

namespace fs = std::filesystem;

namespace regcensus {
namespace {

std::string sha256_of_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in || fs::is_directory(path))
        throw std::runtime_error("cannot read the image list " + path + ": " +
                                 (fs::is_directory(path) ? std::string("is a directory") : std::strerror(errno)));
    Sha256 hasher;
    std::string buffer(1 << 16, '\0');
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) throw std::runtime_error("cannot read the image list " + path);
    return hasher.finish_digest();
}

// A path as the same file from any working directory.
std::string absolute_path(const std::string& path) {
    return path.empty() ? path : fs::absolute(path).lexically_normal().string();
}

// How a difference is named on the command line.
struct Compared {
    const char* name;
    const char* option;
};
constexpr Compared kCompared[] = {
    {"registry", "--registry"},          {"layout", "--layout"},       {"images", "--images"},
    {"images_sha256", "--images content"}, {"platform", "--platform"}, {"all_platforms", "--all-platforms"},
    {"shard_bytes", "--shard-bytes"},
    {"storage", "--storage"},            {"untagged", "--untagged"},
};

std::string shown(const std::string& value) { return value.empty() ? "(none)" : value; }

}  // namespace

PlanParameters plan_parameters_of(const CensusOptions& options) {
    return {{"registry", options.from_registry() ? redact_url(canonical_registry_url(options.registry_url)) : ""},
            {"layout", absolute_path(options.layout_dir)},
            {"storage", absolute_path(options.storage_dir)},
            {"untagged", options.untagged ? "true" : "false"},
            {"images", absolute_path(options.images_path)},
            {"images_sha256", sha256_of_file(options.images_path)},
            {"platform", options.platform.str()},
            {"all_platforms", options.all_platforms ? "true" : "false"},
            {"shard_bytes", options.shard_bytes > 0 ? std::to_string(options.shard_bytes) : "auto"}};
}

std::vector<std::string> plan_parameter_differences(const PlanParameters& planned, const PlanParameters& given) {
    std::vector<std::string> lines;
    for (const auto& [name, option] : kCompared) {
        const auto plan_value = planned.find(name);
        const auto given_value = given.find(name);
        if (plan_value == planned.end() || given_value == given.end() || plan_value->second == given_value->second)
            continue;
        lines.push_back(std::string(option) + " " + shown(given_value->second) + " differs from the plan's " +
                        shown(plan_value->second));
    }
    return lines;
}

}  // namespace regcensus
