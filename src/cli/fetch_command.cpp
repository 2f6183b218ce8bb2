// fetch: images from a registry into an OCI image layout, the dataset kept
// verbatim and verified (under mpirun the ranks split the image list).
#include <boost/program_options.hpp>

#include <cstdio>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/cli/byte_size.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/mpi/failure_policy.hpp"
#include "regcensus/census/image_list.hpp"
#include "regcensus/fetch/image_fetcher.hpp"
#include "regcensus/registry/oci_layout_writer.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/util/log.hpp"

namespace regcensus::cli {

namespace po = boost::program_options;

namespace {

// One index.json entry per line: "name\tmediaType\tdigest\tsize\n" (names and
// media types hold no tabs or newlines).
std::vector<char> encode_entries(const std::vector<FetchedImage>& rows) {
    std::string text;
    for (const auto& row : rows) {
        if (row.status != "ok") continue;
        const Descriptor& d = row.entry.descriptor;
        text += row.entry.name + "\t" + d.media_type + "\t" + d.digest + "\t" + std::to_string(d.size) + "\n";
    }
    return {text.begin(), text.end()};
}

std::vector<LayoutEntry> decode_entries(const std::vector<std::vector<char>>& buffers) {
    std::vector<LayoutEntry> entries;
    for (const auto& buffer : buffers) {
        std::string_view text(buffer.data(), buffer.size());
        while (!text.empty()) {
            const size_t end = text.find('\n');
            std::string_view line = text.substr(0, end);
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            std::string fields[4];
            for (int f = 0; f < 4; ++f) {
                const size_t tab = line.find('\t');
                fields[f] = std::string(line.substr(0, tab));
                line.remove_prefix(tab == std::string_view::npos ? line.size() : tab + 1);
            }
            LayoutEntry entry;
            entry.name = fields[0];
            entry.descriptor.media_type = fields[1];
            entry.descriptor.digest = fields[2];
            entry.descriptor.size = std::stoll(fields[3]);
            entries.push_back(std::move(entry));
        }
    }
    return entries;
}

// The collective part of `fetch`, once MPI runs: every rank fetches its share
// of the list, rank 0 writes index.json from everyone's entries.
int fetch_into_layout(const std::string& images_path, const std::string& layout_directory, RegistryOptions& registry,
                      const FetchOptions& fetch) {
    const mpi::Communicator comm;
    // One clear line, and one request, when the URL is not a registry; the
    // check's connection stays for the fetch.
    mpi::check_on_root(comm, [&] {
        share_registry_state(registry);
        check_registry(registry);
    });
    const auto list = read_image_list(images_path);
    std::vector<std::string> mine;  // round robin: neighbouring lines (often one repository) spread over ranks
    for (size_t i = size_t(comm.rank()); i < list.size(); i += size_t(comm.size())) mine.push_back(list[i].reference);

    const OciLayoutWriter layout(layout_directory);
    FetchTally tally;
    const auto rows = fetch_images(registry, layout, mine, fetch, tally);
    int64_t failed = 0;
    for (const auto& row : rows) {
        if (row.status == "ok") continue;
        ++failed;
        log_printf(LogLevel::warning, "%s: %s: %s", row.reference.c_str(), row.status.c_str(), row.error.c_str());
    }

    // index.json once, by rank 0, from everyone's entries: its order depends only on the names.
    const auto gathered = comm.gather(encode_entries(rows));
    const int64_t total_failed = comm.sum(failed);
    const auto totals = comm.sum(std::vector<int64_t>{tally.manifests, tally.blobs_downloaded, tally.blobs_present,
                                                       tally.bytes_downloaded, tally.foreign_layers,
                                                       tally.requests, tally.connections});
    if (comm.is_root()) {
        layout.write_index(decode_entries(gathered));
        std::printf("fetched %lld of %zu images into %s: %lld manifests, %lld blobs downloaded (%lld bytes), "
                    "%lld already present, %lld foreign layers not copied, %lld images failed; "
                    "%lld requests over %lld connection(s)\n",
                    (long long)(list.size() - total_failed), list.size(), layout_directory.c_str(),
                    (long long)totals[0], (long long)totals[1], (long long)totals[3], (long long)totals[2],
                    (long long)totals[4], (long long)total_failed, (long long)totals[5], (long long)totals[6]);
    }
    return 0;
}

}  // namespace

int fetch_command(int argc, char** argv) {
    std::string images_path, layout_directory, platform_text = "linux/amd64";
    RegistryOptions registry;
    FetchOptions fetch;
    ByteSize min_transfer_rate{uint64_t(registry.min_transfer_rate)};
    po::options_description described(
        "usage: regcensus fetch --images FILE --registry URL --layout DIR [options]\n"
        "Copies images (original manifests, configs, layers, verified) into an OCI image layout;\n"
        "blobs already in the layout are not downloaded again. Under mpirun the ranks split the list.\n\noptions");
    described.add_options()
        ("help,h", "print this help")
        ("images", po::value(&images_path)->required(), "image list, one reference per line (as for `run`)")
        ("registry", po::value(&registry.url)->required(), "registry base URL, e.g. http://127.0.0.1:5000")
        ("layout", po::value(&layout_directory)->required(), "OCI image layout directory (created when missing)")
        ("platform", po::value(&platform_text)->default_value(platform_text), "the image of an index to keep")
        ("all-platforms", po::bool_switch(&fetch.walk.all_platforms), "keep every image of an index (attestations excluded)")
        ("concurrency", po::value(&fetch.concurrency)->default_value(fetch.concurrency),
         "transfers at once per rank, over one pool of keep-alive connections")
        ("auth-file", po::value(&registry.auth_file), "docker config.json with credentials (default: "
                                                      "$REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, "
                                                      "~/.docker/config.json)")
        ("retries", po::value(&registry.retries)->default_value(registry.retries),
         "retries of connection errors and 408/429/5xx responses, with backoff")
        ("max-requests-per-second", po::value(&registry.max_requests_per_second)->default_value(0),
         "cap on requests to the registry per rank (0: none)")
        ("stall-timeout", po::value(&registry.stall_timeout_s)->default_value(registry.stall_timeout_s),
         "seconds without a byte after which a transfer fails (and is retried)")
        ("min-transfer-rate", po::value(&min_transfer_rate)->default_value(min_transfer_rate, format_byte_size(min_transfer_rate.bytes)),
         "size per second: a transfer fails when not finished within stall-timeout + size / this")
        ("insecure-skip-tls-verify", po::bool_switch(), "do not verify the registry's TLS certificate");
    po::variables_map values;
    if (!parse_options(argc, argv, described, values)) return 0;
    fetch.walk.platform = parse_platform_option(platform_text);
    if (fetch.concurrency < 1) throw UsageError("--concurrency must be at least 1");
    if (registry.retries < 0) throw UsageError("--retries must be 0 or more");
    if (registry.max_requests_per_second < 0) throw UsageError("--max-requests-per-second must be 0 (no cap) or more");
    registry.min_transfer_rate = double(min_transfer_rate.bytes);
    registry.tls_verify = !values["insecure-skip-tls-verify"].as<bool>();
    fetch.docker_hub = is_docker_hub_url(registry.url);
    registry.url = canonical_registry_url(registry.url);
    fetch.walk.registry_url = registry.url;

    if (!(registry.stall_timeout_s > 0) || !(registry.min_transfer_rate > 0))
        throw UsageError("--stall-timeout and --min-transfer-rate must be positive");

    mpi::Session session(&argc, &argv);
    return mpi::run_collectively([&] { return fetch_into_layout(images_path, layout_directory, registry, fetch); });
}

}  // namespace regcensus::cli
