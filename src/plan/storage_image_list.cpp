#include "regcensus/plan/storage_image_list.hpp"

#include <filesystem>

#include "regcensus/crawl/image_list_output.hpp"
#include "regcensus/mpi/failure_policy.hpp"
#include "regcensus/storage/storage_store.hpp"

namespace regcensus {

std::size_t write_storage_image_list(const std::string& root, bool untagged, const std::string& path) {
    std::vector<crawl::CrawlRow> rows;
    for (auto& reference : storage_references(root, untagged)) {
        rows.emplace_back();
        rows.back().reference = std::move(reference);
        rows.back().source = "storage";
    }
    if (rows.empty())
        throw std::runtime_error(root + " holds no tag" + (untagged ? " and no untagged manifest" : "") +
                                 ": nothing to census");
    crawl::write_image_list(path, rows);
    return rows.size();
}

CensusOptions with_storage_image_list(const CensusOptions& options, const mpi::Communicator& comm, const RunLog& log) {
    CensusOptions listed = options;
    if (options.storage_dir.empty() || !options.images_path.empty() || options.shards) return listed;
    listed.images_path = (std::filesystem::path(options.work_dir) / kStorageImageListName).string();
    mpi::check_on_root(comm, [&] {
        const auto count = write_storage_image_list(options.storage_dir, options.untagged, listed.images_path);
        log.root("storage: %zu image(s) of %s listed in %s", count, options.storage_dir.c_str(),
                 listed.images_path.c_str());
    });
    return listed;
}

}  // namespace regcensus
