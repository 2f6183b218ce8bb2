#include "regcensus/dedup/virtual_region.hpp"

#include <algorithm>
#include <new>
#include <sys/mman.h>
#include <unistd.h>

namespace regcensus::dedup {

VirtualRegion::VirtualRegion(std::size_t bytes) : size_(bytes) {
    if (size_ == 0) return;
    // MAP_NORESERVE: the reservation is address space, not a claim on RAM or swap.
    void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<std::byte*>(p);
}

VirtualRegion::~VirtualRegion() {
    if (data_) ::munmap(data_, size_);
}

void VirtualRegion::populate(std::size_t offset, std::size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t begin = offset / page * page;
    const std::size_t end = std::min((offset + bytes + page - 1) / page * page, size_);
    // Failure (a kernel before 5.14) only means the pages fault in one by one.
    if (end > begin) ::madvise(data_ + begin, end - begin, MADV_POPULATE_WRITE);
#endif
}

void VirtualRegion::release(std::size_t offset, std::size_t bytes) {
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t begin = (offset + page - 1) / page * page;
    const std::size_t end = (offset + bytes) / page * page;
    if (end > begin) ::madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

}  // namespace regcensus::dedup
