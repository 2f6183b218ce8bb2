// `regcensus crawl`: the image list of a v2 registry (catalog and tags) or of
// Docker Hub (official images, namespaces, search fan-out), in the format
// `regcensus run` reads, with popularity columns.
#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "output_check.hpp"
#include "regcensus/crawl/catalog_crawler.hpp"
#include "regcensus/crawl/crawl_state.hpp"
#include "regcensus/crawl/growth_log.hpp"
#include "regcensus/crawl/hub_crawler.hpp"
#include "regcensus/crawl/image_list_output.hpp"
#include "regcensus/crawl/tag_selection.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/registry/registry_url.hpp"
#include "regcensus/plan/storage_image_list.hpp"
#include "regcensus/util/log.hpp"

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

// Non-blank lines of a file, without `#` comments and surrounding spaces.
std::vector<std::string> read_word_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<std::string> words;
    std::string line;
    while (std::getline(in, line)) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        const auto last = line.find_last_not_of(" \t\r");
        words.push_back(line.substr(first, last - first + 1));
    }
    return words;
}

}  // namespace

int crawl_command(int argc, char** argv) {
    po::options_description options(
        "regcensus crawl: list the images of a v2 registry (--registry) or of Docker Hub (--hub) into an image "
        "list for `regcensus run`");
    std::string config_path, registry_url, out_path, tags = "all", hub_url = "https://hub.docker.com";
    std::string namespaces_path, queries_path, state_path, growth_log_path, prefix_alphabet, storage_dir, auth_file;
    bool untagged = false;
    int page_size = 0, concurrency = 8, retries = 5, max_query_length = 6;
    int64_t max_pause_s = 900;
    ListingLimits listing_limits;
    double max_rps = -1;
    bool hub = false, no_official = false, insecure = false;
    options.add_options()
        ("help,h", "show this help")
        ("config", po::value(&config_path), "job file (key = value, keys are the long option names)")
        ("registry", po::value(&registry_url), "crawl this v2 registry's /v2/_catalog and tags, e.g. http://127.0.0.1:5000")
        ("hub", po::bool_switch(&hub), "crawl Docker Hub through its JSON API (--hub-url)")
        ("storage", po::value(&storage_dir), "list every repository and tag of this distribution registry storage root "
         "(holding docker/registry/v2), read-only (docs/storage.md)")
        ("untagged", po::bool_switch(&untagged), "--storage: also list manifests no tag names, as repository@digest")
        ("out", po::value(&out_path)->required(), "image list to write (TSV with a #reference header)")
        ("tags", po::value(&tags)->default_value(tags),
         "--registry: tags per repository: latest (else the last listed), all, or N (the last N listed)")
        ("page-size", po::value(&page_size)->default_value(0),
         "entries per page requested (0: 1000 for --registry, 100 for --hub)")
        ("hub-url", po::value(&hub_url)->default_value(hub_url), "--hub: base URL of the Hub API")
        ("no-official", po::bool_switch(&no_official), "--hub: do not list the official images (namespace library)")
        ("namespaces", po::value(&namespaces_path), "--hub: file of namespaces whose repositories are listed, one a line")
        ("queries", po::value(&queries_path), "--hub: file of search terms, one a line")
        ("max-query-length", po::value(&max_query_length)->default_value(max_query_length),
         "--hub: a capped search is split into longer prefixes up to this length")
        ("prefix-alphabet", po::value(&prefix_alphabet),
         "--hub: characters appended to a capped query (default a-z, 0-9, '-', '_', '.')")
        ("state", po::value(&state_path),
         "crawl state (JSON, plus STATE.journal); an interrupted crawl rerun with the same state continues")
        ("growth-log", po::value(&growth_log_path), "append timestamp<TAB>source<TAB>count at every checkpoint")
        ("concurrency", po::value(&concurrency)->default_value(concurrency), "requests in flight (worker threads)")
        ("max-requests-per-second", po::value(&max_rps)->default_value(max_rps),
         "spacing of request starts, all workers together (negative: 2 for --hub, unlimited for --registry; 0: unlimited)")
        ("retries", po::value(&retries)->default_value(retries), "retries of connection errors and 408/5xx")
        ("max-pause", po::value(&max_pause_s)->default_value(max_pause_s),
         "longest pause (s) honoured when a server asks to wait (X-RateLimit-Reset, X-Retry-After)")
        ("max-pages", po::value(&listing_limits.max_pages)->default_value(listing_limits.max_pages),
         "pages read per listing (the catalog, each repository's tags; a Hub namespace or search); a longer "
         "listing stops there")
        ("max-names", po::value(&listing_limits.max_names)->default_value(listing_limits.max_names),
         "--registry: names kept per listing; a longer listing stops there")
        ("auth-file", po::value(&auth_file),
         "--registry: docker config.json with the registry's credentials (default: $REGISTRY_AUTH_FILE, "
         "$DOCKER_CONFIG/config.json, ~/.docker/config.json; none: anonymous)")
        ("insecure-skip-tls-verify", po::bool_switch(&insecure), "do not verify TLS certificates (never the default)");

    po::variables_map vm;
    if (!parse_options(argc, argv, options, vm)) return 0;
    if (!storage_dir.empty()) {
        if (hub || !registry_url.empty()) throw UsageError("give exactly one of --registry URL, --hub and --storage DIR");
        const auto count = write_storage_image_list(storage_dir, untagged, out_path);
        log_printf(LogLevel::info, "%zu images of %s written to %s", count, storage_dir.c_str(), out_path.c_str());
        return 0;
    }
    if (untagged) throw UsageError("--untagged lists the untagged manifests of a --storage");
    if (hub == !registry_url.empty()) throw UsageError("give exactly one of --registry URL and --hub");
    // Credentials come from an auth file (--auth-file, docker config.json), never
    // the URL: the URL is the --state file's identity and would carry them there.
    if (split_registry_url(registry_url).credential)
        throw UsageError("--registry: crawl takes no credentials in the URL (the URL names the --state file's "
                         "crawl); remove the user:password@ part and give them in an --auth-file (docker "
                         "config.json)");
    if (hub && vm.count("auth-file")) throw UsageError("--auth-file is for --registry; the Hub API is crawled anonymously");
    if (concurrency < 1) throw UsageError("--concurrency must be at least 1");
    if (retries < 0) throw UsageError("--retries must be 0 or more");
    if (page_size < 0) throw UsageError("--page-size must be 0 (automatic) or more");
    if (max_query_length < 1) throw UsageError("--max-query-length must be at least 1");
    if (max_pause_s < 0) throw UsageError("--max-pause must be 0 or more seconds");
    check_output_writable("--out", out_path);
    if (listing_limits.max_pages < 1 || listing_limits.max_names < 1)
        throw UsageError("--max-pages and --max-names must be at least 1");
    if (max_pause_s < 0) throw UsageError("--max-pause must not be negative");
    crawl::GrowthLog growth(growth_log_path);

    std::vector<crawl::FoundRow> rows;
    bool listings_incomplete = false;
    if (hub) {
        crawl::HubCrawlOptions hub_options;
        hub_options.hub_url = hub_url;
        hub_options.official = !no_official;
        if (!namespaces_path.empty()) hub_options.namespaces = read_word_list(namespaces_path);
        if (!queries_path.empty()) hub_options.queries = read_word_list(queries_path);
        hub_options.page_size = page_size > 0 ? page_size : 100;
        hub_options.max_pages = listing_limits.max_pages;
        hub_options.max_query_length = size_t(std::max(max_query_length, 1));
        hub_options.prefix_alphabet = prefix_alphabet;
        hub_options.concurrency = concurrency;
        hub_options.http.tls_verify = !insecure;
        hub_options.http.https_only = hub_url.starts_with("https://");
        hub_options.http.retries = retries;
        hub_options.http.max_pause = std::chrono::seconds(max_pause_s);
        hub_options.max_requests_per_second = max_rps < 0 ? 2.0 : max_rps;
        crawl::CrawlState state(state_path, "hub " + hub_url);
        if (state.resumed()) log_printf(LogLevel::info, "resuming from %s", state_path.c_str());
        rows = crawl::crawl_hub(hub_options, state, growth);
    } else {
        crawl::CatalogCrawlOptions catalog_options;
        RegistryOptions& registry = catalog_options.registry;
        registry.url = registry_url;
        registry.tls_verify = !insecure;
        registry.retries = retries;
        registry.rate_limited_retries = 20;  // each after the pause the registry asked for
        registry.max_pause_s = max_pause_s;
        registry.page_size = page_size > 0 ? page_size : 1000;
        registry.auth_file = auth_file;
        registry.max_requests_per_second = max_rps < 0 ? 0.0 : max_rps;
        catalog_options.tags = crawl::parse_tag_selection(tags);
        catalog_options.concurrency = concurrency;
        catalog_options.limits = listing_limits;
        // The credential is read now: a missing --auth-file ends the crawl before any request or state file.
        share_registry_state(registry);
        crawl::CrawlState state(state_path, "registry " + registry_url + " tags=" + tags);
        if (state.resumed()) log_printf(LogLevel::info, "resuming from %s", state_path.c_str());
        if (!state.resumed()) {
            // One clear line when the URL is not a registry. A resumed crawl's
            // state says it was one; a finished crawl reruns without a request.
            check_registry(registry);
        }
        auto crawled = crawl::crawl_catalog(catalog_options, state, growth);
        rows = std::move(crawled.rows);
        listings_incomplete = crawled.listings_cut + crawled.listings_failed > 0;
    }
    const auto unique = crawl::deduplicate_rows(std::move(rows));
    // Listings cut short or failed still give a list (and exit 0) when they
    // found anything; a crawl that listed nothing at all is a failure.
    if (unique.empty() && listings_incomplete)
        throw std::runtime_error("nothing could be listed from " + registry_url + " (see the warnings above)");
    crawl::write_image_list(out_path, unique);
    growth.record("images", int64_t(unique.size()), unique.size());
    log_printf(LogLevel::info, "%zu images written to %s", unique.size(), out_path.c_str());
    return 0;
}

}  // namespace regcensus::cli
