#include "regcensus/synth/json_writer.hpp"

#include <stdexcept>

namespace regcensus::synth {

std::string json_quote(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (byte < 0x20) {
                    out += "\\u00";
                    out += hex[byte >> 4];
                    out += hex[byte & 15];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

void JsonWriter::newline_indent(std::size_t depth) {
    out_ += '\n';
    out_.append(depth * 2, ' ');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (levels_.empty()) return;
    Level& level = levels_.back();
    if (!level.empty) out_ += ',';
    level.empty = false;
    if (pretty_ && level.block) newline_indent(levels_.size());
    else if (pretty_ && out_.back() == ',') out_ += ' ';
}

void JsonWriter::open(char bracket, Layout layout) {
    before_value();
    const bool parent_block = levels_.empty() || levels_.back().block;
    levels_.push_back(Level{layout == Layout::block && parent_block});
    out_ += bracket;
}

void JsonWriter::close(char bracket) {
    if (levels_.empty() || after_key_) throw std::logic_error("JsonWriter: unbalanced close");
    const Level level = levels_.back();
    levels_.pop_back();
    if (pretty_ && level.block && !level.empty) newline_indent(levels_.size());
    out_ += bracket;
    if (levels_.empty() && pretty_) out_ += '\n';
}

JsonWriter& JsonWriter::begin_object(Layout layout) {
    open('{', layout);
    return *this;
}
JsonWriter& JsonWriter::end_object() {
    close('}');
    return *this;
}
JsonWriter& JsonWriter::begin_array(Layout layout) {
    open('[', layout);
    return *this;
}
JsonWriter& JsonWriter::end_array() {
    close(']');
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    out_ += json_quote(name);
    out_ += pretty_ ? ": " : ":";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    out_ += json_quote(text);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
    before_value();
    out_ += std::to_string(number);
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    before_value();
    out_ += flag ? "true" : "false";
    return *this;
}

}  // namespace regcensus::synth
