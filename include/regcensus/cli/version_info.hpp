#pragma once
// `regcensus --version`: the program's version and commit, and the versions of
// the libraries it runs with (as they report themselves at run time, so a
// module system's mismatched library shows), for bug reports and provenance.
#include <string>

namespace regcensus::cli {

std::string version_text();

}  // namespace regcensus::cli
