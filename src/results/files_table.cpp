#include "regcensus/results/files_table.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <regex>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

#include "regcensus/dedup/dedup_reduce.hpp"
#include "regcensus/h5/atomic_h5_file.hpp"
#include "regcensus/h5/column_appender.hpp"
#include "regcensus/h5/virtual_dataset.hpp"
#include "regcensus/workdir/shard_file.hpp"

namespace regcensus {
namespace {

namespace fs = std::filesystem;
using h5::ColumnAppender;
using Type = ColumnAppender::Type;

struct ColumnSpec {
    const char* name;
    Type type;
    const char* description;
    const char* units;
};

// The columns of /files, in the order FilesColumns::add fills them; the pieces
// and the joined virtual datasets carry the same names and descriptions.
constexpr std::array<ColumnSpec, 11> kColumns{{
    {"layer", Type::int64, "Row of /layers holding the entry.", ""},
    {"path", Type::string, "Normalised path (leading ./ and /, trailing / removed; bad UTF-8 as \\xNN).", ""},
    {"kind", Type::string, "file, dir, symlink, hardlink, whiteout, opaque or other.", ""},
    {"size", Type::int64, "Bytes of a regular file, else 0.", "bytes"},
    {"mode", Type::int64, "Permission bits from the tar header (07777).", ""},
    {"uid", Type::int64, "Owner's numeric id from the tar header.", ""},
    {"gid", Type::int64, "Group's numeric id from the tar header.", ""},
    {"mtime", Type::int64, "Modification time from the tar header; -1 if absent.", "seconds since 1970-01-01 UTC"},
    {"type", Type::string, "File-type category of a regular file, as in /filetypes; empty otherwise.", ""},
    {"content", Type::string,
     "XXH3-128 of a regular file's content, 32 lowercase hex digits (high half first); empty otherwise.", ""},
    {"link_target", Type::string, "Target of a symlink or hard link; empty otherwise.", ""},
}};

std::string content_hex(const EntryRecord& e) {
    return e.kind == EntryKindCode::file ? hash_hex(ContentHash{e.hash_high, e.hash_low}) : std::string();
}

// The columns of /files in one group, filled one layer at a time.
class FilesColumns {
public:
    explicit FilesColumns(const h5::Location& group) {
        for (const auto& c : kColumns) columns_.emplace_back(group, c.name, c.type, c.description, c.units);
    }

    void add(int64_t row, const std::vector<EntryRecord>& entries) {
        std::vector<int64_t> rows(entries.size(), row), sizes, modes, uids, gids, mtimes;
        std::vector<std::string> paths, kinds, types, contents, targets;
        for (const auto& e : entries) {
            sizes.push_back(e.kind == EntryKindCode::file ? e.size : 0);
            modes.push_back(e.mode);
            uids.push_back(e.uid);
            gids.push_back(e.gid);
            mtimes.push_back(e.mtime);
            paths.push_back(e.path);
            kinds.emplace_back(entry_kind_name(e.kind));
            types.emplace_back(e.kind == EntryKindCode::file ? file_type_name(e.type) : std::string_view{});
            contents.push_back(content_hex(e));
            targets.push_back(e.link_target);
        }
        columns_[0].append(rows);
        columns_[1].append(paths);
        columns_[2].append(kinds);
        columns_[3].append(sizes);
        columns_[4].append(modes);
        columns_[5].append(uids);
        columns_[6].append(gids);
        columns_[7].append(mtimes);
        columns_[8].append(types);
        columns_[9].append(contents);
        columns_[10].append(targets);
    }

    // Writes what the columns still hold; returns the number of rows.
    std::size_t finish() {
        for (auto& c : columns_) c.finish();
        return columns_.front().size();
    }

private:
    std::vector<ColumnAppender> columns_;
};

std::unordered_map<std::string, int64_t> layer_rows(const LayerPlan& layers) {
    std::unordered_map<std::string, int64_t> row_of;
    for (std::size_t i = 0; i < layers.layers.size(); ++i) row_of[layers.layers[i].digest] = static_cast<int64_t>(i);
    return row_of;
}

// Appends the rows of shard `shard`'s ok layers.
void add_shard(FilesColumns& columns, const Shard& shard, const std::unordered_map<std::string, int64_t>& row_of,
               const std::string& work_dir) {
    const std::string path = shard_path(work_dir, shard.id);
    const auto statuses = read_shard_statuses(path);
    const auto offsets = read_shard_entry_offsets(path);
    for (std::size_t p = 0; p < shard.digests.size(); ++p) {
        if (statuses.at(p) != "ok") continue;
        columns.add(row_of.at(shard.digests[p]), read_shard_layer_entries(path, p, offsets));
    }
}

// DIR/results.h5 -> DIR/results.files (DIR/x.files -> DIR/x.files.files).
fs::path pieces_directory(const std::string& out_path) {
    fs::path directory = fs::path(out_path).replace_extension(".files");
    if (directory == fs::path(out_path)) directory += ".files";
    return directory;
}

bool is_piece_set_name(const std::string& name) {
    static const std::regex pattern("merge-[0-9a-f]{16}");
    return std::regex_match(name, pattern);
}

// The non-empty shards in /files order: by their first layer row (shards in
// plan order hold consecutive digest ranges; sorted to be sure).
std::vector<std::size_t> shards_in_row_order(const CensusPlan& plan, const std::unordered_map<std::string, int64_t>& row_of) {
    std::vector<std::pair<int64_t, std::size_t>> order;
    for (std::size_t s = 0; s < plan.shards.size(); ++s)
        if (!plan.shards[s].digests.empty()) order.emplace_back(row_of.at(plan.shards[s].digests.front()), s);
    std::sort(order.begin(), order.end());
    std::vector<std::size_t> shards;
    for (const auto& [first_row, s] : order) shards.push_back(s);
    return shards;
}

}  // namespace

std::size_t write_files_table(const h5::File& file, const CensusPlan& plan, const LayerPlan& layers,
                              const std::string& work_dir) {
    const auto row_of = layer_rows(layers);
    FilesColumns columns(file.create_group("files"));
    for (const std::size_t s : shards_in_row_order(plan, row_of)) add_shard(columns, plan.shards[s], row_of, work_dir);
    return columns.finish();
}

std::string new_files_piece_set() {
    std::random_device entropy;
    const uint64_t value = (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
    char name[32];
    std::snprintf(name, sizeof name, "merge-%016llx", static_cast<unsigned long long>(value));
    return name;
}

void create_files_piece_set(const std::string& out_path, const std::string& set) {
    const fs::path directory = pieces_directory(out_path) / set;
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) throw std::runtime_error("cannot create " + directory.string() + ": " + error.message());
}

std::optional<FilesPiece> write_files_piece(const CensusPlan& plan, const LayerPlan& layers,
                                           const std::string& work_dir, const std::string& out_path,
                                           const std::string& set, int rank, int ranks) {
    const auto row_of = layer_rows(layers);
    const auto order = shards_in_row_order(plan, row_of);
    // Rank r takes the r-th of `ranks` contiguous runs of shards (in row order),
    // so its piece is one contiguous range of /files rows.
    const std::size_t first = order.size() * static_cast<std::size_t>(rank) / static_cast<std::size_t>(ranks);
    const std::size_t last = order.size() * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(ranks);
    if (first == last) return std::nullopt;
    const fs::path directory = pieces_directory(out_path);
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d.h5", rank);
    FilesPiece piece;
    piece.file = (directory.filename() / set / name).string();
    piece.first_layer_row = row_of.at(plan.shards[order[first]].digests.front());
    h5::write_atomically((directory / set / name).string(), [&](const h5::File& file) {
        FilesColumns columns(file.create_group("files"));
        for (std::size_t i = first; i < last; ++i) add_shard(columns, plan.shards[order[i]], row_of, work_dir);
        piece.rows = columns.finish();
    });
    if (piece.rows == 0) return std::nullopt;
    return piece;
}

std::size_t join_files_pieces(const h5::File& file, std::vector<FilesPiece> pieces) {
    std::sort(pieces.begin(), pieces.end(),
              [](const FilesPiece& a, const FilesPiece& b) { return a.first_layer_row < b.first_layer_row; });
    auto group = file.create_group("files");
    std::size_t rows = 0;
    for (const auto& piece : pieces) rows += piece.rows;
    for (const auto& column : kColumns) {
        std::vector<h5::VirtualSource> sources;
        for (const auto& piece : pieces)
            sources.push_back({piece.file, std::string("/files/") + column.name, piece.rows});
        h5::create_virtual_column(group, column.name, column.type, sources, column.description, column.units);
    }
    group.set_attribute("pieces", pieces.empty() ? std::string() : fs::path(pieces.front().file).parent_path().string());
    return rows;
}

bool remove_other_piece_sets(const std::string& out_path, const std::string& keep) {
    const fs::path directory = pieces_directory(out_path);
    std::error_code error;
    if (!fs::is_directory(fs::symlink_status(directory, error))) return true;
    bool removed_all = true;
    for (const auto& entry : fs::directory_iterator(directory, error)) {
        const std::string name = entry.path().filename().string();
        if (name == keep || !is_piece_set_name(name)) continue;
        if (!fs::is_directory(entry.symlink_status(error))) continue;
        std::error_code removal;
        fs::remove_all(entry.path(), removal);
        if (removal) removed_all = false;
    }
    if (error) return false;
    if (keep.empty()) fs::remove(directory, error);  // only if empty; an error just leaves it
    return removed_all;
}

}  // namespace regcensus
