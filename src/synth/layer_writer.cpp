#include "layer_writer.hpp"

#include "regcensus/synth/tar_writer.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus::synth {

namespace {

// Hashes and counts the uncompressed tar on its way to the compressor.
class DiffIdSink final : public ByteSink {
public:
    explicit DiffIdSink(ByteSink& downstream) : downstream_(downstream) {}
    void write(std::span<const std::byte> bytes) override {
        sha_.update(bytes);
        size_ += static_cast<int64_t>(bytes.size());
        downstream_.write(bytes);
    }
    void finish() override {
        digest_ = sha_.finish_digest();
        downstream_.finish();
    }
    const std::string& digest() const { return digest_; }
    int64_t size() const { return size_; }

private:
    ByteSink& downstream_;
    Sha256 sha_;
    int64_t size_ = 0;
    std::string digest_;
};

char typeflag_of(const LayerEntry& entry) {
    switch (entry.kind) {
        case EntryKind::regular: return entry.regular_flag;
        case EntryKind::hardlink: return '1';
        case EntryKind::symlink: return '2';
        case EntryKind::char_device: return '3';
        case EntryKind::block_device: return '4';
        case EntryKind::directory: return '5';
        case EntryKind::fifo: return '6';
    }
    return '0';
}

}  // namespace

LayerRecord write_layer(BlobStore& store, const std::vector<LayerEntry>& entries, Compression compression,
                        std::string media_type, int64_t mtime) {
    auto blob = store.begin_blob();
    auto compressor = make_compressing_sink(compression, *blob);
    DiffIdSink diff_id(*compressor);
    TarWriter tar(diff_id);
    LayerProfileBuilder profile;

    for (const auto& entry : entries) {
        const std::string content = entry.kind == EntryKind::regular ? generate_content(entry.content) : std::string();
        TarHeader header;
        header.name = entry.path;
        header.typeflag = typeflag_of(entry);
        header.mode = entry.mode;
        header.mtime = mtime;
        header.linkname = entry.link_target;
        header.dev_major = entry.dev_major;
        header.dev_minor = entry.dev_minor;
        tar.add(std::move(header), content);
        profile.add(entry, content);
    }
    tar.finish();
    diff_id.finish();  // finishes the compressor and the blob file in turn

    LayerRecord record;
    const BlobRef ref = blob->commit();
    record.digest = ref.digest;
    record.compressed_bytes = ref.size;
    record.diff_id = diff_id.digest();
    record.uncompressed_bytes = tar.bytes_written();
    record.media_type = std::move(media_type);
    record.compression = compression;
    record.profile = profile.finish();
    return record;
}

}  // namespace regcensus::synth
