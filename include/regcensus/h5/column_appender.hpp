#pragma once
// A 1-D column written in pieces: an extendible, chunked, deflate-compressed
// dataset (int64 or variable-length UTF-8) that grows by append(), for tables
// too large to hold in memory at once (/files). Described like every dataset.
//
// Values are held until a whole chunk is full and written with one call, so
// each chunk is compressed once: appending layer by layer straight into the
// dataset would read back, inflate and deflate the last chunk on every call
// (a string chunk is larger than HDF5's default chunk cache). finish() writes
// the rest; a column not finished is incomplete (the destructor cannot report
// a failed write, so it writes nothing).
//
// The dataset is created at its first write, so a column shorter than one
// chunk gets one chunk of exactly its length: HDF5 stores and deflates whole
// chunks, and a 5,000-row /files piece in 64 Ki-row chunks paid for 13 times
// its rows in every column (fill values included).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/h5/h5_location.hpp"

namespace regcensus::h5 {

class ColumnAppender {
public:
    enum class Type { int64, string };
    ColumnAppender(const Location& where, const std::string& name, Type type, std::string_view description,
                   std::string_view units = {});
    void append(std::span<const int64_t> values);
    void append(const std::vector<std::string>& values);
    // Writes the values still held; call once, after the last append.
    void finish();
    // Rows appended so far, written or held.
    std::size_t size() const { return written_ + held_integers_.size() + held_strings_.size(); }

private:
    void write_full_chunks();
    void write_held(std::size_t count);
    void extend_and_write(std::size_t count, hid_t memory_type, const void* data);
    void create_dataset(std::size_t chunk_rows);

    Handle parent_;  // the group the column is created in, held open until then
    std::string name_, description_, units_;
    Handle dataset_;
    Type type_;
    std::size_t written_ = 0;
    std::vector<int64_t> held_integers_;
    std::vector<std::string> held_strings_;
};

}  // namespace regcensus::h5
