#pragma once
// `run --storage DIR` (and `plan`) without --images: the census covers every
// repository and tag the storage holds (and with --untagged every manifest no
// tag reaches). The root lists them into WORK/storage-images.txt, the image
// list the plan then reads and records like any other (its path and sha256 in
// the plan's parameters: a resumed run whose storage changed since the plan is
// told so, as when an image list changed).
#include <string>
#include <vector>

#include "regcensus/mpi/communicator.hpp"
#include "regcensus/census/run_options.hpp"
#include "regcensus/census/run_log.hpp"

namespace regcensus {

inline constexpr const char* kStorageImageListName = "storage-images.txt";

// Writes the image list of storage_references(root, untagged) to `path` (the
// format `crawl` writes, source column "storage"); returns the number of rows.
// Throws std::runtime_error when the storage holds nothing to census.
std::size_t write_storage_image_list(const std::string& root, bool untagged, const std::string& path);

// Collective. `options` with images_path set to the listed file when it reads a
// storage without --images; unchanged otherwise (and for --shards array tasks,
// which continue a saved plan). Listing faults end every rank with one line.
CensusOptions with_storage_image_list(const CensusOptions& options, const mpi::Communicator& comm, const RunLog& log);

}  // namespace regcensus
