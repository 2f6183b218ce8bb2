#include "regcensus/dedup/run_file.hpp"

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace regcensus::dedup {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error("dedup spill: " + what + " " + path.string() + ": " + std::strerror(errno));
}

FileHandle open_file(const std::filesystem::path& path, const char* mode) {
    FileHandle handle(std::fopen(path.c_str(), mode));
    if (!handle) fail("cannot open", path);
    return handle;
}

void write_all(std::FILE* f, std::span<const PackedRecord> records, const std::filesystem::path& path) {
    if (!records.empty() && std::fwrite(records.data(), sizeof(PackedRecord), records.size(), f) != records.size())
        fail("cannot write", path);
}

}  // namespace

RunFile::~RunFile() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

RunFile& RunFile::operator=(RunFile&& other) noexcept {
    if (this != &other) {
        RunFile gone(std::move(*this));  // removes the file this one owned
        path_ = std::move(other.path_);
        records_ = other.records_;
        other.path_.clear();
    }
    return *this;
}

RunWriter::RunWriter(RunFile& file, std::size_t buffer_records)
    : file_(file), handle_(open_file(file.path(), "wb")) {
    buffer_.reserve(std::max<std::size_t>(buffer_records, 1));
}

void RunWriter::write(std::span<const PackedRecord> records) {
    if (records.size() >= buffer_.capacity()) {  // large enough to go straight to the file
        flush();
        write_all(handle_.get(), records, file_.path());
        written_ += records.size();
        return;
    }
    for (const auto& r : records) {
        buffer_.push_back(r);
        if (buffer_.size() == buffer_.capacity()) flush();
    }
}

void RunWriter::flush() {
    write_all(handle_.get(), buffer_, file_.path());
    written_ += buffer_.size();
    buffer_.clear();
}

void RunWriter::close() {
    flush();
    if (std::fclose(handle_.release()) != 0) fail("cannot close", file_.path());
    file_.set_records(written_);
}

RunReader::RunReader(const RunFile& file, std::size_t buffer_records)
    : path_(file.path()), handle_(open_file(file.path(), "rb")) {
    buffer_.resize(std::max<std::size_t>(buffer_records, 1));
    refill();
}

void RunReader::refill() {
    position_ = 0;
    filled_ = std::fread(buffer_.data(), sizeof(PackedRecord), buffer_.size(), handle_.get());
    if (filled_ < buffer_.size() && std::ferror(handle_.get())) fail("cannot read", path_);
}

}  // namespace regcensus::dedup
