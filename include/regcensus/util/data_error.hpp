#pragma once
// A data error is a *result*, not a failure of the program: a corrupt layer, a
// missing manifest or a digest mismatch ends up as a status and message on its
// row while the run goes on. Program errors (bad options, I/O on the work
// directory, MPI) stay ordinary exceptions and stop the run.
#include <stdexcept>
#include <string>

namespace regcensus {

class DataError : public std::runtime_error {
public:
    // `status` is a short machine-readable kind, e.g. "manifest_unknown",
    // "digest_mismatch", "corrupt", "truncated", "too_large", "network".
    DataError(std::string status, const std::string& message)
        : std::runtime_error(message), status_(std::move(status)) {}
    const std::string& status() const noexcept { return status_; }

private:
    std::string status_;
};

}  // namespace regcensus
