#pragma once
// The lock of a work directory (`WORK/lock`, flock), so that two censuses never
// mix their plan and shards. Whole runs, `plan` and `merge` take it exclusively;
// `run --shards` (Slurm array tasks of one plan) take it shared, so tasks run
// together but never beside a whole run or a merge. The lock is held by rank 0
// for the process's lifetime and released by the kernel when it ends, however
// it ends. The file records the holder(s): host, pid, start time, mode, command.
#include <string>

namespace regcensus {

enum class WorkLockMode { exclusive, shared };

class WorkLock {
public:
    // Takes the lock without waiting. Throws std::runtime_error naming the
    // holder when another process has it. Where the file system has no working
    // locks (NFS without lockd, Lustre without -o flock) it proceeds unlocked:
    // held() is false and warning() says so.
    static WorkLock acquire(const std::string& work_dir, WorkLockMode mode, const std::string& command);

    WorkLock() = default;
    ~WorkLock();
    WorkLock(WorkLock&& other) noexcept;
    WorkLock& operator=(WorkLock&& other) noexcept;
    WorkLock(const WorkLock&) = delete;
    WorkLock& operator=(const WorkLock&) = delete;

    bool held() const { return fd_ >= 0; }
    const std::string& warning() const { return warning_; }

private:
    int fd_ = -1;
    std::string warning_;
};

std::string work_lock_path(const std::string& work_dir);

// Removes what killed runs left: temporaries of atomic writes (util/atomic_file
// names, and `NAME.tmp.<pid>` of older versions) under `work_dir`, and those of
// `out_path` beside it. Only under the exclusive lock. Returns how many.
std::size_t remove_leftover_temporaries(const std::string& work_dir, const std::string& out_path);

}  // namespace regcensus
