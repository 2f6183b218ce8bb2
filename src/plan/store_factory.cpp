#include "regcensus/plan/store_factory.hpp"

#include "regcensus/mpi/failure_policy.hpp"
#include "regcensus/registry/oci_layout_store.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/storage/storage_store.hpp"

namespace regcensus {

StoreFactory::StoreFactory(const CensusOptions& options) : layout_(options.layout_dir), storage_(options.storage_dir) {
    registry_.url = canonical_registry_url(options.registry_url);
    registry_.tls_verify = options.tls_verify;
    registry_.retries = options.retries;
    registry_.auth_file = options.auth_file;
    registry_.max_requests_per_second = options.max_requests_per_second;
    registry_.stall_timeout_s = options.stall_timeout_s;
    registry_.min_transfer_rate = options.min_transfer_rate;
}

void StoreFactory::check_registry_once(const mpi::Communicator& comm) const {
    if (!layout_.empty() || !storage_.empty()) return;
    mpi::check_on_root(comm, [this] {
        std::lock_guard lock(mutex_);
        share_registry_state(registry_);
        check_registry(registry_);
    });
}

std::unique_ptr<ImageStore> StoreFactory::open() const {
    if (!layout_.empty()) return std::make_unique<OciLayoutStore>(layout_);
    if (!storage_.empty()) return std::make_unique<StorageStore>(storage_);
    std::lock_guard lock(mutex_);
    share_registry_state(registry_);
    return std::make_unique<RegistryClient>(registry_);
}

TransferCounts StoreFactory::counts() const {
    std::lock_guard lock(mutex_);
    return registry_.shared ? registry_.shared->engine()->counts() : TransferCounts{};
}

}  // namespace regcensus
