#pragma once
// libmagic, wrapped once: one cookie with its database loaded, asked about
// bytes held in memory (nothing is extracted to disk).
#include <magic.h>
#include <sys/mman.h>
#include <unistd.h>

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

    // Through a descriptor, as `file` sees an extracted file: libmagic reads
    // ELF program headers and sections (pie executable, interpreter) only from
    // a descriptor, never from a buffer. The descriptor is an anonymous
    // in-memory file (memfd), so nothing touches the disk.
    std::string describe(std::string_view bytes) const {
        const int fd = memfd_create("regcensus-libmagic", MFD_CLOEXEC);
        if (fd < 0) throw std::runtime_error("memfd_create failed");
        std::size_t written = 0;
        while (written < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
            if (n <= 0) {
                ::close(fd);
                throw std::runtime_error("write to memfd failed");
            }
            written += static_cast<std::size_t>(n);
        }
        ::lseek(fd, 0, SEEK_SET);
        const char* text = magic_descriptor(cookie_.get(), fd);
        std::string result = text ? text : std::string("error: ") + magic_error(cookie_.get());
        ::close(fd);
        return result;
    }

private:
    struct Close {
        void operator()(magic_set* cookie) const { magic_close(cookie); }
    };
    std::unique_ptr<magic_set, Close> cookie_;
};

}  // namespace regcensus::libmagic
