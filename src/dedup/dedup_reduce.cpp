#include "regcensus/dedup/dedup_reduce.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>

#include "regcensus/dedup/content_counter.hpp"
#include "regcensus/dedup/packed_record.hpp"
#include "regcensus/dedup/record_store.hpp"
#include "regcensus/mpi/pending_exchange.hpp"
#include "regcensus/util/binary_codec.hpp"

namespace regcensus {
namespace {

using dedup::PackedRecord;

constexpr std::size_t kRecordBytes = sizeof(PackedRecord);
// A round's batch buffers (two to send, one to receive) take a sixteenth of
// the budget each, and at most this many records (2 MB) each: larger batches
// only add resident memory, not speed (measured: with the pipelined exchange,
// 2^16 beat 2^17 and 2^15).
constexpr std::size_t kMaxBatchRecords = std::size_t{1} << 16;
// Records are pulled from the source in chunks of at most this many.
constexpr std::size_t kSourceChunk = 4096;

// How a rank's budget is split between its send and receive batches and its owner store.
struct BatchPlan {
    std::size_t per_destination = 1;  // records per destination rank per round
    std::size_t batch_records = 0;    // per_destination * ranks: the most one round sends, or receives
    static constexpr std::size_t kBuffers = 3;  // two send buffers (one packing, one travelling), one receive
    std::size_t store_bytes = 0;
};

BatchPlan plan_batches(std::size_t memory, std::size_t ranks) {
    BatchPlan plan;
    const auto batch = std::max(ranks, std::min(memory / 16 / kRecordBytes, kMaxBatchRecords));
    plan.per_destination = std::max<std::size_t>(batch / ranks, 1);
    plan.batch_records = plan.per_destination * ranks;
    const auto batch_bytes = BatchPlan::kBuffers * plan.batch_records * kRecordBytes;
    // The store must take one round's worst case: every rank sending a full region here.
    plan.store_bytes = std::max(memory > batch_bytes ? memory - batch_bytes : 0, plan.batch_records * kRecordBytes);
    return plan;
}

// Owner of a hash: the high 64 bits of low * ranks, a multiply instead of a
// division, uniform because the hash is. The sort keys on hash.high, so each
// owner's records still spread evenly over the radix buckets.
inline std::size_t owner_of(const ContentHash& hash, std::size_t ranks) {
    return static_cast<std::size_t>((static_cast<unsigned __int128>(hash.low) * ranks) >> 64);
}

// Streams every rank's records to their owners' stores, one bounded round at a
// time. Two send buffers: while one round's records travel (a PendingExchange,
// polled between chunks), the next round is packed into the other, so a rank
// that is a little late in one round does not make every other rank wait.
void exchange_records(const mpi::Communicator& comm, const RecordSource& source, const BatchPlan& plan,
                      dedup::RecordStore& store) {
    const auto ranks = static_cast<std::size_t>(comm.size());
    const auto me = static_cast<std::size_t>(comm.rank());
    const auto region = plan.per_destination;
    // The send buffers' own regions are never written (so never resident): the
    // records this rank owns itself go through `own`, a chunk-sized staging
    // area that stays in cache, straight into the store. Through a send
    // buffer and MPI they would be written and read back twice more (at -np 1,
    // every record).
    std::array<std::unique_ptr<PackedRecord[]>, 2> send;
    for (auto& buffer : send) buffer.reset(new PackedRecord[plan.batch_records]);
    std::unique_ptr<PackedRecord[]> received(new PackedRecord[plan.batch_records]);
    std::vector<ContentRecord> chunk(std::min(kSourceChunk, region));
    std::unique_ptr<PackedRecord[]> own(new PackedRecord[chunk.size()]);
    std::vector<uint64_t> filled(ranks), send_bytes(ranks), send_offsets(ranks);
    for (std::size_t r = 0; r < ranks; ++r) send_offsets[r] = r * region * kRecordBytes;

    std::optional<mpi::PendingExchange> in_flight;
    bool exhausted = false;
    for (std::size_t current = 0;; current ^= 1) {
        PackedRecord* const buffer = send[current].get();
        std::fill(filled.begin(), filled.end(), 0);
        std::size_t fullest = 0;
        // Pull chunks while any chunk, however it falls, still fits every region.
        while (!exhausted && fullest + chunk.size() <= region) {
            const auto n = std::min(source(chunk), chunk.size());
            if (n == 0) {
                exhausted = true;
                break;
            }
            for (std::size_t i = 0; i < n; ++i) {
                const auto to = owner_of(chunk[i].hash, ranks);
                PackedRecord* const slot = to == me ? own.get() : buffer + to * region;
                slot[filled[to]] = dedup::pack(chunk[i]);
                fullest = std::max<std::size_t>(fullest, ++filled[to]);
            }
            store.add({own.get(), filled[me]});
            filled[me] = 0;
            if (in_flight) in_flight->poll();
        }
        if (in_flight) {
            const auto outcome = in_flight->finish();
            store.add({received.get(), outcome.received_bytes / kRecordBytes});
            in_flight.reset();
            // Nobody had more after that round: the one just packed is empty on every rank.
            if (!outcome.more_anywhere) break;
        }
        for (std::size_t r = 0; r < ranks; ++r) send_bytes[r] = filled[r] * kRecordBytes;
        in_flight.emplace(comm, reinterpret_cast<const char*>(buffer), send_bytes, send_offsets,
                          reinterpret_cast<char*>(received.get()), !exhausted);
    }
}

std::vector<char> encode_summary(const DedupSummary& s) {
    ByteWriter out;
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
    out.put<uint64_t>(s.top.size());
    for (const auto& t : s.top) {
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

// The three per-layer vectors travel as one reduction to rank 0.
LayerSharingCounts sum_layer_counts(const mpi::Communicator& comm, const LayerSharingCounts& mine) {
    const auto n = mine.unique_file_count.size();
    std::vector<int64_t> flat;
    flat.reserve(3 * n);
    for (const auto* part : {&mine.unique_file_count, &mine.cross_layer_file_count, &mine.shared_files_count})
        flat.insert(flat.end(), part->begin(), part->end());
    auto total = comm.sum_on_root(flat);
    LayerSharingCounts out;
    if (!comm.is_root()) return out;
    auto slice = [&](std::size_t i) {
        return std::vector<int64_t>(total.begin() + static_cast<std::ptrdiff_t>(i * n),
                                    total.begin() + static_cast<std::ptrdiff_t>((i + 1) * n));
    };
    out.unique_file_count = slice(0);
    out.cross_layer_file_count = slice(1);
    out.shared_files_count = slice(2);
    return out;
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

std::filesystem::path dedup_spill_dir(const std::filesystem::path& work_dir, int rank) {
    return work_dir / "spill" / ("rank-" + std::to_string(rank));
}

DedupSummary reduce_duplicates(const mpi::Communicator& comm, const RecordSource& source,
                               const DedupOptions& options, const std::vector<int64_t>& sole_image_of_layer,
                               const PathLookup& lookup_path) {
    const auto plan = plan_batches(options.memory_per_rank, static_cast<std::size_t>(comm.size()));
    const auto spill_dir = options.spill_dir.empty()
                               ? dedup_spill_dir(std::filesystem::temp_directory_path() / "regcensus", comm.rank())
                               : options.spill_dir;
    dedup::ContentCounter counter(options.top_rows, options.layer_count, sole_image_of_layer);
    {
        // The exchange's batch buffers are gone when the store sorts: its scratch may take their place.
        dedup::RecordStore store(plan.store_bytes, spill_dir, BatchPlan::kBuffers * plan.batch_records * kRecordBytes);
        exchange_records(comm, source, plan, store);
        store.count_into(counter);
    }
    const auto mine = counter.finish();

    DedupSummary total;
    for (const auto& part : comm.gather(encode_summary(mine))) add_encoded_summary(part, total);
    if (comm.is_root()) {
        std::sort(total.top.begin(), total.top.end(), ranks_before);
        if (total.top.size() > options.top_rows) total.top.resize(options.top_rows);
    }
    total.per_layer = sum_layer_counts(comm, mine.per_layer);
    fill_example_paths(comm, total, lookup_path);
    return total;
}

DedupSummary reduce_duplicates(const mpi::Communicator& comm, std::vector<ContentRecord> local,
                               const DedupOptions& options, const std::vector<int64_t>& sole_image_of_layer,
                               const PathLookup& lookup_path) {
    std::size_t next = 0;
    RecordSource source = [&](std::span<ContentRecord> batch) -> std::size_t {
        const auto n = std::min(batch.size(), local.size() - next);
        std::copy_n(local.begin() + static_cast<std::ptrdiff_t>(next), n, batch.begin());
        next += n;
        if (n == 0) {  // all sent: give the memory back before the owners sort
            local.clear();
            local.shrink_to_fit();
            next = 0;
        }
        return n;
    };
    return reduce_duplicates(comm, source, options, sole_image_of_layer, lookup_path);
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
