#include "compression.hpp"

#include <zlib.h>
#include <zstd.h>

#include <stdexcept>
#include <vector>

namespace regcensus::synth {

namespace {

constexpr std::size_t kOutputChunk = 1 << 16;

class PassThroughSink final : public ByteSink {
public:
    explicit PassThroughSink(ByteSink& downstream) : downstream_(downstream) {}
    using ByteSink::write;
    void write(std::span<const std::byte> bytes) override { downstream_.write(bytes); }
    void finish() override { downstream_.finish(); }

private:
    ByteSink& downstream_;
};

class GzipSink final : public ByteSink {
public:
    GzipSink(ByteSink& downstream, int level) : downstream_(downstream), buffer_(kOutputChunk) {
        // windowBits 15 + 16: a gzip wrapper, written by zlib with mtime 0, so
        // the output depends on the input alone.
        if (deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("zlib: deflateInit2 failed");
    }
    ~GzipSink() override { deflateEnd(&stream_); }
    GzipSink(const GzipSink&) = delete;
    GzipSink& operator=(const GzipSink&) = delete;

    using ByteSink::write;
    void write(std::span<const std::byte> bytes) override {
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(bytes.data()));
        stream_.avail_in = static_cast<uInt>(bytes.size());
        while (stream_.avail_in > 0) pump(Z_NO_FLUSH);
    }

    void finish() override {
        stream_.next_in = nullptr;
        stream_.avail_in = 0;
        while (pump(Z_FINISH) != Z_STREAM_END) {
        }
        downstream_.finish();
    }

private:
    int pump(int flush) {
        stream_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
        stream_.avail_out = static_cast<uInt>(buffer_.size());
        const int status = deflate(&stream_, flush);
        if (status == Z_STREAM_ERROR) throw std::runtime_error("zlib: deflate failed");
        const std::size_t produced = buffer_.size() - stream_.avail_out;
        if (produced) downstream_.write(std::span(buffer_.data(), produced));
        return status;
    }

    ByteSink& downstream_;
    z_stream stream_{};
    std::vector<std::byte> buffer_;
};

class ZstdSink final : public ByteSink {
public:
    ZstdSink(ByteSink& downstream, int level)
        : downstream_(downstream), context_(ZSTD_createCCtx()), buffer_(ZSTD_CStreamOutSize()) {
        if (!context_) throw std::runtime_error("zstd: cannot create a compression context");
        ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level);
    }
    ~ZstdSink() override { ZSTD_freeCCtx(context_); }
    ZstdSink(const ZstdSink&) = delete;
    ZstdSink& operator=(const ZstdSink&) = delete;

    using ByteSink::write;
    void write(std::span<const std::byte> bytes) override {
        ZSTD_inBuffer input{bytes.data(), bytes.size(), 0};
        while (input.pos < input.size) pump(input, ZSTD_e_continue);
    }

    void finish() override {
        ZSTD_inBuffer input{nullptr, 0, 0};
        while (pump(input, ZSTD_e_end) != 0) {
        }
        downstream_.finish();
    }

private:
    std::size_t pump(ZSTD_inBuffer& input, ZSTD_EndDirective directive) {
        ZSTD_outBuffer output{buffer_.data(), buffer_.size(), 0};
        const std::size_t remaining = ZSTD_compressStream2(context_, &output, &input, directive);
        if (ZSTD_isError(remaining)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(remaining));
        if (output.pos) downstream_.write(std::span(buffer_.data(), output.pos));
        return remaining;
    }

    ByteSink& downstream_;
    ZSTD_CCtx* context_;
    std::vector<std::byte> buffer_;
};

}  // namespace

std::string_view compression_name(Compression compression) {
    switch (compression) {
        case Compression::gzip: return "gzip";
        case Compression::zstd: return "zstd";
        case Compression::none: return "none";
    }
    return "none";
}

std::unique_ptr<ByteSink> make_compressing_sink(Compression compression, ByteSink& downstream) {
    switch (compression) {
        case Compression::gzip: return std::make_unique<GzipSink>(downstream, 6);
        case Compression::zstd: return std::make_unique<ZstdSink>(downstream, 3);
        case Compression::none: break;
    }
    return std::make_unique<PassThroughSink>(downstream);
}

std::string gzip_bytes(std::string_view plain, int level) {
    StringSink collected;
    GzipSink gzip(collected, level);
    gzip.write(plain);
    gzip.finish();
    return std::move(collected.out);
}

}  // namespace regcensus::synth
