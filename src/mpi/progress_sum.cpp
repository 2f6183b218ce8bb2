#include "regcensus/mpi/progress_sum.hpp"

namespace regcensus::mpi {

ProgressSum::~ProgressSum() {
    for (auto& p : pending_)
        if (p.request != MPI_REQUEST_NULL) MPI_Request_free(&p.request);
}

void ProgressSum::post(const std::vector<int64_t>& local) {
    auto& p = pending_.emplace_back();
    p.send = local;
    p.send.resize(width_, 0);
    p.receive.assign(width_, 0);
    MPI_Iallreduce(p.send.data(), p.receive.data(), static_cast<int>(width_), MPI_INT64_T, MPI_SUM, comm_.native(),
                   &p.request);
    ++posted_;
}

std::optional<std::vector<int64_t>> ProgressSum::poll() {
    if (pending_.empty()) return std::nullopt;
    int done = 0;
    MPI_Test(&pending_.front().request, &done, MPI_STATUS_IGNORE);
    if (!done) return std::nullopt;
    auto result = std::move(pending_.front().receive);
    pending_.pop_front();
    return result;
}

void ProgressSum::finish(const std::vector<int64_t>& local) {
    const auto everyone = comm_.max(posted_);
    while (posted_ < everyone) post(local);
    for (auto& p : pending_) MPI_Wait(&p.request, MPI_STATUS_IGNORE);
    pending_.clear();
}

}  // namespace regcensus::mpi
