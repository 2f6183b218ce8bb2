#pragma once
// What all the clients of one registry in a process share, whatever thread
// they run on: the authentication state (credential, cached tokens) and the
// politeness state (request rate cap, announced quota). Thread-safe; held by
// std::shared_ptr in RegistryOptions, so copies of the options share it.
#include <memory>

#include "regcensus/registry/registry_auth.hpp"
#include "regcensus/registry/request_pacer.hpp"

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

private:
    RegistryAuth auth_;
    RequestPacer pacer_;
};

// Gives `options` a shared state if it has none yet; call once before copying
// the options to clients on several threads.
// The transport policy that the options ask for (TLS, timeouts, retries, https
// only), before any pacing: what token requests use, and what registry
// requests build on.
HttpPolicy transport_policy(const RegistryOptions& options);

void share_registry_state(RegistryOptions& options);

}  // namespace regcensus
