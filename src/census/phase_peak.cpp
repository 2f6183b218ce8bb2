#include "regcensus/census/phase_peak.hpp"

#include <algorithm>

#include "regcensus/census/run_log.hpp"
#include "regcensus/util/binary_codec.hpp"
#include "regcensus/util/peak_memory.hpp"

namespace regcensus {
namespace {

// The innermost open phase of this process (phases start and end on the main thread).
PhasePeak* innermost = nullptr;

}  // namespace

PhasePeak::PhasePeak(std::string name, const mpi::Communicator& comm, const RunLog& log)
    : name_(std::move(name)), comm_(comm), log_(log), start_(std::chrono::steady_clock::now()), outer_(innermost) {
    // The reset below forgets the open phases' peaks so far: they keep them.
    const int64_t so_far = peak_resident_kib().value_or(0);
    for (PhasePeak* open = outer_; open; open = open->outer_) open->carried_kib_ = std::max(open->carried_kib_, so_far);
    reset_ = reset_peak_resident();
    innermost = this;
}

PhasePeak::~PhasePeak() {
    if (innermost == this) innermost = outer_;
}

void PhasePeak::end() {
    if (ended_) return;
    ended_ = true;
    if (innermost == this) innermost = outer_;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    ByteWriter mine;
    mine.put<int64_t>(std::max(carried_kib_, peak_resident_kib().value_or(0)));
    mine.put<uint8_t>(reset_ ? 1 : 0);
    const auto all = comm_.gather(mine.bytes());
    if (!comm_.is_root()) return;
    std::string peaks;
    bool since_start = false;
    for (const auto& part : all) {
        ByteReader in(part);
        const auto kib = in.get<int64_t>();
        since_start |= in.get<uint8_t>() == 0;
        if (!peaks.empty()) peaks += ", ";
        peaks += std::to_string((kib + 512) / 1024);
    }
    log_.root("phase %s: %.2f s, peak RSS per rank %s MiB%s", name_.c_str(), seconds, peaks.c_str(),
              since_start ? " (peak since start)" : "");
}

}  // namespace regcensus
