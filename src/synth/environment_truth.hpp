#pragma once
// The ground truth of an image's execution environment and build history,
// from the plan the config was written from (never by reading the config back).
#include <vector>

#include "corpus_plan.hpp"
#include "ground_truth.hpp"
#include "image_writer.hpp"

namespace regcensus::synth {

ImageTruth::Environment environment_truth(const ImagePlan& image, const WrittenManifest& written,
                                          const std::vector<const LayerRecord*>& layers);

}  // namespace regcensus::synth
