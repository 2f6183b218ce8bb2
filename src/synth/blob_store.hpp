#pragma once
// The blobs of an OCI image layout (blobs/sha256/<hex>). Blobs are streamed
// into a scratch file while their digest is computed, then renamed into
// place, so a layer is never held in memory and a half-written blob never
// carries a digest name.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "regcensus/synth/byte_sink.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus::synth {

struct BlobRef {
    std::string digest;  // "sha256:<hex>"
    int64_t size = 0;
};

class BlobStore;

// A streaming blob: write(), then finish(), then commit() names it by digest.
class BlobWriter final : public ByteSink {
public:
    BlobWriter(const BlobStore& store, std::filesystem::path scratch);
    ~BlobWriter() override;
    BlobWriter(const BlobWriter&) = delete;
    BlobWriter& operator=(const BlobWriter&) = delete;

    using ByteSink::write;
    void write(std::span<const std::byte> bytes) override;
    void finish() override;
    // Moves the finished blob to blobs/sha256/<hex>; valid after finish().
    BlobRef commit();

private:
    const BlobStore& store_;
    std::filesystem::path scratch_;
    std::FILE* file_ = nullptr;
    Sha256 sha_;
    int64_t size_ = 0;
    std::string digest_;
};

class BlobStore {
public:
    // Creates `layout_dir`/blobs/sha256 and a scratch directory beside it.
    explicit BlobStore(std::filesystem::path layout_dir);
    ~BlobStore();

    std::unique_ptr<BlobWriter> begin_blob();
    BlobRef put(std::string_view bytes);

    std::filesystem::path blob_path(std::string_view digest) const;
    const std::filesystem::path& layout_dir() const { return layout_dir_; }

private:
    std::filesystem::path layout_dir_;
    std::filesystem::path scratch_dir_;
    int64_t scratch_counter_ = 0;
};

}  // namespace regcensus::synth
