#pragma once
// How many CPUs this process has to itself: its affinity, shared out among
// the processes of the node that may run on the same CPUs. An MPI rank bound
// to one core has 1; two unbound ranks on a 2-core node have 1 each; a rank
// given --cpus-per-task=4 by Slurm has 4.
#include <cstddef>
#include <vector>

namespace regcensus {

// The CPUs this process may run on (sched_getaffinity), ascending; empty if
// the kernel does not say.
std::vector<int> allowed_cpus();

// The sum, over the CPUs of `mine`, of 1 / (the number of `node_masks` that
// hold that CPU): this process's fair share of its CPUs. `node_masks` holds
// the affinity of every process of the node, this one's included.
double cpu_share(const std::vector<std::vector<int>>& node_masks, const std::vector<int>& mine);

}  // namespace regcensus
