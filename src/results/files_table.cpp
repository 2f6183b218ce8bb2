#include "regcensus/results/files_table.hpp"

#include <algorithm>
#include <unordered_map>

#include "regcensus/h5/column_appender.hpp"
#include "regcensus/dedup/dedup_reduce.hpp"
#include "regcensus/workdir/shard_file.hpp"

namespace regcensus {
namespace {

using h5::ColumnAppender;

std::string content_hex(const EntryRecord& e) {
    return e.kind == EntryKindCode::file ? hash_hex(ContentHash{e.hash_high, e.hash_low}) : std::string();
}

// The columns of /files, filled one layer at a time.
struct FilesColumns {
    explicit FilesColumns(const h5::Location& g)
        : layer(g, "layer", ColumnAppender::Type::int64, "Row of /layers holding the entry."),
          path(g, "path", ColumnAppender::Type::string, "Normalised path (leading ./ and /, trailing / removed; bad UTF-8 as \\xNN)."),
          kind(g, "kind", ColumnAppender::Type::string, "file, dir, symlink, hardlink, whiteout, opaque or other."),
          size(g, "size", ColumnAppender::Type::int64, "Bytes of a regular file, else 0.", "bytes"),
          mode(g, "mode", ColumnAppender::Type::int64, "Permission bits from the tar header (07777)."),
          uid(g, "uid", ColumnAppender::Type::int64, "Owner's numeric id from the tar header."),
          gid(g, "gid", ColumnAppender::Type::int64, "Group's numeric id from the tar header."),
          mtime(g, "mtime", ColumnAppender::Type::int64, "Modification time from the tar header; -1 if absent.",
                "seconds since 1970-01-01 UTC"),
          type(g, "type", ColumnAppender::Type::string, "File-type category of a regular file, as in /filetypes; empty otherwise."),
          content(g, "content", ColumnAppender::Type::string,
                  "XXH3-128 of a regular file's content, 32 lowercase hex digits (high half first); empty otherwise."),
          link_target(g, "link_target", ColumnAppender::Type::string, "Target of a symlink or hard link; empty otherwise.") {}

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
        layer.append(rows);
        path.append(paths);
        kind.append(kinds);
        size.append(sizes);
        mode.append(modes);
        uid.append(uids);
        gid.append(gids);
        mtime.append(mtimes);
        type.append(types);
        content.append(contents);
        link_target.append(targets);
    }

    ColumnAppender layer, path, kind, size, mode, uid, gid, mtime, type, content, link_target;
};

}  // namespace

std::size_t write_files_table(const h5::File& file, const CensusPlan& plan, const LayerPlan& layers,
                              const std::string& work_dir) {
    std::unordered_map<std::string, int64_t> row_of;
    for (std::size_t i = 0; i < layers.layers.size(); ++i) row_of[layers.layers[i].digest] = static_cast<int64_t>(i);
    auto group = file.create_group("files");
    FilesColumns columns(group);
    // Shards in plan order hold consecutive digest ranges; sort by first row to be sure.
    std::vector<std::pair<int64_t, std::size_t>> order;
    for (std::size_t s = 0; s < plan.shards.size(); ++s)
        if (!plan.shards[s].digests.empty()) order.emplace_back(row_of.at(plan.shards[s].digests.front()), s);
    std::sort(order.begin(), order.end());
    for (const auto& [first_row, s] : order) {
        const std::string path = shard_path(work_dir, plan.shards[s].id);
        const auto statuses = read_shard_statuses(path);
        const auto offsets = read_shard_entry_offsets(path);
        for (std::size_t p = 0; p < plan.shards[s].digests.size(); ++p) {
            if (statuses.at(p) != "ok") continue;
            columns.add(row_of.at(plan.shards[s].digests[p]), read_shard_layer_entries(path, p, offsets));
        }
    }
    return columns.layer.size();
}

}  // namespace regcensus
