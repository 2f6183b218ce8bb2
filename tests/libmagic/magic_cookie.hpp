#pragma once
// libmagic, wrapped once: one cookie with its database loaded, asked about
// bytes held in memory (nothing is extracted to disk).
#include <magic.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace regcensus::libmagic {

class MagicCookie {
public:
    explicit MagicCookie(int flags) : cookie_(magic_open(flags)) {
        if (!cookie_) throw std::runtime_error("magic_open failed");
        if (magic_load(cookie_.get(), nullptr) != 0)
            throw std::runtime_error(std::string("magic_load: ") + magic_error(cookie_.get()));
    }

    std::string describe(std::string_view bytes) const {
        const char* text = magic_buffer(cookie_.get(), bytes.data(), bytes.size());
        return text ? text : std::string("error: ") + magic_error(cookie_.get());
    }

private:
    struct Close {
        void operator()(magic_set* cookie) const { magic_close(cookie); }
    };
    std::unique_ptr<magic_set, Close> cookie_;
};

}  // namespace regcensus::libmagic
