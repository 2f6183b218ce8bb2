#include "regcensus/registry/registry_shared.hpp"

#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_url.hpp"

namespace regcensus {

namespace {

// "host[:port]" as written in the URL: the key docker config.json files use.
std::string authority_of(const std::string& url) {
    const size_t scheme_end = url.find("://");
    const size_t start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    return url.substr(start, url.find_first_of("/?#", start) - start);
}

// A credential in the URL (`http://user:pass@host`) is the one the user gave
// for this very command, so it wins over any auth file, which is then not read.
std::optional<RegistryCredential> credential_for(const RegistryOptions& options) {
    SplitRegistryUrl split = split_registry_url(options.url);
    if (split.credential) return std::move(split.credential);
    const auto auth_file = find_auth_file(options.auth_file);
    if (!auth_file) return std::nullopt;
    return load_credential(*auth_file, authority_of(split.url));
}

}  // namespace

HttpPolicy transport_policy(const RegistryOptions& options) {
    HttpPolicy policy;
    policy.tls_verify = options.tls_verify;
    policy.connect_timeout_s = options.connect_timeout_s;
    policy.retries = options.retries;
    policy.https_only = options.url.starts_with("https://");
    policy.log_retries = options.log_retries;
    policy.stall_timeout_s = options.stall_timeout_s;
    policy.min_transfer_rate = options.min_transfer_rate;
    policy.rate_limited_retries = options.rate_limited_retries;
    policy.max_pause = std::chrono::seconds(options.max_pause_s);
    return policy;
}

RegistryShared::RegistryShared(const RegistryOptions& options)
    : auth_(credential_for(options), transport_policy(options)),
      pacer_(options.max_requests_per_second, options.quota_reserve, std::chrono::seconds(options.max_pause_s)),
      engine_(std::make_shared<TransferEngine>()) {}

void share_registry_state(RegistryOptions& options) {
    if (!options.shared) options.shared = std::make_shared<RegistryShared>(options);
}

}  // namespace regcensus
