#include "plan_progress.hpp"

#include <chrono>

#include "regcensus/util/log.hpp"

namespace regcensus {
namespace {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

PlanProgress::PlanProgress(const mpi::Communicator& comm, double every_seconds, int64_t total_images)
    : comm_(comm), sum_(comm, 2), every_(every_seconds), next_(every_seconds), total_(total_images),
      start_(now_seconds()) {}

double PlanProgress::seconds() const { return now_seconds() - start_; }

void PlanProgress::resolved(bool failed) {
    ++mine_[0];
    mine_[1] += failed;
    if (every_ > 0 && seconds() >= next_) {
        sum_.post(mine_);
        next_ = seconds() + every_;
    }
    while (auto totals = sum_.poll()) print(*totals);
}

void PlanProgress::finish() { sum_.finish(mine_); }

void PlanProgress::print(const std::vector<int64_t>& totals) const {
    if (!comm_.is_root()) return;
    const double elapsed = seconds();
    const double rate = elapsed > 0 ? double(totals[0]) / elapsed : 0;
    const double eta = rate > 0 ? double(total_ - totals[0]) / rate : -1;
    const double percent = total_ > 0 ? 100.0 * double(totals[0]) / double(total_) : 100.0;
    log_printf(LogLevel::info, "plan: images %lld/%lld (%.1f%%), %lld failed, %.1f images/s, ETA %.0fs",
               (long long)totals[0], (long long)total_, percent, (long long)totals[1], rate, eta);
}

}  // namespace regcensus
