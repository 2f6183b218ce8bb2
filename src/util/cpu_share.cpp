#include "regcensus/util/cpu_share.hpp"

#include <sched.h>

#include <algorithm>
#include <map>

namespace regcensus {

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    return cpus;
}

double cpu_share(const std::vector<std::vector<int>>& node_masks, const std::vector<int>& mine) {
    std::map<int, int> holders;  // CPU -> the number of masks that hold it
    for (const auto& mask : node_masks)
        for (int cpu : mask) ++holders[cpu];
    double share = 0;
    for (int cpu : mine) share += 1.0 / std::max(holders[cpu], 1);
    return share;
}

}  // namespace regcensus
