#include "regcensus/registry/registry_auth.hpp"

#include <simdjson.h>

#include <algorithm>

#include "regcensus/registry/auth_challenge.hpp"
#include "regcensus/util/base64.hpp"
#include "regcensus/registry/curl_handles.hpp"
#include "regcensus/registry/http_header_values.hpp"
#include "regcensus/registry/url_origin.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

namespace {

constexpr int64_t kMaxTokenResponseBytes = 1 << 20;
constexpr int64_t kDefaultTokenLifetimeS = 60;  // the token spec's default when expires_in is absent
// A registry's expires_in is believed within these bounds: below, every request
// would fetch a token; above, a revoked token would be used for too long (and
// 2^63 seconds would overflow the clock).
constexpr int64_t kMinTokenLifetimeS = 1;
constexpr int64_t kMaxTokenLifetimeS = 24 * 3600;

std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

// "repository:team/app:pull,push" covers "repository:team/app:pull": same resource, actions a subset.
bool scope_covers(const std::string& ours, const std::string& wanted) {
    const size_t ours_cut = ours.rfind(':'), wanted_cut = wanted.rfind(':');
    if (ours_cut == std::string::npos || wanted_cut == std::string::npos) return ours == wanted;
    if (ours.substr(0, ours_cut) != wanted.substr(0, wanted_cut)) return false;
    const std::string actions = "," + ours.substr(ours_cut + 1) + ",";
    std::string_view rest = std::string_view(wanted).substr(wanted_cut + 1);
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string action(rest.substr(0, comma));
        if (actions.find("," + action + ",") == std::string::npos && actions != ",*,") return false;
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    return true;
}

// A bearer token is printable ASCII without spaces (RFC 6750 token68, and the
// JWTs registries issue): anything else is not something to send as a header.
bool is_plausible_token(std::string_view token) {
    return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

void refuse_unsafe_credential(const std::optional<RegistryCredential>& credential) {
    if (credential && !(is_safe_header_value(credential->username) && is_safe_header_value(credential->password) &&
                        is_safe_header_value(credential->identity_token)))
        throw DataError("unauthorized", "the registry credential contains control characters; it is not sent");
}

}  // namespace

bool challenged_by_another_origin(const HttpResponse& response, std::string_view request_url) {
    return response.status == 401 && !response.effective_url.empty() &&
           !same_origin(response.effective_url, request_url);
}

DataError foreign_challenge_error(const HttpResponse& response, std::string_view description) {
    const auto origin = url_origin(response.effective_url);
    return DataError("unauthorized", std::string(description) + ": redirected to " +
                                         (origin ? origin->str() : std::string("another host")) +
                                         ", which answered HTTP 401; no credentials are sent to a redirect target");
}

RegistryAuth::RegistryAuth(std::optional<RegistryCredential> credential, HttpPolicy token_policy)
    : credential_(credential && !credential->empty() ? std::move(credential) : std::nullopt),
      token_policy_(token_policy) {}

std::string RegistryAuth::authorization(const std::string& scope) {
    std::lock_guard lock(mutex_);
    switch (scheme_) {
        case Scheme::unknown: return {};
        case Scheme::basic:
            if (!credential_ || credential_->username.empty()) return {};
            refuse_unsafe_credential(credential_);
            return "Authorization: Basic " + base64_encode(credential_->username + ":" + credential_->password);
        case Scheme::bearer: break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (auto cached = tokens_.find(scope); cached != tokens_.end() && now < cached->second.refresh_at)
        return "Authorization: Bearer " + cached->second.token;
    return "Authorization: Bearer " + fetch_token_locked(scope);
}

bool RegistryAuth::handle_unauthorized(const std::string& www_authenticate, const std::string& scope,
                                       const std::string& sent) {
    const auto challenges = parse_www_authenticate(www_authenticate);
    auto bearer = std::find_if(challenges.begin(), challenges.end(), [](auto& c) { return c.scheme == "bearer"; });
    auto basic = std::find_if(challenges.begin(), challenges.end(), [](auto& c) { return c.scheme == "basic"; });
    std::lock_guard lock(mutex_);
    // A realm that is not an http(s) URL (file:, ftp:, a bare word) is no place to send a credential.
    if (bearer != challenges.end() && url_origin(bearer->param("realm"))) {
        scheme_ = Scheme::bearer;
        realm_ = bearer->param("realm");
        service_ = bearer->param("service");
        const std::string wanted = bearer->param("scope");
        if (!wanted.empty() && !scope_covers(scope, wanted)) extra_scope_[scope] = wanted;
        // A token that was refused (expired early, revoked, too narrow) is not used again.
        tokens_.erase(scope);
        return true;
    }
    if (basic != challenges.end()) {
        scheme_ = Scheme::basic;
        // Credentials refused once are refused again: no point repeating.
        return credential_ && !credential_->username.empty() && sent.empty();
    }
    return false;
}

std::string RegistryAuth::fetch_token_locked(const std::string& scope) {
    refuse_unsafe_credential(credential_);
    if (token_policy_.https_only && !realm_.starts_with("https://"))
        throw DataError("unauthorized", "the token realm " + without_query(realm_) +
                                            " is not https while the registry is; no credentials sent there");
    std::string url = realm_ + (realm_.find('?') == std::string::npos ? "?" : "&");
    url += "service=" + url_escape(service_) + "&scope=" + url_escape(scope);
    if (auto extra = extra_scope_.find(scope); extra != extra_scope_.end())
        url += "&scope=" + url_escape(extra->second);

    HttpRequest request;
    std::string form;
    if (credential_ && !credential_->identity_token.empty()) {
        // docker login's identity token is an OAuth2 refresh token: exchanged by POST.
        request.method = "POST";
        request.url = realm_;
        form = "grant_type=refresh_token&client_id=regcensus&service=" + url_escape(service_) +
               "&scope=" + url_escape(scope) + "&refresh_token=" + url_escape(credential_->identity_token);
        if (auto extra = extra_scope_.find(scope); extra != extra_scope_.end())
            form += "&scope=" + url_escape(extra->second);
        request.body = form;
        request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    } else {
        request.url = url;
        if (credential_ && !credential_->username.empty())
            request.headers.push_back("Authorization: Basic " +
                                      base64_encode(credential_->username + ":" + credential_->password));
    }
    HttpSession session(token_policy_);
    const HttpResponse response = session.perform(request, kMaxTokenResponseBytes);
    const std::string description = "token request to " + without_query(realm_) + " for " + scope;
    if (!response.ok())
        throw DataError(response.status == 429 ? "rate_limited" : "unauthorized",
                        description + ": HTTP " + std::to_string(response.status));

    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (parser.parse(simdjson::padded_string(response.body)).get(document) != simdjson::SUCCESS)
        throw DataError("unauthorized", description + ": the answer is not JSON");
    std::string_view token;
    if (document["token"].get_string().get(token) != simdjson::SUCCESS || token.empty())
        if (document["access_token"].get_string().get(token) != simdjson::SUCCESS || token.empty())
            throw DataError("unauthorized", description + ": the answer has no token");
    // The message never quotes the token: it is a secret even when malformed.
    if (!is_plausible_token(token))
        throw DataError("unauthorized", description + ": the token contains spaces or control characters; not used");
    int64_t lifetime_s = kDefaultTokenLifetimeS;
    if (double expires_in = 0; document["expires_in"].get_double().get(expires_in) == simdjson::SUCCESS &&
                               expires_in > 0)
        lifetime_s = int64_t(std::clamp<double>(expires_in, kMinTokenLifetimeS, kMaxTokenLifetimeS));
    // Renew a little early (a tenth of the lifetime, at most 10 s) so that no
    // request goes out with a token about to expire in flight.
    const auto lifetime = std::chrono::milliseconds(lifetime_s * 1000);
    const auto margin = std::min<std::chrono::milliseconds>(lifetime / 10, std::chrono::seconds(10));
    tokens_[scope] = {std::string(token), std::chrono::steady_clock::now() + lifetime - margin};
    ++tokens_fetched_;
    return std::string(token);
}

}  // namespace regcensus
