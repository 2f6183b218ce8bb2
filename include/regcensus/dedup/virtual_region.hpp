#pragma once
// An anonymous mapping reserved, not committed: pages become resident only when
// written, and are handed back with release(). Lets an owner keep 256 growing
// buckets, each able to take every record, while holding memory for the
// records actually there.
#include <cstddef>

namespace regcensus::dedup {

class VirtualRegion {
public:
    explicit VirtualRegion(std::size_t bytes);  // throws std::bad_alloc
    ~VirtualRegion();
    VirtualRegion(const VirtualRegion&) = delete;
    VirtualRegion& operator=(const VirtualRegion&) = delete;

    std::byte* data() const { return data_; }
    std::size_t size() const { return size_; }
    // Makes the pages covering [offset, offset + bytes) resident in one call
    // (where the kernel can), instead of one page fault per page on first write.
    void populate(std::size_t offset, std::size_t bytes);
    // Returns the whole pages inside [offset, offset + bytes) to the system; they read as zeros after.
    void release(std::size_t offset, std::size_t bytes);

private:
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace regcensus::dedup
