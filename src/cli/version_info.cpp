#include "regcensus/cli/version_info.hpp"

#include <archive.h>
#include <curl/curl.h>
#include <hdf5.h>
#include <mpi.h>
#include <openssl/crypto.h>
#include <simdjson.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#include <boost/version.hpp>

#include <string>

#include "regcensus_commit.h"  // generated at build time (cmake/write_commit.cmake)

#ifndef REGCENSUS_COMMIT
#define REGCENSUS_COMMIT "unknown"
#endif

namespace regcensus::cli {

std::string version_text() {
    std::string text = std::string("regcensus ") + REGCENSUS_VERSION + " (commit " + REGCENSUS_COMMIT + ")\n";
    const auto line = [&](const char* name, const std::string& version) {
        text += std::string("  ") + name + std::string(12 - std::string(name).size(), ' ') + version + "\n";
    };
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    line("HDF5", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release));
    // Allowed before MPI_Init (MPI-3): --version needs no MPI session.
    char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = {};
    int length = 0;
    MPI_Get_library_version(mpi, &length);
    std::string mpi_text(mpi, std::size_t(length));
    if (const auto end = mpi_text.find_first_of(",\n"); end != std::string::npos) mpi_text.resize(end);
    line("MPI", mpi_text);
    line("libcurl", curl_version_info(CURLVERSION_NOW)->version);
    line("libarchive", archive_version_details());
    line("OpenSSL", OpenSSL_version(OPENSSL_VERSION));
    line("zlib", zlibVersion());
    line("zstd", ZSTD_versionString());
    const unsigned xxh = XXH_versionNumber();
    line("xxHash", std::to_string(xxh / 10000) + "." + std::to_string(xxh / 100 % 100) + "." + std::to_string(xxh % 100));
    line("simdjson", std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." + std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." +
                          std::to_string(simdjson::SIMDJSON_VERSION_REVISION));
    line("Boost", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                      std::to_string(BOOST_VERSION % 100));
    return text;
}

}  // namespace regcensus::cli
