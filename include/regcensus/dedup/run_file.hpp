#pragma once
// Sorted runs of packed records on disk: what an owner writes when its records
// outgrow its memory budget, and reads back for the k-way merge. A run file is
// raw PackedRecords, deleted when its RunFile goes away (a crash leaves it in
// the spill directory, where the next run overwrites or ignores it).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "regcensus/dedup/packed_record.hpp"

namespace regcensus::dedup {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

// Owns the file at `path`: removes it on destruction.
class RunFile {
public:
    explicit RunFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~RunFile();
    RunFile(RunFile&& other) noexcept : path_(std::move(other.path_)), records_(other.records_) { other.path_.clear(); }
    RunFile& operator=(RunFile&& other) noexcept;
    RunFile(const RunFile&) = delete;
    RunFile& operator=(const RunFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::size_t records() const { return records_; }
    void set_records(std::size_t n) { records_ = n; }

private:
    std::filesystem::path path_;
    std::size_t records_ = 0;
};

// Appends records to a new run file; small writes are gathered in a buffer of buffer_records.
class RunWriter {
public:
    RunWriter(RunFile& file, std::size_t buffer_records);
    void write(std::span<const PackedRecord> records);
    void close();  // flushes and checks; the destructor only closes

private:
    void flush();
    RunFile& file_;
    FileHandle handle_;
    std::vector<PackedRecord> buffer_;
    std::size_t written_ = 0;
};

// Reads a run back in order through a buffer of `buffer_records`.
class RunReader {
public:
    RunReader(const RunFile& file, std::size_t buffer_records);
    bool done() const { return position_ == filled_; }
    const PackedRecord& current() const { return buffer_[position_]; }
    void advance() {
        if (++position_ == filled_) refill();
    }

private:
    void refill();
    std::filesystem::path path_;
    FileHandle handle_;
    std::vector<PackedRecord> buffer_;
    std::size_t position_ = 0;
    std::size_t filled_ = 0;
};

}  // namespace regcensus::dedup
