#include "regcensus/registry/registry_client.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/schema1.hpp"
#include "regcensus/registry/blob_stream.hpp"
#include "regcensus/registry/http_session.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "registry_errors.hpp"
#include "regcensus/registry/repository_name.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/registry/registry_url.hpp"
#include "regcensus/registry/url_origin.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"
#include "regcensus/util/digest_hasher.hpp"

namespace regcensus {

namespace {

constexpr int64_t kMaxSmallResponseBytes = 1 << 20;

std::string manifest_accept_header() {
    // Every kind we can describe, so that the registry serves what it stores
    // instead of converting (schema 1 last: registries convert *to* it).
    return "Accept: " + std::string(media_type::oci_index) + ", " + std::string(media_type::docker_manifest_list) +
           ", " + std::string(media_type::oci_manifest) + ", " + std::string(media_type::docker_manifest_v2) + ", " +
           std::string(media_type::docker_manifest_v1_signed) + ", " +
           std::string(media_type::docker_manifest_v1);
}

std::string strip_trailing_slashes(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

HttpPolicy policy_of(const RegistryOptions& options) {
    HttpPolicy policy = transport_policy(options);
    // Every attempt, retries and stream resumes included, counts against the
    // registry's rate cap and reads its quota and pause headers. The pacer
    // pointer shares ownership of the whole shared state.
    const std::shared_ptr<RegistryShared>& shared = options.shared;
    policy.engine = shared->engine();
    return paced_policy(std::move(policy), std::shared_ptr<RequestPacer>(shared, &shared->pacer()));
}

std::string pull_scope(const std::string& repository) { return "repository:" + repository + ":pull"; }
std::string push_scope(const std::string& repository) { return "repository:" + repository + ":pull,push"; }
constexpr std::string_view kCatalogScope = "registry:catalog:*";

// `actual` was computed in the algorithm of `expected` (digest_hasher.hpp). A
// stated digest that is not a valid sha256 or sha512 digest is refused, not
// believed: "invalid_digest". Nothing stated (empty): nothing to check.
void verify_digest(const std::string& actual, std::string_view expected, std::string_view source,
                   const std::string& request) {
    if (expected.empty()) return;
    Digest::parse_or_throw(expected, request + ": " + std::string(source));
    if (expected != actual)
        throw DataError("digest_mismatch",
                        request + ": content is " + actual + " but " + std::string(source) + " says " +
                            std::string(expected));
}

}  // namespace

struct RegistryClient::Connection {
    explicit Connection(const RegistryOptions& options)
        : base(strip_trailing_slashes(options.url)), shared(options.shared), session(policy_of(options)) {}

    // Performs `request` authorized for `scope`: anonymous until the registry
    // asks (401), then Basic or a Bearer token, once more after a refused token.
    HttpResponse send(const HttpRequest& request, const std::string& scope, int64_t max_body_bytes) {
        HttpResponse response;
        for (int round = 0; round < 3; ++round) {
            HttpRequest authorized = request;
            const std::string authorization = shared->auth().authorization(scope);
            if (!authorization.empty()) authorized.headers.push_back(authorization);
            response = session.perform(authorized, max_body_bytes);
            if (challenged_by_another_origin(response, request.url))
                throw foreign_challenge_error(response, request.method + " " + request.url);
            if (response.status != 401 ||
                !shared->auth().handle_unauthorized(response.header("www-authenticate"), scope, authorization))
                break;
        }
        return response;
    }

    // A request URL is built only from validated parts: a repository name of the
    // distribution grammar, and a digest (blobs) or a tag or digest (manifests),
    // so nothing a registry or a list sent can reshape the path.
    std::string url(const std::string& repository, std::string_view kind, std::string_view reference) const {
        if (!is_repository_name(repository))
            throw DataError("invalid_reference", "not a repository name: '" + repository + "'");
        const bool is_digest = is_valid_digest(reference);
        if (!is_digest && (kind == "blobs" || !is_tag_name(reference)))
            throw DataError(kind == "blobs" ? "invalid_digest" : "invalid_reference",
                            "not a " + std::string(kind == "blobs" ? "digest" : "tag or digest") + ": '" +
                                std::string(reference) + "'");
        return base + "/v2/" + repository + "/" + std::string(kind) + "/" + std::string(reference);
    }

    // GET of one listing page authorized for `scope`, from this registry only.
    HttpResponse listing_response(const std::string& url, const std::string& scope) {
        if (!same_origin(url, base))
            throw DataError("other_origin", "GET " + url.substr(0, url.find('?')) +
                                                ": not on the registry's origin (" + registry_host_port(base) +
                                                "); not requested");
        HttpRequest request;
        request.url = url;
        HttpResponse response = send(request, scope, kMaxListingPageBytes);
        check_listing_origin(response, url, base);
        return response;
    }

    // Pages of a listing: GET url, collect `array_key` (each name once, in the
    // order listed), follow Link rel="next" as ListingWalk allows; a walk cut
    // short keeps the names found and says why on stderr.
    std::vector<std::string> listing(std::string url, std::string_view array_key, RegistryObject object,
                                     const std::string& scope) {
        std::vector<std::string> entries;
        std::set<std::string> seen;
        ListingWalk walk(base, "GET " + url.substr(0, url.find('?')));
        while (!url.empty()) {
            const HttpResponse response = listing_response(url, scope);
            if (!response.ok()) throw registry_error(response, object, "GET " + url);
            ListingPage page = parse_listing_page(response, url, array_key);
            std::vector<std::string> fresh;
            for (auto& name : page.names)
                if (seen.insert(name).second) fresh.push_back(std::move(name));
            fresh.resize(walk.names_to_keep(fresh.size()));
            entries.insert(entries.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
            url = walk.next_page(url, page, fresh.size());
        }
        if (walk.cut_short()) std::fprintf(stderr, "regcensus: warning: %s\n", walk.end_message().c_str());
        return entries;
    }

    std::string base;
    std::shared_ptr<RegistryShared> shared;
    HttpSession session;
};

namespace {
// The shared state takes the URL's credential (if any); from then on the URL
// is kept and used without it, so that no request, error or log carries it.
RegistryOptions with_shared_state(RegistryOptions options) {
    share_registry_state(options);
    options.url = redact_url(options.url);
    return options;
}
}  // namespace

std::string canonical_registry_url(const std::string& url) {
    for (std::string_view alias : {"https://docker.io", "https://index.docker.io"}) {
        if (strip_trailing_slashes(url) == alias) return "https://registry-1.docker.io";
    }
    return url;
}

bool is_docker_hub_url(const std::string& url) {
    return strip_trailing_slashes(canonical_registry_url(url)) == "https://registry-1.docker.io";
}

RegistryClient::RegistryClient(RegistryOptions options)
    : options_(with_shared_state(std::move(options))), connection_(std::make_unique<Connection>(options_)) {}

void check_registry(const RegistryOptions& options) {
    // Anonymous, on its own session, without the shared state (no credential
    // is read for it): the answer to GET /v2/ is what tells a registry (200,
    // or 401 with a challenge) from anything else.
    HttpPolicy policy = transport_policy(options);
    // On the registry's connection pool when there is one: the connection stays for the census.
    if (options.shared) policy.engine = options.shared->engine();
    policy.retry_refused_connections = false;
    policy.log_retries = false;
    // One more chance for a timeout or a 5xx, not a long wait before saying why nothing works.
    policy.retries = std::min(policy.retries, 1);
    HttpSession session(policy);
    const std::string url = strip_trailing_slashes(redact_url(options.url));
    HttpRequest request;
    request.url = url + "/v2/";
    const std::string failed = url + " does not answer as a container registry (GET /v2/: ";
    HttpResponse response;
    try {
        response = session.perform(request, kMaxSmallResponseBytes);
    } catch (const DataError& error) {
        if (error.status() == "interrupted") throw;
        std::string cause = error.what();
        // The error names the request; the line names it once already.
        if (const size_t colon = cause.find(": "); colon != std::string::npos) cause = cause.substr(colon + 2);
        throw RegistryCheckError(failed + cause + ")");
    }
    // A 200 is a registry when it says so (Docker-Distribution-API-Version) or
    // answers with a JSON object, as the distribution spec's registries do; a
    // web server's page at /v2/ is not one.
    const std::string api_version = response.header("docker-distribution-api-version");
    const size_t first = response.body.find_first_not_of(" \t\r\n");
    const bool json_object = first != std::string::npos && response.body[first] == '{';
    if (response.status == 200 && !api_version.starts_with("registry/2") && !json_object)
        throw RegistryCheckError(failed + "HTTP 200 without Docker-Distribution-API-Version and not JSON)");
    const bool registry = response.status == 200 ||
                          (response.status == 401 && !response.header("www-authenticate").empty());
    if (!registry)
        throw RegistryCheckError(failed + "HTTP " + std::to_string(response.status) +
                                 (response.status == 401 ? " without WWW-Authenticate)" : ")"));
}

QuotaSnapshot RegistryClient::quota() const { return options_.shared->pacer().quota(); }

RegistryClient::~RegistryClient() = default;

FetchedManifest RegistryClient::get_manifest(const std::string& repository, const std::string& reference) {
    // A digest reference names a request URL: only a valid one is sent.
    const bool by_digest = reference.find(':') != std::string::npos;
    if (by_digest) Digest::parse_or_throw(reference, "manifest of " + repository);
    HttpRequest request;
    request.url = connection_->url(repository, "manifests", reference);
    request.headers.push_back(manifest_accept_header());
    const std::string description = "GET " + request.url;
    const HttpResponse response = connection_->send(request, pull_scope(repository), options_.max_manifest_bytes);
    if (!response.ok()) throw registry_error(response, RegistryObject::manifest, description);

    FetchedManifest fetched;
    fetched.bytes = response.body;
    fetched.content_type = response.header("content-type");
    // In the algorithm a digest names (sha256 for a tag); the header is checked in its own.
    const auto digest_like = [&](std::string_view digest) {
        const auto parsed = Digest::parse(digest);
        return manifest_digest(fetched.bytes, fetched.content_type,
                               parsed ? parsed->algorithm() : DigestAlgorithm::sha256);
    };
    fetched.digest = digest_like(by_digest ? std::string_view(reference) : std::string_view());
    const std::string stated = response.header("docker-content-digest");
    verify_digest(digest_like(stated), stated, "Docker-Content-Digest", description);
    if (by_digest) verify_digest(fetched.digest, reference, "the reference", description);
    return fetched;
}

std::string RegistryClient::get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) {
    HttpRequest request;
    request.url = connection_->url(repository, "blobs", digest);
    const std::string description = "GET " + request.url;
    HttpResponse response = connection_->send(request, pull_scope(repository), max_bytes);
    if (!response.ok()) throw registry_error(response, RegistryObject::blob, description);
    verify_digest(digest_in_algorithm_of(digest, response.body), digest, "the requested digest", description);
    return std::move(response.body);
}

std::unique_ptr<ByteSource> RegistryClient::open_blob(const std::string& repository, const std::string& digest) {
    return open_blob(repository, digest, -1);
}

std::unique_ptr<ByteSource> RegistryClient::open_blob(const std::string& repository, const std::string& digest,
                                                      int64_t expected_size) {
    HttpRequest request;
    request.url = connection_->url(repository, "blobs", digest);
    std::string description = request.url;
    return std::make_unique<BlobStream>(connection_->session.policy(), std::move(request), std::move(description),
                                        options_.shared, pull_scope(repository), expected_size);
}

int64_t RegistryClient::download_blob(const std::string& repository, const std::string& digest,
                                      int64_t expected_size,
                                      const std::function<bool(std::span<const std::byte>)>& sink) {
    // Through a stream, so that hashing and the sink run on the calling thread:
    // the engine's thread only moves bytes, and a slow disk holds back this
    // transfer alone. The stream checks the size and resumes broken transfers.
    const std::string description = "GET " + connection_->url(repository, "blobs", digest);
    const auto stream = open_blob(repository, digest, expected_size);
    DigestHasher hash = hasher_for(digest);
    int64_t received = 0;
    for (auto chunk = stream->next(); !chunk.empty(); chunk = stream->next()) {
        hash.update(chunk);
        received += int64_t(chunk.size());
        if (!sink(chunk)) throw DataError("aborted", description + ": the receiver stopped the transfer");
    }
    verify_digest(hash.finish_digest(), digest, "the requested digest", description);
    return received;
}

bool RegistryClient::has_blob(const std::string& repository, const std::string& digest) {
    HttpRequest request;
    request.method = "HEAD";
    request.url = connection_->url(repository, "blobs", digest);
    const HttpResponse response = connection_->send(request, push_scope(repository), kMaxSmallResponseBytes);
    if (response.ok()) return true;
    if (response.status == 404) return false;
    throw registry_error(response, RegistryObject::blob, "HEAD " + request.url);
}

void RegistryClient::push_blob(const std::string& repository, const std::string& digest,
                               std::span<const std::byte> bytes) {
    if (has_blob(repository, digest)) return;

    HttpRequest start;
    start.method = "POST";
    start.url = connection_->base + "/v2/" + repository + "/blobs/uploads/";
    const HttpResponse started = connection_->send(start, push_scope(repository), kMaxSmallResponseBytes);
    finish_upload(start.url, started, repository, digest, bytes);
}

BlobPush RegistryClient::mount_or_push_blob(const std::string& repository, const std::string& digest,
                                            const std::string& from_repository,
                                            const std::function<std::string()>& read_bytes) {
    HttpRequest start;
    start.method = "POST";
    start.url = connection_->base + "/v2/" + repository + "/blobs/uploads/?mount=" + url_escape(digest) +
                "&from=" + url_escape(from_repository);
    // A token registry wants pull on the source as well and names it in its
    // challenge, which RegistryAuth adds to the token request (extra scope).
    const HttpResponse started = connection_->send(start, push_scope(repository), kMaxSmallResponseBytes);
    if (started.status == 201) return BlobPush::mounted;
    // 202: no mount (not allowed, or unknown there); the registry opened an
    // ordinary upload session instead, which takes the bytes.
    const std::string bytes = read_bytes();
    finish_upload(start.url, started, repository, digest, std::as_bytes(std::span(bytes.data(), bytes.size())));
    return BlobPush::uploaded;
}

void RegistryClient::finish_upload(const std::string& start_url, const HttpResponse& started,
                                   const std::string& repository, const std::string& digest,
                                   std::span<const std::byte> bytes) {
    const std::string location = started.header("location");
    if (started.status != 202 || location.empty())
        throw registry_error(started, RegistryObject::other, "POST " + start_url);

    // Location may be relative and usually carries the upload state in its query already.
    std::string upload_url = resolve_url(start_url, location);
    upload_url += (upload_url.find('?') == std::string::npos ? "?digest=" : "&digest=") + url_escape(digest);

    HttpRequest put;
    put.method = "PUT";
    put.url = upload_url;
    put.headers.push_back("Content-Type: application/octet-stream");
    put.body = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const HttpResponse finished = connection_->send(put, push_scope(repository), kMaxSmallResponseBytes);
    // The upload URL holds the registry's upload state; it is no secret but it is noise.
    const std::string description = "PUT blob " + digest + " to " + repository;
    if (finished.status == 400) {
        for (const auto& entry : parse_registry_errors(finished.body))
            if (entry.code == "DIGEST_INVALID")
                throw DataError("digest_mismatch", description + ": registry says " + entry.message);
    }
    if (finished.status != 201 && !finished.ok()) throw registry_error(finished, RegistryObject::blob, description);
}

std::string RegistryClient::push_manifest(const std::string& repository, const std::string& reference,
                                          const std::string& media_type, std::string_view bytes) {
    HttpRequest request;
    request.method = "PUT";
    request.url = connection_->url(repository, "manifests", reference);
    request.headers.push_back("Content-Type: " + media_type);
    request.body = bytes;
    const HttpResponse response = connection_->send(request, push_scope(repository), kMaxSmallResponseBytes);
    if (!response.ok()) throw registry_error(response, RegistryObject::manifest, "PUT " + request.url);
    std::string digest = response.header("docker-content-digest");
    return digest.empty() ? manifest_digest(bytes, media_type) : digest;
}

void RegistryClient::delete_blob(const std::string& repository, const std::string& digest) {
    HttpRequest request;
    request.method = "DELETE";
    request.url = connection_->url(repository, "blobs", digest);
    const HttpResponse response =
        connection_->send(request, "repository:" + repository + ":delete", kMaxSmallResponseBytes);
    if (!response.ok()) throw registry_error(response, RegistryObject::blob, "DELETE " + request.url);
}

std::vector<std::string> RegistryClient::catalog() {
    return connection_->listing(connection_->base + "/v2/_catalog?n=" + std::to_string(options_.page_size),
                                "repositories", RegistryObject::other, std::string(kCatalogScope));
}

std::optional<ListingPage> RegistryClient::listing_page(const std::string& url, const std::string& repository) {
    if (!repository.empty() && !is_repository_name(repository))
        throw DataError("invalid_reference", "not a repository name: '" + repository + "'");
    const std::string scope = repository.empty() ? std::string(kCatalogScope) : pull_scope(repository);
    const HttpResponse response = connection_->listing_response(url, scope);
    if (response.status == 404) return std::nullopt;
    if (!response.ok())
        throw registry_error(response, repository.empty() ? RegistryObject::other : RegistryObject::manifest,
                             "GET " + url);
    return parse_listing_page(response, url, repository.empty() ? "repositories" : "tags");
}

std::vector<std::string> RegistryClient::tags(const std::string& repository) {
    return connection_->listing(
        connection_->base + "/v2/" + repository + "/tags/list?n=" + std::to_string(options_.page_size), "tags",
        RegistryObject::manifest, pull_scope(repository));
}

}  // namespace regcensus
