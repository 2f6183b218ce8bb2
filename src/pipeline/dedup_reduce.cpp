#include "regcensus/pipeline/dedup_reduce.hpp"

#include <algorithm>
#include <cstring>

#include "regcensus/util/binary_codec.hpp"

namespace regcensus {
namespace {

bool ranks_before(const TopContent& a, const TopContent& b) {
    if (a.wasted_bytes() != b.wasted_bytes()) return a.wasted_bytes() > b.wasted_bytes();
    return a.hash < b.hash;
}

void keep_top(std::vector<TopContent>& top, std::size_t rows) {
    std::sort(top.begin(), top.end(), ranks_before);
    if (top.size() > rows) top.resize(rows);
}

// What one owner rank learns from its sorted share of the records.
struct OwnerSummary {
    DedupSummary counts;
    std::vector<TopContent> top;
};

OwnerSummary count_sorted(std::vector<ContentRecord>& records, std::size_t top_rows) {
    std::sort(records.begin(), records.end(), [](const ContentRecord& a, const ContentRecord& b) {
        if (a.hash != b.hash) return a.hash < b.hash;
        if (a.layer_row != b.layer_row) return a.layer_row < b.layer_row;
        return a.file_index < b.file_index;
    });
    OwnerSummary out;
    auto& s = out.counts;
    for (std::size_t begin = 0; begin < records.size();) {
        std::size_t end = begin;
        int64_t layers = 0;
        for (; end < records.size() && records[end].hash == records[begin].hash; ++end)
            if (end == begin || records[end].layer_row != records[end - 1].layer_row) ++layers;
        const auto& first = records[begin];
        const auto copies = static_cast<int64_t>(end - begin);
        const auto type = static_cast<std::size_t>(first.type);
        s.file_count += copies;
        s.file_bytes += copies * first.size;
        s.unique_file_count += 1;
        s.unique_bytes += first.size;
        s.unique_files_by_type[type] += 1;
        s.unique_bytes_by_type[type] += first.size;
        s.contents_by_copies[copies] += 1;
        if (copies > 1 && first.size > 0)
            out.top.push_back({first.hash, first.size, copies, layers, first.type, first.layer_row,
                               first.file_index, {}});
        // Bound the candidate list while scanning: only the best top_rows can survive.
        if (out.top.size() >= 4 * top_rows + 64) keep_top(out.top, top_rows);
        begin = end;
    }
    keep_top(out.top, top_rows);
    return out;
}

std::vector<char> encode_summary(const OwnerSummary& owner) {
    ByteWriter out;
    const auto& s = owner.counts;
    out.put(s.file_count);
    out.put(s.file_bytes);
    out.put(s.unique_file_count);
    out.put(s.unique_bytes);
    out.put(s.unique_files_by_type);
    out.put(s.unique_bytes_by_type);
    out.put<uint64_t>(s.contents_by_copies.size());
    for (auto [k, n] : s.contents_by_copies) {
        out.put(k);
        out.put(n);
    }
    out.put<uint64_t>(owner.top.size());
    for (const auto& t : owner.top) {
        out.put(t.hash);
        out.put(t.size);
        out.put(t.copies);
        out.put(t.layers);
        out.put(t.type);
        out.put(t.first_layer_row);
        out.put(t.first_file_index);
    }
    return std::move(out.bytes());
}

void add_encoded_summary(const std::vector<char>& bytes, DedupSummary& total) {
    ByteReader in(bytes);
    total.file_count += in.get<int64_t>();
    total.file_bytes += in.get<int64_t>();
    total.unique_file_count += in.get<int64_t>();
    total.unique_bytes += in.get<int64_t>();
    auto files = in.get<std::array<int64_t, kFileTypeCount>>();
    auto bytes_by_type = in.get<std::array<int64_t, kFileTypeCount>>();
    for (std::size_t i = 0; i < kFileTypeCount; ++i) {
        total.unique_files_by_type[i] += files[i];
        total.unique_bytes_by_type[i] += bytes_by_type[i];
    }
    for (auto n = in.get<uint64_t>(); n > 0; --n) {
        auto k = in.get<int64_t>();
        total.contents_by_copies[k] += in.get<int64_t>();
    }
    for (auto n = in.get<uint64_t>(); n > 0; --n) {
        TopContent t;
        t.hash = in.get<ContentHash>();
        t.size = in.get<int64_t>();
        t.copies = in.get<int64_t>();
        t.layers = in.get<int64_t>();
        t.type = in.get<FileType>();
        t.first_layer_row = in.get<uint32_t>();
        t.first_file_index = in.get<uint32_t>();
        total.top.push_back(std::move(t));
    }
}

// Rank 0 knows which files are the examples; the ranks that analysed those layers know their paths.
void fill_example_paths(const mpi::Communicator& comm, DedupSummary& summary, const PathLookup& lookup_path) {
    ByteWriter wanted;
    if (comm.is_root()) {
        wanted.put<uint64_t>(summary.top.size());
        for (const auto& t : summary.top) {
            wanted.put(t.first_layer_row);
            wanted.put(t.first_file_index);
        }
    }
    auto request = comm.broadcast(std::move(wanted.bytes()));
    ByteReader in(request);
    ByteWriter answer;
    for (auto n = in.get<uint64_t>(), i = uint64_t{0}; i < n; ++i) {
        auto row = in.get<uint32_t>();
        auto index = in.get<uint32_t>();
        if (auto path = lookup_path(row, index)) {
            answer.put(i);
            answer.put_string(*path);
        }
    }
    auto answers = comm.gather(answer.bytes());
    for (const auto& part : answers) {
        ByteReader reply(part);
        while (!reply.done()) {
            auto i = reply.get<uint64_t>();
            summary.top[i].example_path = reply.get_string();
        }
    }
}

}  // namespace

DedupSummary reduce_duplicates(const mpi::Communicator& comm, std::vector<ContentRecord> local,
                               std::size_t top_rows, const PathLookup& lookup_path) {
    const auto ranks = static_cast<std::size_t>(comm.size());
    std::vector<std::vector<char>> outgoing(ranks);
    for (const auto& record : local) {
        auto& buffer = outgoing[record.hash.low % ranks];
        const auto* p = reinterpret_cast<const char*>(&record);
        buffer.insert(buffer.end(), p, p + sizeof(record));
    }
    local.clear();
    local.shrink_to_fit();
    auto incoming = comm.alltoall(outgoing);
    outgoing.clear();

    std::vector<ContentRecord> mine;
    for (const auto& part : incoming) {
        const auto n = part.size() / sizeof(ContentRecord);
        const auto old = mine.size();
        mine.resize(old + n);
        std::memcpy(static_cast<void*>(mine.data() + old), part.data(), n * sizeof(ContentRecord));
    }
    incoming.clear();

    auto owner = count_sorted(mine, top_rows);
    auto summaries = comm.gather(encode_summary(owner));
    DedupSummary total;
    for (const auto& part : summaries) add_encoded_summary(part, total);
    if (comm.is_root()) keep_top(total.top, top_rows);
    fill_example_paths(comm, total, lookup_path);
    return total;
}

std::string hash_hex(const ContentHash& hash) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text(32, '0');
    for (int i = 0; i < 16; ++i) {
        text[15 - i] = digits[(hash.high >> (4 * i)) & 15];
        text[31 - i] = digits[(hash.low >> (4 * i)) & 15];
    }
    return text;
}

}  // namespace regcensus
