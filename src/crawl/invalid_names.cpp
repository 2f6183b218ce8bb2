#include "invalid_names.hpp"

#include <cstdio>

#include "regcensus/util/log.hpp"

namespace regcensus::crawl {

std::string printable(std::string_view text, size_t max_length) {
    std::string out;
    for (size_t i = 0; i < text.size() && i < max_length; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
            out += char(byte);
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            out += escaped;
        }
    }
    if (text.size() > max_length) out += "...";
    return out;
}

void InvalidNames::skip(std::string_view what, std::string_view name, std::string_view where) {
    std::lock_guard lock(mutex_);
    if (++count_ > kNamedInLog) return;
    log_printf(LogLevel::warning, "skipped the %.*s name '%s' from %.*s: not a valid %.*s name",
                 int(what.size()), what.data(), printable(name).c_str(), int(where.size()), where.data(),
                 int(what.size()), what.data());
}

int64_t InvalidNames::count() const {
    std::lock_guard lock(mutex_);
    return count_;
}

void InvalidNames::log_summary() const {
    std::lock_guard lock(mutex_);
    if (count_ == 0) return;
    log_printf(LogLevel::warning, "%lld invalid repository or tag name(s) skipped%s",
                 static_cast<long long>(count_), count_ > kNamedInLog ? " (the first 10 named above)" : "");
}

}  // namespace regcensus::crawl
