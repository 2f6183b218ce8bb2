// Runs the distributed duplicate index over a seeded record set under the
// rank count it was started with, for several memory budgets (roomy, and tiny
// enough to spill hundreds of runs) and both entry points, and checks every
// output on rank 0 against the naive reference. Exit status 0 when all agree.
// Run by ctest under `mpirun -np 1/2/3`.
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "dedup_reference.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/dedup/dedup_reduce.hpp"

using namespace regcensus;

namespace {

// Layers belong to rank layer_row % ranks, as analysed layers belong to the rank that analysed them.
std::vector<ContentRecord> my_records(const dedup_test::RecordSet& set, const mpi::Communicator& comm) {
    std::vector<ContentRecord> mine;
    for (const auto& r : set.records)
        if (static_cast<int>(r.layer_row % static_cast<uint32_t>(comm.size())) == comm.rank()) mine.push_back(r);
    return mine;
}

PathLookup lookup_for(const mpi::Communicator& comm) {
    return [&comm](uint32_t row, uint32_t index) -> std::optional<std::string> {
        if (static_cast<int>(row % static_cast<uint32_t>(comm.size())) != comm.rank()) return std::nullopt;
        return dedup_test::example_path(row, index);
    };
}

}  // namespace

int main(int argc, char** argv) {
    mpi::Session session(&argc, &argv);
    mpi::Communicator comm;
    const std::size_t top_rows = 40;
    const auto set = dedup_test::make_records(20190901, 97, 40000, 5000, 11);
    const auto want = comm.is_root() ? dedup_test::reference_summary(set, top_rows) : DedupSummary{};
    const auto spill_root = std::filesystem::temp_directory_path() /
                            ("regcensus-dedup-mpi-check-" + std::to_string(::getpid()));

    int failures = 0;
    auto check = [&](const std::string& name, const DedupSummary& got) {
        const auto diff = comm.is_root() ? dedup_test::compare_summaries(got, want) : std::string{};
        if (!diff.empty()) ++failures;
        if (comm.is_root())
            std::printf("%-40s np=%d %s%s\n", name.c_str(), comm.size(), diff.empty() ? "OK" : "FAIL: ",
                        diff.c_str());
    };

    for (std::size_t budget : {std::size_t{2} << 30, std::size_t{1} << 20, std::size_t{3000}}) {
        DedupOptions options;
        options.top_rows = top_rows;
        options.memory_per_rank = budget;
        options.layer_count = set.layer_count;
        options.spill_dir = dedup_spill_dir(spill_root, comm.rank());
        check("vector input, budget " + std::to_string(budget),
              reduce_duplicates(comm, my_records(set, comm), options, set.sole_image_of_layer, lookup_for(comm)));

        // A source that hands out ragged chunks, as shard files would.
        auto records = my_records(set, comm);
        std::size_t next = 0, call = 0;
        RecordSource source = [&](std::span<ContentRecord> batch) -> std::size_t {
            const auto n = std::min({batch.size(), records.size() - next, ++call % 7 * 97 + 1});
            std::copy_n(records.begin() + static_cast<std::ptrdiff_t>(next), n, batch.begin());
            next += n;
            return n;
        };
        check("streamed input, budget " + std::to_string(budget),
              reduce_duplicates(comm, source, options, set.sole_image_of_layer, lookup_for(comm)));
    }
    std::filesystem::remove_all(spill_root);  // each rank its own (the pid differs)
    return comm.max(failures) == 0 ? 0 : 1;
}
