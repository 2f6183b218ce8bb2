#pragma once
// A client of the Registry HTTP API v2 (the OCI distribution spec) on libcurl.
// Pull: original manifests (the full Accept list, nothing converted), configs,
// blobs streamed and digest-verified. Push: monolithic blob uploads and
// manifests, which the corpus generator and the tests use.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "regcensus/registry/image_store.hpp"
#include "regcensus/util/byte_source.hpp"

namespace regcensus {

struct RegistryOptions {
    std::string url;           // "http://127.0.0.1:5000" or "https://registry.example.org"
    bool tls_verify = true;    // never off unless the user says so
    int retries = 3;           // retries of connection errors and 5xx
    long connect_timeout_s = 30;
    int64_t max_manifest_bytes = 4 << 20;
    int page_size = 1000;      // `n` of catalog and tags requests (tests make it small to force pages)
};

// One client holds one keep-alive connection: use it from one thread at a time
// (one client per rank or per worker thread). Streams from open_blob are
// independent of the client and may outlive it.
class RegistryClient : public ImageStore {
public:
    explicit RegistryClient(RegistryOptions options);
    ~RegistryClient() override;
    RegistryClient(const RegistryClient&) = delete;
    RegistryClient& operator=(const RegistryClient&) = delete;

    // Data problems throw DataError: "manifest_unknown", "blob_unknown",
    // "unauthorized", "denied", "rate_limited", "network", "digest_mismatch",
    // "too_large", "http_<code>".
    FetchedManifest get_manifest(const std::string& repository, const std::string& reference) override;
    std::string get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) override;

    // A blob as a pull stream. The transfer runs on its own thread into a bounded
    // queue, so memory stays bounded whatever the blob's size. The source does not
    // verify the digest (the layer analyser does, as it reads); it does throw
    // DataError on HTTP and transfer errors.
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest) override;

    bool has_blob(const std::string& repository, const std::string& digest);
    void push_blob(const std::string& repository, const std::string& digest, std::span<const std::byte> bytes);
    // Returns the digest the registry reports.
    std::string push_manifest(const std::string& repository, const std::string& reference,
                              const std::string& media_type, std::string_view bytes);
    void delete_blob(const std::string& repository, const std::string& digest);

    std::vector<std::string> catalog();                          // follows Link pagination
    std::vector<std::string> tags(const std::string& repository);  // follows Link pagination

    const RegistryOptions& options() const { return options_; }

private:
    RegistryOptions options_;
    struct Connection;
    std::unique_ptr<Connection> connection_;
};

}  // namespace regcensus
