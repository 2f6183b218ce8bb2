#include "regcensus/census/census_plan.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "regcensus/h5/atomic_h5_file.hpp"
#include "regcensus/h5/h5_location.hpp"

namespace regcensus {

LayerPlan CensusPlan::layer_plan() const { return plan_layers(images); }

int64_t CensusPlan::layer_count() const {
    int64_t n = 0;
    for (const auto& s : shards) n += static_cast<int64_t>(s.digests.size());
    return n;
}

std::vector<Shard> cut_shards(const LayerPlan& layers, int64_t shard_bytes) {
    std::vector<Shard> shards;
    for (const auto& layer : layers.layers) {
        const auto size = std::max<int64_t>(layer.size, 0);
        if (shards.empty() || (!shards.back().digests.empty() && shards.back().bytes + size > shard_bytes &&
                               shards.back().bytes > 0))
            shards.push_back({static_cast<int64_t>(shards.size()), 0, {}});
        shards.back().bytes += size;
        shards.back().digests.push_back(layer.digest);
    }
    return shards;
}

std::string plan_path(const std::string& work_dir) { return (std::filesystem::path(work_dir) / "plan.h5").string(); }

void save_plan(const CensusPlan& plan, const std::string& path) {
    h5::write_atomically(path, [&](const h5::File& file) {
        file.set_attribute("format", "regcensus-plan");
        file.set_attribute("format_version", kPlanFormatVersion);
        for (const auto& [name, value] : plan.parameters) file.set_attribute("parameter." + name, value);

        auto images = file.create_group("images");
        ByteWriter encoded;
        std::vector<std::string> references, statuses;
        for (const auto& image : plan.images) {
            encode(encoded, image);
            references.push_back(image.reference);
            statuses.push_back(image.status);
        }
        images.write_bytes("records", encoded.bytes(), "Resolved image rows, encoded for regcensus itself.");
        images.write_strings("reference", references, "Image reference as listed.");
        images.write_strings("status", statuses, "Status of the plan phase for the image.");

        auto shards = file.create_group("shards");
        std::vector<int64_t> ids, bytes, offsets{0};
        std::vector<std::string> digests;
        for (const auto& s : plan.shards) {
            ids.push_back(s.id);
            bytes.push_back(s.bytes);
            digests.insert(digests.end(), s.digests.begin(), s.digests.end());
            offsets.push_back(static_cast<int64_t>(digests.size()));
        }
        shards.write_int64("id", ids, "Shard number.");
        shards.write_int64("bytes", bytes, "Compressed bytes of the shard's layers.", "bytes");
        shards.write_int64("layer_offsets", offsets, "CSR offsets into layer_digest, one more than shards.");
        shards.write_strings("layer_digest", digests, "Layer digests of each shard in turn.");
    });
}

namespace {

// The plan file of `path`, open, after checking its format.
h5::File open_plan(const std::string& path, std::vector<std::string>& attributes) {
    auto file = h5::File::open_read(path);
    attributes = file.attribute_names();
    if (std::find(attributes.begin(), attributes.end(), "format") == attributes.end() ||
        file.string_attribute("format") != "regcensus-plan")
        throw std::runtime_error(path + " is not a regcensus plan");
    return file;
}

}  // namespace

void check_plan_file(const std::string& work_dir) {
    const auto path = plan_path(work_dir);
    if (!std::filesystem::exists(path) && std::filesystem::exists(std::filesystem::path(work_dir) / "lock"))
        throw std::runtime_error(work_dir + " holds no plan yet: a run is planning in it, or ended while planning "
                                            "(run --resume plans again)");
    if (!std::filesystem::exists(path))
        throw std::runtime_error(work_dir + " is not a regcensus work directory (no plan.h5)");
    try {
        std::vector<std::string> attributes;
        open_plan(path, attributes);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot use the plan: ") + e.what());
    }
}

CensusPlan load_plan(const std::string& path) {
    std::vector<std::string> attributes;
    auto file = open_plan(path, attributes);
    CensusPlan plan;
    plan.format_version = file.int64_attribute("format_version");
    constexpr std::string_view prefix = "parameter.";
    for (const auto& name : attributes)
        if (name.starts_with(prefix)) plan.parameters[name.substr(prefix.size())] = file.string_attribute(name);
    auto images = file.open_group("images");
    auto records = images.read_bytes("records");
    ByteReader in(records);
    while (!in.done()) plan.images.push_back(decode_image_record(in));

    auto shards = file.open_group("shards");
    auto ids = shards.read_int64("id");
    auto bytes = shards.read_int64("bytes");
    auto offsets = shards.read_int64("layer_offsets");
    auto digests = shards.read_strings("layer_digest");
    for (std::size_t i = 0; i < ids.size(); ++i)
        plan.shards.push_back({ids[i], bytes[i],
                               std::vector<std::string>(digests.begin() + offsets[i], digests.begin() + offsets[i + 1])});
    return plan;
}

std::vector<int64_t> parse_shard_list(const std::string& text) {
    std::vector<int64_t> ids;
    auto number = [&](std::string_view part) {
        int64_t value = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (ec != std::errc() || end != part.data() + part.size() || value < 0)
            throw std::invalid_argument("bad shard list '" + text + "': '" + std::string(part) + "' is not a shard number");
        return value;
    };
    std::string_view rest = text;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto part = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (part.empty()) continue;
        auto dash = part.find('-');
        if (dash == std::string_view::npos) {
            ids.push_back(number(part));
        } else {
            auto first = number(part.substr(0, dash)), last = number(part.substr(dash + 1));
            if (last < first) throw std::invalid_argument("bad shard range '" + std::string(part) + "'");
            for (auto i = first; i <= last; ++i) ids.push_back(i);
        }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

std::string format_shard_list(const std::vector<int64_t>& sorted_ids) {
    std::string text;
    for (std::size_t i = 0; i < sorted_ids.size();) {
        std::size_t j = i;
        while (j + 1 < sorted_ids.size() && sorted_ids[j + 1] == sorted_ids[j] + 1) ++j;
        if (!text.empty()) text += ',';
        text += std::to_string(sorted_ids[i]);
        if (j > i) text += '-' + std::to_string(sorted_ids[j]);
        i = j + 1;
    }
    return text;
}

}  // namespace regcensus
