#pragma once
// Opens the image stores of a run: one per thread, all sharing one registry
// state (tokens, rate cap, and the transfer engine with its connection pool),
// made at the first open so that a run that never reaches the registry (a
// merge) never reads credentials.
#include <memory>
#include <mutex>
#include <string>

#include "regcensus/census/run_options.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/registry/image_store.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/transfer_engine.hpp"

namespace regcensus {

class StoreFactory {
public:
    explicit StoreFactory(const CensusOptions& options);
    // Collective: the root sends one GET /v2/ (none for a layout); when the URL
    // does not answer as a registry, every rank ends with that one line.
    void check_registry_once(const mpi::Communicator& comm) const;
    std::unique_ptr<ImageStore> open() const;
    // Requests and connections of this process so far (zero from a layout).
    TransferCounts counts() const;

private:
    std::string layout_;
    std::string storage_;
    mutable std::mutex mutex_;
    mutable RegistryOptions registry_;
};

}  // namespace regcensus
