#pragma once
// Where a census reads images from: a live registry (RegistryClient) or a
// stored OCI image layout (`regcensus run --layout`). The census sees only
// this interface, so the two are interchangeable and give identical results.
#include <cstdint>
#include <memory>
#include <string>

#include "regcensus/util/byte_source.hpp"

namespace regcensus {

struct FetchedManifest {
    std::string bytes;         // verbatim
    std::string content_type;  // as served
    std::string digest;        // sha256 of the bytes, checked against Docker-Content-Digest and a digest reference
};

class ImageStore {
public:
    virtual ~ImageStore() = default;
    // Data problems throw DataError (see registry_client.hpp for the statuses).
    virtual FetchedManifest get_manifest(const std::string& repository, const std::string& reference) = 0;
    virtual std::string get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) = 0;
    virtual std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest) = 0;
    // The same, when the descriptor states the size: a store that can check it
    // early (before downloading) does, with DataError("size_mismatch").
    virtual std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest,
                                                  int64_t /*expected_size*/) {
        return open_blob(repository, digest);
    }
};

}  // namespace regcensus
