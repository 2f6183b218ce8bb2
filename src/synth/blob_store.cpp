#include "blob_store.hpp"

#include <stdexcept>
#include <system_error>

#include "regcensus/util/contained_path.hpp"
#include "regcensus/util/digest.hpp"

namespace regcensus::synth {

namespace fs = std::filesystem;

BlobWriter::BlobWriter(const BlobStore& store, fs::path scratch) : store_(store), scratch_(std::move(scratch)) {
    file_ = std::fopen(scratch_.c_str(), "wb");
    if (!file_) throw std::runtime_error("cannot create " + scratch_.string());
    static constexpr std::size_t kBuffer = 1 << 20;
    std::setvbuf(file_, nullptr, _IOFBF, kBuffer);
}

BlobWriter::~BlobWriter() {
    if (file_) std::fclose(file_);
    if (digest_.empty() || fs::exists(scratch_)) {
        std::error_code ignored;
        fs::remove(scratch_, ignored);
    }
}

void BlobWriter::write(std::span<const std::byte> bytes) {
    if (bytes.empty()) return;
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
        throw std::runtime_error("write failed: " + scratch_.string());
    sha_.update(bytes);
    size_ += static_cast<int64_t>(bytes.size());
}

void BlobWriter::finish() {
    if (std::fclose(file_) != 0) {
        file_ = nullptr;
        throw std::runtime_error("write failed: " + scratch_.string());
    }
    file_ = nullptr;
    digest_ = sha_.finish_digest();
}

BlobRef BlobWriter::commit() {
    if (digest_.empty()) throw std::logic_error("BlobWriter::commit before finish");
    const fs::path target = store_.blob_path(digest_);
    // Equal digests mean equal bytes: a blob already there is kept as it is.
    if (fs::exists(target)) fs::remove(scratch_);
    else fs::rename(scratch_, target);
    return BlobRef{digest_, size_};
}

BlobStore::BlobStore(fs::path layout_dir)
    : layout_dir_(std::move(layout_dir)), scratch_dir_(layout_dir_.parent_path() / ".synth-scratch") {
    fs::create_directories(layout_dir_ / "blobs" / "sha256");
    fs::create_directories(scratch_dir_);
}

BlobStore::~BlobStore() {
    std::error_code ignored;
    fs::remove_all(scratch_dir_, ignored);
}

std::unique_ptr<BlobWriter> BlobStore::begin_blob() {
    return std::make_unique<BlobWriter>(*this, scratch_dir_ / ("blob-" + std::to_string(scratch_counter_++)));
}

BlobRef BlobStore::put(std::string_view bytes) {
    auto writer = begin_blob();
    writer->write(bytes);
    writer->finish();
    return writer->commit();
}

fs::path BlobStore::blob_path(std::string_view digest) const {
    const auto parsed = Digest::parse(digest);
    if (!parsed) throw std::invalid_argument("not a digest: " + std::string(digest));
    return prepare_contained_file(layout_dir_, parsed->relative_path());
}

}  // namespace regcensus::synth
