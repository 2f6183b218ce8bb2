#pragma once
// What a plan is made from (registry, layout, image list and the sha256 of its
// content, platform choice, shard size as given), recorded in plan.h5 and
// checked against the command line of every rerun: a plan is never reused for
// another census without saying so (--accept-plan), and /provenance states the
// plan's values, which are what the results hold.
#include <map>
#include <string>
#include <vector>

#include "regcensus/census/run_options.hpp"

namespace regcensus {

using PlanParameters = std::map<std::string, std::string>;

// The parameters of `options` that decide a plan. Throws std::runtime_error
// naming the image list when it cannot be read.
PlanParameters plan_parameters_of(const CensusOptions& options);

// One line per parameter the command gives otherwise than the plan recorded,
// e.g. "--platform linux/arm64 differs from the plan's linux/amd64". Names the
// plan does not record (plans of older versions) are not compared.
std::vector<std::string> plan_parameter_differences(const PlanParameters& planned, const PlanParameters& given);

}  // namespace regcensus
