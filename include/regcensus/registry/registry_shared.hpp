#pragma once
// What all the clients of one registry in a process share, whatever thread
// they run on: the authentication state (credential, cached tokens), the
// politeness state (request rate cap, announced quota) and the transfer engine
// (one pool of keep-alive connections). Thread-safe; held by std::shared_ptr
// in RegistryOptions, so copies of the options share it.
#include <memory>

#include "regcensus/registry/registry_auth.hpp"
#include "regcensus/registry/request_pacer.hpp"
#include "regcensus/registry/transfer_engine.hpp"

namespace regcensus {

struct RegistryOptions;

class RegistryShared {
public:
    // Finds and reads the credential for the registry of `options.url` (see
    // find_auth_file / load_credential); throws std::runtime_error when an
    // explicit auth file is missing or an auth file is malformed.
    explicit RegistryShared(const RegistryOptions& options);

    RegistryAuth& auth() { return auth_; }
    RequestPacer& pacer() { return pacer_; }
    const std::shared_ptr<TransferEngine>& engine() const { return engine_; }

private:
    RegistryAuth auth_;
    RequestPacer pacer_;
    std::shared_ptr<TransferEngine> engine_;
};

// The transport policy that the options ask for (TLS, timeouts, retries, https
// only), before any pacing: what token requests use, and what registry
// requests build on.
HttpPolicy transport_policy(const RegistryOptions& options);

// Gives `options` a shared state if it has none yet; call once before copying
// the options to clients on several threads.
void share_registry_state(RegistryOptions& options);

}  // namespace regcensus
