#include "regcensus/results/image_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "regcensus/h5/virtual_dataset.hpp"
#include "regcensus/union/union_view.hpp"

namespace regcensus {
namespace {

constexpr std::size_t kLargestWasted = 20;

struct WastedFile {
    int64_t size;
    std::string path;
    std::string why;  // overwritten by layer N, deleted by layer N, duplicate
    std::size_t position;
};

EntryKindCode kind_of(const std::string& name) {
    for (std::size_t k = 0; k < kEntryKindNames.size(); ++k)
        if (kEntryKindNames[k] == name) return static_cast<EntryKindCode>(k);
    return EntryKindCode::other;
}

uint64_t hex64(const std::string& hex, std::size_t at) {
    return hex.size() >= at + 16 ? std::stoull(hex.substr(at, 16), nullptr, 16) : 0;
}

// The first row in [low, rows) of the sorted column files/layer holding a
// value >= `value`: a binary search reading one element a step, so a census of
// billions of rows is never read whole for one image.
std::size_t first_row_at_least(const h5::Location& files, std::size_t low, std::size_t rows, int64_t value) {
    std::size_t high = rows;
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        if (files.read_int64_range("layer", middle, 1).front() < value)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

// The entries of layer row `layer_row`, read from its range of /files only.
std::vector<EntryRecord> layer_entries(const h5::Location& files, std::size_t rows, int64_t layer_row) {
    const std::size_t first = first_row_at_least(files, 0, rows, layer_row);
    const std::size_t count = first_row_at_least(files, first, rows, layer_row + 1) - first;
    const auto path = files.read_strings_range("path", first, count);
    const auto kind = files.read_strings_range("kind", first, count);
    const auto size = files.read_int64_range("size", first, count);
    const auto content = files.read_strings_range("content", first, count);
    std::vector<EntryRecord> entries(count);
    for (std::size_t i = 0; i < count; ++i) {
        entries[i].path = path[i];
        entries[i].kind = kind_of(kind[i]);
        entries[i].size = size[i];
        entries[i].hash_high = hex64(content[i], 0);
        entries[i].hash_low = hex64(content[i], 16);
    }
    return entries;
}

// Replays the image from /files, noting every regular file its layers hide or
// delete and the copies left in its final view.
std::vector<WastedFile> wasted_files(const h5::File& file, const std::vector<int64_t>& layer_rows) {
    const auto files = file.open_group("files");
    const std::size_t rows = files.dataset_length("layer");
    std::vector<WastedFile> wasted;
    UnionView view;
    std::size_t position = 0;
    view.on_removed_file = [&](const UnionView::RemovedFile& removed) {
        wasted.push_back({removed.size, removed.path,
                          (removed.deleted ? "deleted by layer " : "overwritten by layer ") + std::to_string(position),
                          position});
    };
    for (; position < layer_rows.size(); ++position) view.apply(layer_entries(files, rows, layer_rows[position]));
    // Copies in the final view: every file after the first (in path order) of a content.
    std::map<std::pair<uint64_t, uint64_t>, int> seen;
    view.for_each_file([&](const std::string& p, int64_t s, uint64_t high, uint64_t low) {
        if (seen[{high, low}]++ > 0) wasted.push_back({s, p, "duplicate", layer_rows.size()});
    });
    std::stable_sort(wasted.begin(), wasted.end(), [](const WastedFile& a, const WastedFile& b) {
        return a.size != b.size ? a.size > b.size : a.path < b.path;
    });
    if (wasted.size() > kLargestWasted) wasted.resize(kLargestWasted);
    return wasted;
}

}  // namespace

void print_image_report(const h5::File& file, const std::string& reference) {
    const auto images = file.open_group("images");
    const auto references = images.read_strings("reference");
    const auto found = std::find(references.begin(), references.end(), reference);
    if (found == references.end()) throw std::runtime_error("no image " + reference + " in the results file");
    const auto i = static_cast<std::size_t>(found - references.begin());
    // /files joined from pieces: a missing or short piece would read as empty
    // rows without a word, so it is refused before anything is printed.
    if (file.has("files"))
        for (const char* name : {"layer", "path", "kind", "size", "content"})
            h5::check_virtual_sources(file, std::string("files/") + name);
    const auto column = [&](const char* name) { return images.read_int64(name).at(i); };
    std::printf("image %s  (row %zu, status %s)\n", reference.c_str(), i, images.read_strings("status").at(i).c_str());
    std::printf("  manifest %s\n", images.read_strings("manifest_digest").at(i).c_str());
    std::printf("  files summed over layers  %lld files, %lld bytes\n", (long long)column("file_count"),
                (long long)column("file_bytes"));
    if (images.has("union_file_count")) {
        std::printf("  union view                %lld files, %lld bytes, %lld directories, %lld symlinks\n",
                    (long long)column("union_file_count"), (long long)column("union_file_bytes"),
                    (long long)column("union_dir_count"), (long long)column("union_symlink_count"));
        std::printf("  wasted                    %lld bytes (overwritten %lld, deleted %lld, duplicate %lld)\n",
                    (long long)column("wasted_bytes"), (long long)column("overwritten_bytes"),
                    (long long)column("deleted_bytes"), (long long)column("duplicate_bytes"));
        const auto wasted = column("wasted_bytes"), bytes = column("file_bytes");
        if (wasted >= 0)
            std::printf("  efficiency                %.4f\n", bytes > 0 ? 1.0 - double(wasted) / double(bytes) : 1.0);
    }
    const auto offsets = images.read_int64("layer_offsets");
    const auto all_rows = images.read_int64("layer_rows");
    const std::vector<int64_t> rows(all_rows.begin() + offsets.at(i), all_rows.begin() + offsets.at(i + 1));
    const auto digests = file.open_group("layers").read_strings("digest");
    const bool changes = file.has("image_layers") && file.open_group("image_layers").has("added_bytes");
    std::printf("\n  %-3s %-19s %14s %14s %14s\n", "#", "layer", "adds bytes", "overwrites", "deletes");
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto at = static_cast<std::size_t>(offsets[i]) + k;
        std::printf("  %-3zu %-19.19s", k, digests.at(static_cast<std::size_t>(rows[k])).c_str());
        if (changes) {
            const auto g = file.open_group("image_layers");
            std::printf(" %14lld %14lld %14lld", (long long)g.read_int64("added_bytes").at(at),
                        (long long)g.read_int64("overwritten_bytes").at(at), (long long)g.read_int64("deleted_bytes").at(at));
        }
        std::printf("\n");
    }
    if (!file.has("files")) {
        std::printf("\n  (no /files in this results file: run with --files to list the wasted files)\n");
        return;
    }
    std::printf("\n  largest wasted files\n");
    for (const auto& w : wasted_files(file, rows))
        std::printf("  %14lld  %-24s %s\n", (long long)w.size, w.why.c_str(), w.path.c_str());
}

}  // namespace regcensus
