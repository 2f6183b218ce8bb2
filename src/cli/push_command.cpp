// push: uploads every reference of an OCI image layout into a registry.
#include <boost/program_options.hpp>

#include <cstdio>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/registry/oci_layout.hpp"
#include "regcensus/registry/registry_client.hpp"

namespace regcensus::cli {

namespace po = boost::program_options;

int push_command(int argc, char** argv) {
    std::string layout_directory;
    RegistryOptions options;
    po::options_description described("usage: regcensus push --layout DIR --registry URL [options]\n\noptions");
    described.add_options()
        ("help,h", "print this help")
        ("layout", po::value(&layout_directory)->required(), "OCI image layout directory; index.json entries "
                                                             "named \"<repository>:<tag>\" are pushed")
        ("registry", po::value(&options.url)->required(), "registry base URL, e.g. http://127.0.0.1:5000")
        ("insecure-skip-tls-verify", po::bool_switch(), "do not verify the registry's TLS certificate")
        ("retries", po::value(&options.retries)->default_value(options.retries),
         "retries of connection errors and 408/429/5xx responses")
        ("auth-file", po::value(&options.auth_file), "docker config.json with credentials (default: "
                                                     "$REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, "
                                                     "~/.docker/config.json)");
    po::variables_map values;
    if (!parse_options(argc, argv, described, values)) return 0;
    options.tls_verify = !values["insecure-skip-tls-verify"].as<bool>();
    if (options.retries < 0) throw UsageError("--retries must be 0 or more");

    RegistryClient client(options);
    int64_t uploaded = 0, present = 0, mounted = 0, bytes = 0, manifests = 0;
    const auto pushed = push_layout(client, layout_directory, [&](const PushedReference& reference) {
        std::printf("pushed %s %s (%lld blobs uploaded, %lld mounted, %lld already present, %lld bytes)\n",
                    reference.name.c_str(), reference.digest.c_str(), (long long)reference.blobs_uploaded,
                    (long long)reference.blobs_mounted, (long long)reference.blobs_present,
                    (long long)reference.bytes_uploaded);
        std::fflush(stdout);
        uploaded += reference.blobs_uploaded;
        present += reference.blobs_present;
        mounted += reference.blobs_mounted;
        bytes += reference.bytes_uploaded;
        manifests += reference.manifests_pushed;
    });
    std::printf("%zu references, %lld manifests, %lld blobs uploaded (%lld bytes), %lld mounted from another "
                "repository, %lld already present\n",
                pushed.size(), (long long)manifests, (long long)uploaded, (long long)bytes, (long long)mounted,
                (long long)present);
    return 0;
}

}  // namespace regcensus::cli
