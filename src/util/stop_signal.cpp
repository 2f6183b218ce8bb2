#include "regcensus/util/stop_signal.hpp"

#include <atomic>
#include <csignal>

namespace regcensus {
namespace {

// Lock-free atomics are async-signal-safe; volatile sig_atomic_t would not be
// safe to read from the worker and transfer threads.
std::atomic<int> stop_flag{0};
std::atomic<int> stop_signal{0};
std::atomic<int> wind_down_flag{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int number) {
    stop_signal.store(number, std::memory_order_relaxed);
    wind_down_flag.store(1, std::memory_order_release);
    if (number != SIGUSR1) stop_flag.store(1, std::memory_order_release);
}

}  // namespace

void install_stop_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    // SIGUSR2 is a stop like SIGTERM: mpirun forwards it to the ranks, SIGTERM
    // and SIGINT it does not (scripts/regcensus-mpirun, docs/signals.md).
    for (int number : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaction(number, &action, nullptr);
}

bool stop_requested() { return stop_flag.load(std::memory_order_acquire) != 0; }

bool wind_down_requested() { return stop_requested() || wind_down_flag.load(std::memory_order_acquire) != 0; }

int stop_signal_number() { return stop_signal.load(std::memory_order_relaxed); }

void request_stop() { stop_flag.store(1, std::memory_order_release); }

}  // namespace regcensus
