#include "regcensus/registry/registry_shared.hpp"

#include "regcensus/registry/curl_handles.hpp"
#include "regcensus/registry/registry_client.hpp"

namespace regcensus {

namespace {

std::optional<RegistryCredential> credential_for(const RegistryOptions& options) {
    const auto auth_file = find_auth_file(options.auth_file);
    if (!auth_file) return std::nullopt;
    std::string host = url_origin(options.url);
    host = host.substr(host.find("://") + 3);
    return load_credential(*auth_file, host);
}

}  // namespace

HttpPolicy transport_policy(const RegistryOptions& options) {
    HttpPolicy policy;
    policy.tls_verify = options.tls_verify;
    policy.connect_timeout_s = options.connect_timeout_s;
    policy.retries = options.retries;
    policy.https_only = options.url.starts_with("https://");
    policy.log_retries = options.log_retries;
    return policy;
}

RegistryShared::RegistryShared(const RegistryOptions& options)
    : auth_(credential_for(options), transport_policy(options)),
      pacer_(options.max_requests_per_second, options.quota_reserve),
      engine_(std::make_shared<TransferEngine>()) {}

void share_registry_state(RegistryOptions& options) {
    if (!options.shared) options.shared = std::make_shared<RegistryShared>(options);
}

}  // namespace regcensus
