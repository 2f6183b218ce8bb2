#include "task_pool.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace regcensus::crawl {

TaskPool::TaskPool(int threads) : threads_(std::max(threads, 1)) {}

void TaskPool::add(std::string task) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(task));
    }
    changed_.notify_one();
}

bool TaskPool::stopping() const {
    std::lock_guard lock(mutex_);
    return failure_ != nullptr;
}

void TaskPool::run(const std::function<void(const std::string&, int)>& work) {
    auto worker = [&](int index) {
        while (true) {
            std::string task;
            {
                std::unique_lock lock(mutex_);
                // Idle workers wait: a busy one may still add tasks.
                changed_.wait(lock, [&] { return failure_ || !queue_.empty() || busy_ == 0; });
                if (failure_ || queue_.empty()) break;
                task = std::move(queue_.front());
                queue_.pop_front();
                ++busy_;
            }
            try {
                work(task, index);
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!failure_) failure_ = std::current_exception();
            }
            {
                std::lock_guard lock(mutex_);
                --busy_;
            }
            changed_.notify_all();
        }
        changed_.notify_all();
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < threads_; ++i) threads.emplace_back(worker, i);
    for (auto& thread : threads) thread.join();
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace regcensus::crawl
