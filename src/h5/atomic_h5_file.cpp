#include "regcensus/h5/atomic_h5_file.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "regcensus/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace regcensus::h5 {

void write_atomically(const std::string& final_path, const std::function<void(const File&)>& fill) {
    const fs::path temporary = temporary_path_for(final_path);
    const auto fail = [&](const std::string& cause) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw std::runtime_error("cannot write " + final_path + ": " + cause);
    };
    try {
        // Missing directories of the target are made (mkdir -p), as the --out
        // check before any work promised (cli/output_check.cpp).
        if (const auto parent = fs::path(final_path).parent_path(); !parent.empty()) fs::create_directories(parent);
        auto file = File::create(temporary.string());
        fill(file);
        file.close();
        commit_written_file(temporary, final_path);
    } catch (const Error& e) {
        fail(e.cause());
    } catch (const std::system_error& e) {
        fail(e.code().message());
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    }
}

}  // namespace regcensus::h5
