#pragma once
// A small streaming JSON writer for the corpus's manifests, configs and ground
// truth. Output is byte-for-byte deterministic: members come out in the order
// they are written, and strings are escaped minimally (UTF-8 passes through).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus::synth {

class JsonWriter {
public:
    // `block` puts each member of the container on its own indented line;
    // `inline_` keeps the container (and everything inside it) on one line.
    enum class Layout { block, inline_ };

    // pretty = false writes everything compactly whatever the layouts say.
    explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

    JsonWriter& begin_object(Layout layout = Layout::block);
    JsonWriter& end_object();
    JsonWriter& begin_array(Layout layout = Layout::block);
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(int64_t number);
    JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
    JsonWriter& value(bool flag);

    // Convenience: key then value.
    template <typename T>
    JsonWriter& member(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    // The document so far; complete once every container is closed.
    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    struct Level {
        bool block;
        bool empty = true;
    };
    void before_value();
    void open(char bracket, Layout layout);
    void close(char bracket);
    void newline_indent(std::size_t depth);

    bool pretty_;
    bool after_key_ = false;
    std::string out_;
    std::vector<Level> levels_;
};

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace regcensus::synth
