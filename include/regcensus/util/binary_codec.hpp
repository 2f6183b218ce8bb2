#pragma once
// A little-endian byte codec for records that travel between MPI ranks. Plain
// functions over a byte vector: no schema, no versioning, because both ends are
// the same binary in the same job.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace regcensus {

class ByteWriter {
public:
    template <typename T>
        requires std::is_trivially_copyable_v<T>
    void put(const T& value) {
        const auto* p = reinterpret_cast<const char*>(&value);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
    }
    void put_string(std::string_view text) {
        put<uint64_t>(text.size());
        bytes_.insert(bytes_.end(), text.begin(), text.end());
    }
    template <typename T>
    void put_vector(const std::vector<T>& values) {
        put<uint64_t>(values.size());
        for (const auto& v : values) put(v);
    }
    std::vector<char>& bytes() { return bytes_; }

private:
    std::vector<char> bytes_;
};

class ByteReader {
public:
    ByteReader(const char* data, std::size_t size) : data_(data), end_(data + size) {}
    explicit ByteReader(const std::vector<char>& bytes) : ByteReader(bytes.data(), bytes.size()) {}

    template <typename T>
        requires std::is_trivially_copyable_v<T>
    T get() {
        need(sizeof(T));
        T value;
        std::memcpy(&value, data_, sizeof(T));
        data_ += sizeof(T);
        return value;
    }
    std::string get_string() {
        const auto n = get<uint64_t>();
        need(n);
        std::string text(data_, n);
        data_ += n;
        return text;
    }
    template <typename T>
    std::vector<T> get_vector() {
        std::vector<T> values(get<uint64_t>());
        for (auto& v : values) v = get<T>();
        return values;
    }
    bool done() const { return data_ == end_; }

private:
    void need(std::size_t n) const {
        if (static_cast<std::size_t>(end_ - data_) < n) throw std::runtime_error("ByteReader: record truncated");
    }
    const char* data_;
    const char* end_;
};

}  // namespace regcensus
