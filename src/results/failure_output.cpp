#include "regcensus/results/failure_output.hpp"

#include <cstdio>

namespace regcensus {

FailureList read_failures(const h5::File& results) {
    FailureList failures;
    const auto images = results.open_group("images");
    const auto references = images.read_strings("reference"), image_status = images.read_strings("status"),
               image_errors = images.read_strings("error");
    for (std::size_t i = 0; i < image_status.size(); ++i)
        failures.add_image(references.at(i), image_status[i], image_errors.at(i));
    const auto layers = results.open_group("layers");
    const auto digests = layers.read_strings("digest"), layer_status = layers.read_strings("status"),
               layer_errors = layers.read_strings("error");
    for (std::size_t i = 0; i < layer_status.size(); ++i)
        failures.add_layer(digests.at(i), layer_status[i], layer_errors.at(i));
    return failures;
}

int print_failures(const FailureList& failures, bool json) {
    if (json) {
        std::printf("%s\n", failures_json(failures).c_str());
        return 0;
    }
    const auto summary = failure_summary_lines(failures, 0);
    if (summary.empty())
        std::printf("no failures: %lld images, %lld layers, all ok\n", (long long)failures.images,
                    (long long)failures.layers);
    for (const auto& line : summary) std::printf("%s\n", line.c_str());
    for (const auto& line : failure_rows(failures)) std::printf("%s\n", line.c_str());
    return 0;
}

}  // namespace regcensus
