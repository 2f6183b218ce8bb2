#pragma once
// Authentication to one registry, shared by all its clients (one per worker
// thread): Basic, or the Bearer token flow of the distribution token spec
// (a 401 names the realm, service and scope; a token is fetched from the realm
// and cached per scope until shortly before `expires_in` runs out).
// Thread-safe. Secrets stay inside: nothing here logs them, and error messages
// name realms and scopes only.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "regcensus/registry/credentials.hpp"
#include "regcensus/registry/http_session.hpp"

namespace regcensus {

class DataError;

// True when `response` is a 401 that came from another origin than the
// request's (a redirect target: storage, a CDN). Such a challenge gets no say
// in authentication: its realm is never contacted and no credential goes there.
bool challenged_by_another_origin(const HttpResponse& response, std::string_view request_url);
// The row error for it: status "unauthorized", naming the redirect target's origin.
DataError foreign_challenge_error(const HttpResponse& response, std::string_view description);

class RegistryAuth {
public:
    // `credential` may be empty (anonymous; tokens are still fetched anonymously
    // when the registry wants them). `token_policy` is the transport policy of
    // token requests.
    RegistryAuth(std::optional<RegistryCredential> credential, HttpPolicy token_policy);

    // The "Authorization: ..." header line for a request that needs `scope`
    // (e.g. "repository:library/debian:pull"), "" for an anonymous request.
    // May fetch a token; throws DataError("unauthorized") when the realm refuses.
    std::string authorization(const std::string& scope);

    // Learns from a 401 response's WWW-Authenticate header (only ever from
    // the registry's own origin: see challenged_by_another_origin). A Bearer
    // realm must be an http(s) URL, and https when the registry is. `sent` is the line
    // authorization() gave for that request. True when repeating the request
    // (with a fresh authorization()) may succeed.
    bool handle_unauthorized(const std::string& www_authenticate, const std::string& scope, const std::string& sent);

    int64_t tokens_fetched() const { return tokens_fetched_.load(); }

private:
    struct CachedToken {
        std::string token;
        std::chrono::steady_clock::time_point refresh_at;
    };
    enum class Scheme { unknown, basic, bearer };

    std::string fetch_token_locked(const std::string& scope);

    const std::optional<RegistryCredential> credential_;
    const HttpPolicy token_policy_;
    std::mutex mutex_;  // held while a token is fetched, so concurrent threads fetch it once
    Scheme scheme_ = Scheme::unknown;
    std::string realm_;
    std::string service_;
    std::map<std::string, std::string> extra_scope_;  // our scope -> the one an insufficient_scope challenge named
    std::map<std::string, CachedToken> tokens_;       // by scope
    std::atomic<int64_t> tokens_fetched_{0};
};

}  // namespace regcensus
