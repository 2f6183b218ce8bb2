#pragma once
// Test support for the duplicate index: a seeded generator of content records
// shaped like a census (heavily copied contents, layers listed by one or by
// several images) and a naive reference reduce on std::map, against which the
// sorting, spilling, distributed implementation is checked exactly.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "regcensus/dedup/dedup_types.hpp"

namespace regcensus::dedup_test {

struct RecordSet {
    std::size_t layer_count = 0;
    std::vector<ContentRecord> records;
    std::vector<int64_t> sole_image_of_layer;
};

inline std::string example_path(uint32_t layer_row, uint32_t file_index) {
    return "layer-" + std::to_string(layer_row) + "/file-" + std::to_string(file_index);
}

// Contents are drawn with a skew (small ids far more often), a few contents are
// copied hundreds of times, some hashes share their high half, some sizes are 0.
inline RecordSet make_records(uint64_t seed, std::size_t layer_count, std::size_t record_count,
                              std::size_t content_count, int64_t image_count) {
    std::mt19937_64 rng(seed);
    RecordSet set;
    set.layer_count = layer_count;
    set.sole_image_of_layer.resize(layer_count);
    for (auto& image : set.sole_image_of_layer)
        image = rng() % 5 == 0 ? -1 : static_cast<int64_t>(rng() % static_cast<uint64_t>(image_count));
    std::vector<uint32_t> files_in_layer(layer_count, 0);
    auto content_hash = [](uint64_t id) {
        uint64_t x = id * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e5f5ULL;
        x = (x ^ (x >> 31)) * 0xbf58476d1ce4e5b9ULL;
        // Every fourth content shares its high half with its neighbour: ties on high, split by low.
        return ContentHash{id % 4 == 0 ? (x >> 7) | 1 : x ^ (x >> 29), x * 0x94d049bb133111ebULL + id};
    };
    for (std::size_t i = 0; i < record_count; ++i) {
        uint64_t id;
        if (rng() % 50 == 0)
            id = rng() % 3;  // the heavily copied few
        else
            id = rng() % (rng() % content_count + 1);
        const auto layer = static_cast<uint32_t>(rng() % layer_count);
        ContentRecord r;
        r.hash = content_hash(id);
        r.size = id % 7 == 0 ? 0 : static_cast<int64_t>((id * 2654435761ULL) % 100000);
        r.type = static_cast<FileType>(id % kFileTypeCount);
        r.layer_row = layer;
        r.file_index = files_in_layer[layer]++;
        set.records.push_back(r);
    }
    // Shuffled, so that no rank or batch sees records in any helpful order.
    std::shuffle(set.records.begin(), set.records.end(), rng);
    return set;
}

inline DedupSummary reference_summary(const RecordSet& set, std::size_t top_rows) {
    std::map<ContentHash, std::vector<ContentRecord>> by_content;
    for (const auto& r : set.records) by_content[r.hash].push_back(r);
    DedupSummary s;
    s.per_layer.unique_file_count.assign(set.layer_count, 0);
    s.per_layer.cross_layer_file_count.assign(set.layer_count, 0);
    s.per_layer.shared_files_count.assign(set.layer_count, 0);
    for (const auto& [hash, files] : by_content) {
        const auto copies = static_cast<int64_t>(files.size());
        const auto& first = *std::min_element(files.begin(), files.end(), [](const auto& a, const auto& b) {
            return std::pair(a.layer_row, a.file_index) < std::pair(b.layer_row, b.file_index);
        });
        std::set<uint32_t> layers;
        std::set<int64_t> images;
        for (const auto& f : files) {
            layers.insert(f.layer_row);
            images.insert(set.sole_image_of_layer[f.layer_row]);
        }
        const bool in_two_images = images.count(-1) > 0 || images.size() >= 2;
        s.file_count += copies;
        s.file_bytes += copies * first.size;
        s.unique_file_count += 1;
        s.unique_bytes += first.size;
        s.unique_files_by_type[static_cast<std::size_t>(first.type)] += 1;
        s.unique_bytes_by_type[static_cast<std::size_t>(first.type)] += first.size;
        s.contents_by_copies[copies] += 1;
        for (const auto& f : files) {
            if (copies == 1) s.per_layer.unique_file_count[f.layer_row] += 1;
            if (layers.size() >= 2) s.per_layer.cross_layer_file_count[f.layer_row] += 1;
            if (in_two_images) s.per_layer.shared_files_count[f.layer_row] += 1;
        }
        if (copies > 1 && first.size > 0)
            s.top.push_back({hash, first.size, copies, static_cast<int64_t>(layers.size()), first.type,
                             first.layer_row, first.file_index, example_path(first.layer_row, first.file_index)});
    }
    std::sort(s.top.begin(), s.top.end(), ranks_before);
    if (s.top.size() > top_rows) s.top.resize(top_rows);
    return s;
}

// "" when equal, else the first difference found.
inline std::string compare_summaries(const DedupSummary& got, const DedupSummary& want,
                                     bool compare_paths = true) {
    std::ostringstream out;
    auto field = [&](const char* name, auto a, auto b) {
        if (a != b && out.tellp() == 0) out << name << ": got " << a << ", want " << b;
    };
    field("file_count", got.file_count, want.file_count);
    field("file_bytes", got.file_bytes, want.file_bytes);
    field("unique_file_count", got.unique_file_count, want.unique_file_count);
    field("unique_bytes", got.unique_bytes, want.unique_bytes);
    if (out.tellp() != 0) return out.str();
    if (got.contents_by_copies != want.contents_by_copies) return "contents_by_copies differ";
    if (got.unique_files_by_type != want.unique_files_by_type) return "unique_files_by_type differ";
    if (got.unique_bytes_by_type != want.unique_bytes_by_type) return "unique_bytes_by_type differ";
    if (got.per_layer.unique_file_count != want.per_layer.unique_file_count) return "per_layer.unique_file_count";
    if (got.per_layer.cross_layer_file_count != want.per_layer.cross_layer_file_count)
        return "per_layer.cross_layer_file_count differ";
    if (got.per_layer.shared_files_count != want.per_layer.shared_files_count)
        return "per_layer.shared_files_count differ";
    field("top.size()", got.top.size(), want.top.size());
    for (std::size_t i = 0; i < got.top.size() && out.tellp() == 0; ++i) {
        const auto &a = got.top[i], &b = want.top[i];
        const bool same = a.hash == b.hash && a.size == b.size && a.copies == b.copies && a.layers == b.layers &&
                          a.type == b.type && a.first_layer_row == b.first_layer_row &&
                          a.first_file_index == b.first_file_index &&
                          (!compare_paths || a.example_path == b.example_path);
        if (!same) out << "top row " << i << " differs (copies " << a.copies << " vs " << b.copies << ", path '"
                       << a.example_path << "' vs '" << b.example_path << "')";
    }
    return out.str();
}

}  // namespace regcensus::dedup_test
