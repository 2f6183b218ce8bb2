#pragma once
// Worker threads over a queue of listing names that grows while it is worked
// on (a catalog page adds repositories, a capped search adds prefixes). The first
// failure stops the pool: workers finish the page they are on, and run()
// rethrows it after all threads have joined.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>

namespace regcensus::crawl {

class TaskPool {
public:
    explicit TaskPool(int threads);

    void add(std::string task);
    // Runs `work(task, worker_index)` until the queue is empty and no worker is busy.
    void run(const std::function<void(const std::string& task, int worker)>& work);
    // True once a worker failed: long listings check it between pages.
    bool stopping() const;

private:
    int threads_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> queue_;
    int busy_ = 0;
    std::exception_ptr failure_;
};

}  // namespace regcensus::crawl
