#pragma once
// A client of the Registry HTTP API v2 (the OCI distribution spec) on libcurl.
// Pull: original manifests (the full Accept list, nothing converted), configs,
// blobs streamed and digest-verified. Push: monolithic blob uploads and
// manifests, which the corpus generator and the tests use.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "regcensus/registry/image_store.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/registry/request_pacer.hpp"
#include "regcensus/util/byte_source.hpp"

namespace regcensus {

class RegistryShared;
struct HttpResponse;

// How push put a blob into a repository.
enum class BlobPush { uploaded, mounted };

struct RegistryOptions {
    // "http://127.0.0.1:5000" or "https://registry.example.org". A userinfo
    // part (`http://user:pass@host`) is the credential, ahead of any auth file;
    // the client uses and reports the URL without it.
    std::string url;
    bool tls_verify = true;    // never off unless the user says so
    int retries = 3;           // retries of connection errors, 408 and 5xx (with backoff)
    // Retries of 429s (-1: as many as `retries`); a 429 that says when to ask
    // again is retried then, and that pause holds back every client sharing
    // `shared`, as does a spent X-RateLimit-Remaining until X-RateLimit-Reset.
    // A server's pause longer than max_pause_s is cut to it.
    int rate_limited_retries = -1;
    int64_t max_pause_s = 60;
    long connect_timeout_s = 30;
    // Every transfer ends when no byte arrived for stall_timeout_s (time the
    // transfer is paused because its consumer lags does not count), or when
    // it has not finished after stall_timeout_s + size / min_transfer_rate
    // seconds (size: the announced length, else the body limit, else what
    // arrived so far). Both count as network errors (retried).
    double stall_timeout_s = 60;
    double min_transfer_rate = 64 << 10;  // bytes per second
    int64_t max_manifest_bytes = 4 << 20;
    int page_size = 1000;      // `n` of catalog and tags requests (tests make it small to force pages)
    // docker config.json with the credentials; empty: $REGISTRY_AUTH_FILE, then
    // $DOCKER_CONFIG/config.json, then ~/.docker/config.json, else anonymous.
    std::string auth_file;
    double max_requests_per_second = 0;  // per registry over all clients sharing `shared`; <= 0: no cap
    int64_t quota_reserve = 1;  // stop (status rate_limited) when the announced ratelimit-remaining reaches this
    bool log_retries = true;    // one stderr line per retry, with its cause
    // Token cache, credential, rate cap and quota: shared by every client made
    // from copies of these options. Created by the first RegistryClient when
    // null; call share_registry_state(options) before handing copies to threads.
    std::shared_ptr<RegistryShared> shared;
};

// Docker Hub's API answers at registry-1.docker.io only: "https://docker.io" and
// "https://index.docker.io" are rewritten to it; other URLs are returned as given.
std::string canonical_registry_url(const std::string& url);
// True for Docker Hub's URLs (its `library/` rule applies to one-word names).
bool is_docker_hub_url(const std::string& url);

// The one-line reason why a registry URL is not usable at all (see check_registry).
class RegistryCheckError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// GET /v2/ of `options.url` once, anonymously: a registry answers 200, or 401
// with a WWW-Authenticate challenge. Anything else (another status, a refused
// connection, a name that does not resolve, a certificate that does not
// verify: none of these retried) throws RegistryCheckError with one line
// "URL does not answer as a container registry (GET /v2/: CAUSE)".
// Throws DataError "interrupted" on a stop signal. Runs on the transfer engine
// of `options.shared` when set (its connection is then kept for the census).
void check_registry(const RegistryOptions& options);

// Use a client from one thread at a time (one client per rank or per worker
// thread; clients made from copies of the same options share tokens, rate cap,
// quota and the pool of keep-alive connections). Streams from open_blob are
// independent of the client and may outlive it.
class RegistryClient : public ImageStore {
public:
    explicit RegistryClient(RegistryOptions options);
    ~RegistryClient() override;
    RegistryClient(const RegistryClient&) = delete;
    RegistryClient& operator=(const RegistryClient&) = delete;

    // Data problems throw DataError: "manifest_unknown", "blob_unknown",
    // "unauthorized", "denied", "rate_limited", "network", "truncated_transfer",
    // "digest_mismatch", "size_mismatch", "too_large", "http_<code>".
    FetchedManifest get_manifest(const std::string& repository, const std::string& reference) override;
    std::string get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) override;

    // A blob as a pull stream. The transfer runs on the shared transfer engine
    // into a bounded queue, so memory stays bounded whatever the blob's size. The source does not
    // verify the digest (the layer analyser does, as it reads); it does throw
    // DataError on HTTP and transfer errors.
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest) override;
    // The same, checking the length against the descriptor's `expected_size`
    // (DataError "size_mismatch"; -1: unknown, not checked).
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest,
                                          int64_t expected_size) override;

    // A blob to `sink`, on the calling thread, as it arrives; broken transfers
    // resume with Range. Checks the size against `expected_size` (-1:
    // unchecked) and the sha256 digest at the end (after the last byte reached
    // the sink; the caller discards what it kept on a throw). Returns the
    // number of bytes.
    int64_t download_blob(const std::string& repository, const std::string& digest, int64_t expected_size,
                          const std::function<bool(std::span<const std::byte>)>& sink);

    bool has_blob(const std::string& repository, const std::string& digest);
    void push_blob(const std::string& repository, const std::string& digest, std::span<const std::byte> bytes);
    // A blob the registry holds in `from_repository` made part of `repository`
    // without sending it (POST .../blobs/uploads/?mount=DIGEST&from=REPO: 201).
    // A registry that does not mount (202: not allowed, or not there) opens an
    // upload instead, which gets read_bytes() (read only then).
    BlobPush mount_or_push_blob(const std::string& repository, const std::string& digest,
                                const std::string& from_repository, const std::function<std::string()>& read_bytes);
    // Returns the digest the registry reports.
    std::string push_manifest(const std::string& repository, const std::string& reference,
                              const std::string& media_type, std::string_view bytes);
    void delete_blob(const std::string& repository, const std::string& digest);

    std::vector<std::string> catalog();                          // follows Link pagination
    std::vector<std::string> tags(const std::string& repository);  // follows Link pagination

    // One page of the catalog (`repository` empty) or of `repository`'s tags
    // at `url` (a first page, or the next page a ListingWalk allows), for a
    // walk the caller paces itself (the crawler, which checkpoints every page).
    // Authorized as catalog() and tags() are; `url` must be on this registry's
    // origin (DataError "other_origin" otherwise, nothing sent), and so must
    // the answer after redirects. nullopt when the registry answers 404; other
    // failures throw DataError as registry_error maps them.
    std::optional<ListingPage> listing_page(const std::string& url, const std::string& repository);

    // The options, with `shared` set: copies make clients that share this one's state.
    const RegistryOptions& options() const { return options_; }
    // The quota the registry last announced (ratelimit-limit / ratelimit-remaining).
    QuotaSnapshot quota() const;

private:
    // The PUT of an upload session that `started` (the POST's answer) opened.
    void finish_upload(const std::string& start_url, const HttpResponse& started, const std::string& repository,
                       const std::string& digest, std::span<const std::byte> bytes);

    RegistryOptions options_;
    struct Connection;
    std::unique_ptr<Connection> connection_;
};

}  // namespace regcensus
