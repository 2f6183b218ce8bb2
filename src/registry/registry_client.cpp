#include "regcensus/registry/registry_client.hpp"

#include <set>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/schema1.hpp"
#include "regcensus/registry/blob_stream.hpp"
#include "regcensus/registry/http_session.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/registry/registry_errors.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

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
    // registry's rate cap and reads its quota headers.
    std::shared_ptr<RegistryShared> shared = options.shared;
    policy.engine = shared->engine();
    policy.before_attempt = [shared] { shared->pacer().before_request(); };
    policy.after_attempt = [shared](const HttpResponse& response) {
        shared->pacer().after_response(response.header("ratelimit-limit"), response.header("ratelimit-remaining"));
    };
    return policy;
}

std::string pull_scope(const std::string& repository) { return "repository:" + repository + ":pull"; }
std::string push_scope(const std::string& repository) { return "repository:" + repository + ":pull,push"; }
constexpr std::string_view kCatalogScope = "registry:catalog:*";

void verify_digest(const std::string& actual, std::string_view expected, std::string_view source,
                   const std::string& request) {
    // Only sha256 is computed; a registry speaking another algorithm is not contradicted.
    if (expected.starts_with("sha256:") && expected != actual)
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
            if (response.status != 401 ||
                !shared->auth().handle_unauthorized(response.header("www-authenticate"), scope, authorization))
                break;
        }
        return response;
    }

    std::string url(const std::string& repository, std::string_view kind, std::string_view reference) const {
        return base + "/v2/" + repository + "/" + std::string(kind) + "/" + std::string(reference);
    }

    // Pages of a listing: GET url, collect `array_key`, follow Link rel="next".
    std::vector<std::string> listing(std::string url, std::string_view array_key, RegistryObject object,
                                     const std::string& scope) {
        std::vector<std::string> entries;
        std::set<std::string> visited;  // a cycle of pages ends the walk
        while (!url.empty() && visited.insert(url).second) {
            HttpRequest request;
            request.url = url;
            const HttpResponse response = send(request, scope, kMaxListingPageBytes);
            if (!response.ok()) throw registry_error(response, object, "GET " + url);
            ListingPage page = parse_listing_page(response, url, array_key);
            entries.insert(entries.end(), std::make_move_iterator(page.names.begin()),
                           std::make_move_iterator(page.names.end()));
            url = std::move(page.next_url);
        }
        return entries;
    }

    std::string base;
    std::shared_ptr<RegistryShared> shared;
    HttpSession session;
};

namespace {
RegistryOptions with_shared_state(RegistryOptions options) {
    share_registry_state(options);
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

QuotaSnapshot RegistryClient::quota() const { return options_.shared->pacer().quota(); }

RegistryClient::~RegistryClient() = default;

FetchedManifest RegistryClient::get_manifest(const std::string& repository, const std::string& reference) {
    HttpRequest request;
    request.url = connection_->url(repository, "manifests", reference);
    request.headers.push_back(manifest_accept_header());
    const std::string description = "GET " + request.url;
    const HttpResponse response = connection_->send(request, pull_scope(repository), options_.max_manifest_bytes);
    if (!response.ok()) throw registry_error(response, RegistryObject::manifest, description);

    FetchedManifest fetched;
    fetched.bytes = response.body;
    fetched.content_type = response.header("content-type");
    fetched.digest = manifest_digest(fetched.bytes, fetched.content_type);
    verify_digest(fetched.digest, response.header("docker-content-digest"), "Docker-Content-Digest", description);
    verify_digest(fetched.digest, reference, "the reference", description);
    return fetched;
}

std::string RegistryClient::get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) {
    HttpRequest request;
    request.url = connection_->url(repository, "blobs", digest);
    const std::string description = "GET " + request.url;
    HttpResponse response = connection_->send(request, pull_scope(repository), max_bytes);
    if (!response.ok()) throw registry_error(response, RegistryObject::blob, description);
    verify_digest(Sha256::digest_of(response.body), digest, "the requested digest", description);
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
    Sha256 hash;
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
    const std::string location = started.header("location");
    if (started.status != 202 || location.empty())
        throw registry_error(started, RegistryObject::other, "POST " + start.url);

    // Location may be relative and usually carries the upload state in its query already.
    std::string upload_url = resolve_url(start.url, location);
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

std::vector<std::string> RegistryClient::tags(const std::string& repository) {
    return connection_->listing(
        connection_->base + "/v2/" + repository + "/tags/list?n=" + std::to_string(options_.page_size), "tags",
        RegistryObject::manifest, pull_scope(repository));
}

}  // namespace regcensus
