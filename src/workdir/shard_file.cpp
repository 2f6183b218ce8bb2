#include "regcensus/workdir/shard_file.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "regcensus/h5/atomic_h5_file.hpp"
#include "regcensus/h5/h5_location.hpp"
#include "entry_table_codec.hpp"
#include "regcensus/workdir/layer_profile_codec.hpp"
#include "regcensus/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace regcensus {
namespace {

constexpr const char* kShardFormat = "regcensus-shard";
// 2: with /entries (every tar entry of every layer, for the union view and
// /files); a version 1 shard is redone.
constexpr int64_t kShardFormatVersion = 2;

// /entries: one zstd blob per layer (encode_entry_table), concatenated in
// `tables`; the blob of layer i is bytes [offsets[i], offsets[i+1]).
void write_entry_tables(const h5::File& file, const ShardResult& shard) {
    auto entries = file.create_group("entries");
    std::vector<char> tables;
    std::vector<int64_t> offsets{0};
    for (const auto& layer : shard.layers) {
        const auto blob = encode_entry_table(layer.entries, layer.files);
        tables.insert(tables.end(), blob.begin(), blob.end());
        offsets.push_back(static_cast<int64_t>(tables.size()));
    }
    entries.write_bytes("tables", tables, "Per-layer entry tables (zstd), encoded for regcensus itself.");
    entries.write_int64("offsets", offsets, "Layer i's entry table is tables[offsets[i]:offsets[i+1]].", "bytes");
}

std::optional<std::string> entry_tables_problem(const h5::File& file, std::size_t layer_count) {
    if (!file.has("entries")) return "written by an older regcensus (no entry tables)";
    const auto entries = file.open_group("entries");
    const auto offsets = entries.read_int64("offsets");
    if (offsets.size() != layer_count + 1 || offsets.front() != 0) return "its entry tables do not match its layers";
    for (std::size_t i = 1; i < offsets.size(); ++i)
        if (offsets[i] < offsets[i - 1]) return "its entry tables are out of order";
    if (static_cast<std::size_t>(offsets.back()) != entries.dataset_length("tables"))
        return "its entry tables are cut short";
    return std::nullopt;
}

}  // namespace

std::string shard_path(const std::string& work_dir, int64_t shard_id) {
    char name[32];
    std::snprintf(name, sizeof name, "shard-%05lld.h5", static_cast<long long>(shard_id));
    return (fs::path(work_dir) / "shards" / name).string();
}

bool shard_exists(const std::string& work_dir, int64_t shard_id) { return fs::exists(shard_path(work_dir, shard_id)); }

void write_shard(const ShardResult& shard, const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    h5::write_atomically(path, [&](const h5::File& file) {
        file.set_attribute("format", kShardFormat);
        file.set_attribute("format_version", kShardFormatVersion);
        file.set_attribute("shard_id", shard.shard_id);

        auto layers = file.create_group("layers");
        ByteWriter profiles;
        std::vector<std::string> digests, statuses;
        for (const auto& a : shard.layers) {
            encode(profiles, a.profile);
            digests.push_back(a.profile.digest);
            statuses.push_back(a.profile.status);
        }
        layers.write_bytes("profiles", profiles.bytes(), "Layer profiles, encoded for regcensus itself.");
        layers.write_strings("digest", digests, "Layer digest.");
        layers.write_strings("status", statuses, "Layer status.");

        auto files = file.create_group("files");
        std::vector<int64_t> layer, index, high, low, size, type;
        std::vector<std::string> path_column;
        for (std::size_t l = 0; l < shard.layers.size(); ++l) {
            for (const auto& f : shard.layers[l].files) {
                layer.push_back(static_cast<int64_t>(l));
                index.push_back(f.index);
                high.push_back(std::bit_cast<int64_t>(f.hash.high));
                low.push_back(std::bit_cast<int64_t>(f.hash.low));
                size.push_back(f.size);
                type.push_back(static_cast<int64_t>(f.type));
                path_column.push_back(f.path);
            }
        }
        files.write_int64("layer", layer, "Position of the file's layer in /layers of this shard.");
        files.write_int64("index", index, "Position among the layer's regular files, tar order.");
        files.write_int64("hash_high", high, "XXH3-128 of the content, high 64 bits.");
        files.write_int64("hash_low", low, "XXH3-128 of the content, low 64 bits.");
        files.write_int64("size", size, "File size.", "bytes");
        files.write_int64("type", type, "File-type category number (enum FileType).");
        files.write_strings("path", path_column, "Normalised path.");
        write_entry_tables(file, shard);
    });
}

std::optional<std::string> shard_file_problem(const std::string& path, int64_t shard_id,
                                              const std::vector<std::string>& planned_digests) {
    try {
        const auto file = h5::File::open_read(path);
        const auto attributes = file.attribute_names();
        if (std::find(attributes.begin(), attributes.end(), "format") == attributes.end() ||
            file.string_attribute("format") != kShardFormat)
            return "not a regcensus shard file";
        if (file.int64_attribute("shard_id") != shard_id)
            return "holds shard " + std::to_string(file.int64_attribute("shard_id"));
        const auto layers = file.open_group("layers");
        if (layers.read_strings("digest") != planned_digests) return "its layers are not the plan's for this shard";
        if (layers.dataset_length("status") != planned_digests.size()) return "its layer statuses do not match its layers";
        const auto encoded = layers.read_bytes("profiles");
        ByteReader in(encoded);
        for (const auto& digest : planned_digests)
            if (in.done() || decode_layer_profile(in).digest != digest) return "its layer profiles do not match its layers";
        if (!in.done()) return "its layer profiles do not match its layers";

        const auto files = file.open_group("files");
        const auto layer = files.read_int64("layer");
        for (const char* column : {"index", "hash_high", "hash_low", "size", "type", "path"})
            if (files.dataset_length(column) != layer.size()) return std::string("its file column ") + column + " has another length";
        int64_t previous = 0;
        for (const auto l : layer) {
            if (l < previous || l >= static_cast<int64_t>(planned_digests.size())) return "its file table is out of order";
            previous = l;
        }
        if (auto problem = entry_tables_problem(file, planned_digests.size())) return problem;
    } catch (const std::exception& e) {
        return e.what();
    }
    return std::nullopt;
}

std::string set_shard_aside(const std::string& work_dir, int64_t shard_id) {
    const fs::path from = shard_path(work_dir, shard_id);
    const fs::path bad = fs::path(work_dir) / "shards" / "bad";
    fs::create_directories(bad);
    const fs::path to = bad / (from.filename().string() + "." + std::to_string(std::time(nullptr)));
    fs::rename(from, to);
    sync_path(from.parent_path());
    return to.string();
}

ShardResult read_shard(const std::string& path) {
    auto file = h5::File::open_read(path);
    ShardResult shard;
    shard.shard_id = file.int64_attribute("shard_id");
    auto layers = file.open_group("layers");
    auto encoded = layers.read_bytes("profiles");
    ByteReader in(encoded);
    while (!in.done()) shard.layers.push_back({decode_layer_profile(in), {}, {}});

    auto files = file.open_group("files");
    auto layer = files.read_int64("layer");
    auto index = files.read_int64("index");
    auto high = files.read_int64("hash_high");
    auto low = files.read_int64("hash_low");
    auto size = files.read_int64("size");
    auto type = files.read_int64("type");
    auto paths = files.read_strings("path");
    for (std::size_t i = 0; i < layer.size(); ++i) {
        FileRecord f;
        f.hash = {std::bit_cast<uint64_t>(high[i]), std::bit_cast<uint64_t>(low[i])};
        f.size = size[i];
        f.type = static_cast<FileType>(type[i]);
        f.index = static_cast<uint32_t>(index[i]);
        f.path = std::move(paths[i]);
        shard.layers.at(static_cast<std::size_t>(layer[i])).files.push_back(std::move(f));
    }
    if (file.has("entries")) {
        const auto entries = file.open_group("entries");
        const auto tables = entries.read_bytes("tables");
        const auto offsets = entries.read_int64("offsets");
        for (std::size_t l = 0; l < shard.layers.size() && l + 1 < offsets.size(); ++l)
            shard.layers[l].entries = decode_entry_table(std::span<const char>(tables).subspan(
                static_cast<std::size_t>(offsets[l]), static_cast<std::size_t>(offsets[l + 1] - offsets[l])));
    }
    return shard;
}

std::vector<LayerProfile> read_shard_profiles(const std::string& path) {
    const auto encoded = h5::File::open_read(path).open_group("layers").read_bytes("profiles");
    ByteReader in(encoded);
    std::vector<LayerProfile> profiles;
    while (!in.done()) profiles.push_back(decode_layer_profile(in));
    return profiles;
}

ShardFileTable read_shard_file_table(const std::string& path) {
    const auto files = h5::File::open_read(path).open_group("files");
    return {files.read_int64("layer"),     files.read_int64("index"), files.read_int64("hash_high"),
            files.read_int64("hash_low"),  files.read_int64("size"),  files.read_int64("type")};
}

std::string read_shard_file_path(const std::string& path, std::size_t file_row) {
    return h5::File::open_read(path).open_group("files").read_string_at("path", file_row);
}

std::vector<std::string> read_shard_statuses(const std::string& path) {
    return h5::File::open_read(path).open_group("layers").read_strings("status");
}

std::vector<int64_t> read_shard_entry_offsets(const std::string& path) {
    return h5::File::open_read(path).open_group("entries").read_int64("offsets");
}

std::vector<EntryRecord> read_shard_layer_entries(const std::string& path, std::size_t position,
                                                  const std::vector<int64_t>& offsets) {
    if (position + 1 >= offsets.size()) throw std::out_of_range("shard " + path + " has no layer " + std::to_string(position));
    const auto start = offsets[position], end = offsets[position + 1];
    if (start < 0 || end < start) throw std::runtime_error("shard " + path + ": bad entry table offsets");
    const auto entries = h5::File::open_read(path).open_group("entries");
    const auto blob = entries.read_bytes_range("tables", static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
    return decode_entry_table(blob);
}

std::vector<EntryRecord> read_shard_layer_entries(const std::string& path, std::size_t position) {
    return read_shard_layer_entries(path, position, read_shard_entry_offsets(path));
}

}  // namespace regcensus
