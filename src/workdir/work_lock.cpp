#include "regcensus/workdir/work_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "regcensus/util/atomic_file.hpp"
#include "regcensus/util/utc_timestamp.hpp"

namespace fs = std::filesystem;

namespace regcensus {
namespace {

std::string holder_record(WorkLockMode mode, const std::string& command) {
    char host[256] = "?";
    ::gethostname(host, sizeof host - 1);
    std::string line = "host " + std::string(host) + " pid " + std::to_string(::getpid()) + " since " +
                       utc_timestamp() +
                       (mode == WorkLockMode::exclusive ? " (exclusive)" : " (shared)") + ": " + command;
    for (auto& c : line)
        if (c == '\n') c = ' ';
    return line + "\n";
}

// The last holder recorded in the lock file (shared holders append a line each).
std::string recorded_holder(int fd) {
    std::string text;
    char buffer[4096];
    ssize_t n;
    off_t offset = 0;
    while ((n = ::pread(fd, buffer, sizeof buffer, offset)) > 0) {
        text.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto line_start = text.rfind('\n');
    text = line_start == std::string::npos ? text : text.substr(line_start + 1);
    return text.empty() ? "a process that has not recorded itself yet" : text;
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the record is a courtesy to the operator; the lock itself holds
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Errors of a file system without working locks, as opposed to a held lock.
bool locks_unsupported(int error) {
    return error == ENOLCK || error == ENOSYS || error == EOPNOTSUPP || error == EINVAL;
}

bool is_leftover_temporary(const std::string& name) {
    if (is_temporary_name(name)) return true;
    // Older versions: NAME.tmp.<pid>.
    const auto marker = name.rfind(".tmp.");
    if (marker == std::string::npos || marker == 0 || marker + 5 == name.size()) return false;
    return name.find_first_not_of("0123456789", marker + 5) == std::string::npos;
}

}  // namespace

std::string work_lock_path(const std::string& work_dir) { return (fs::path(work_dir) / "lock").string(); }

WorkLock WorkLock::acquire(const std::string& work_dir, WorkLockMode mode, const std::string& command) {
    const auto path = work_lock_path(work_dir);
    // O_APPEND: array tasks that start together each add their record; a seek to
    // the end and a write would let one task's record overwrite another's.
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open the work directory lock " + path + ": " + std::strerror(errno));
    WorkLock lock;
    if (::flock(fd, (mode == WorkLockMode::exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        const int error = errno;
        if (error == EWOULDBLOCK) {
            const auto holder = recorded_holder(fd);
            ::close(fd);
            throw std::runtime_error("the work directory " + work_dir + " is in use by another regcensus (" + holder +
                                     "); wait for it to end, or choose another --work");
        }
        ::close(fd);
        if (!locks_unsupported(error))
            throw std::runtime_error("cannot lock " + path + ": " + std::strerror(error));
        lock.warning_ = "warning: the file system of " + work_dir + " cannot lock files (" + std::strerror(error) +
                        "): proceeding without the work directory lock; make sure no other regcensus uses it";
        return lock;
    }
    lock.fd_ = fd;
    // The exclusive holder replaces the records of earlier holders. The records
    // are a courtesy to the operator (the flock is the lock), so a failure to
    // truncate only leaves older lines above this one. (A cast to void would
    // not quiet glibc's warn_unused_result under _FORTIFY_SOURCE.)
    if (mode == WorkLockMode::exclusive && ::ftruncate(fd, 0) != 0) {
    }
    write_all(fd, holder_record(mode, command));
    return lock;
}

WorkLock::~WorkLock() {
    if (fd_ >= 0) ::close(fd_);
}

WorkLock::WorkLock(WorkLock&& other) noexcept : fd_(other.fd_), warning_(std::move(other.warning_)) { other.fd_ = -1; }

WorkLock& WorkLock::operator=(WorkLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        warning_ = std::move(other.warning_);
        other.fd_ = -1;
    }
    return *this;
}

std::size_t remove_leftover_temporaries(const std::string& work_dir, const std::string& out_path) {
    std::size_t removed = 0;
    std::error_code error;
    const auto remove = [&](const fs::path& path) {
        std::error_code ignored;
        if (fs::is_regular_file(path, ignored) && fs::remove(path, ignored)) ++removed;
    };
    for (fs::recursive_directory_iterator it(work_dir, error), end; !error && it != end; it.increment(error))
        if (is_leftover_temporary(it->path().filename().string())) remove(it->path());
    if (!out_path.empty()) {
        const fs::path out = fs::absolute(out_path);
        const auto name = out.filename().string();
        for (fs::directory_iterator it(out.parent_path(), error), end; !error && it != end; it.increment(error)) {
            const auto candidate = it->path().filename().string();
            if ((candidate.starts_with("." + name + ".tmp.") || candidate.starts_with(name + ".tmp.")) &&
                is_leftover_temporary(candidate))
                remove(it->path());
        }
    }
    return removed;
}

}  // namespace regcensus
