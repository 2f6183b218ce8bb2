#include "regcensus/crawl/crawl_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "regcensus/util/atomic_file.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus::crawl {
namespace {

constexpr int kStateVersion = 1;

std::string single_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    while (true) {
        const size_t tab = line.find('\t');
        fields.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos) return fields;
        line.remove_prefix(tab + 1);
    }
}

int64_t parse_integer(std::string_view text, size_t line_number) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        throw std::runtime_error("crawl journal line " + std::to_string(line_number) + ": not a number: '" +
                                 std::string(text) + "'");
    return value;
}

// fsync of a file by path: a checkpoint must never name journal bytes that a
// crash of the machine (not only of the process) could lose.
void sync_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string checkpoint_to_json(const CrawlCheckpoint& checkpoint) {
    JsonWriter json;
    json.begin_object();
    json.member("version", kStateVersion);
    json.member("identity", checkpoint.identity);
    json.member("journal_bytes", static_cast<uint64_t>(checkpoint.journal_bytes));
    json.key("in_progress").begin_object();
    for (const auto& [listing, progress] : checkpoint.in_progress) {
        json.key(listing).begin_object();
        json.member("next_url", progress.next_url);
        json.member("pages", progress.pages);
        json.member("seen", progress.seen);
        json.member("count", progress.count);
        json.end_object();
    }
    json.end_object();
    json.end_object();
    return json.take();
}

CrawlCheckpoint checkpoint_from_json(std::string_view text) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS)
        throw std::runtime_error("crawl state is not JSON");
    auto fail = [](const std::string& what) { return std::runtime_error("crawl state: " + what); };
    int64_t version = 0;
    if (root["version"].get_int64().get(version) != simdjson::SUCCESS || version != kStateVersion)
        throw fail("unknown version");
    CrawlCheckpoint checkpoint;
    std::string_view identity;
    uint64_t journal_bytes = 0;
    if (root["identity"].get_string().get(identity) != simdjson::SUCCESS) throw fail("no identity");
    if (root["journal_bytes"].get_uint64().get(journal_bytes) != simdjson::SUCCESS) throw fail("no journal_bytes");
    checkpoint.identity = std::string(identity);
    checkpoint.journal_bytes = journal_bytes;
    simdjson::dom::object in_progress;
    if (root["in_progress"].get_object().get(in_progress) != simdjson::SUCCESS) throw fail("no in_progress");
    for (auto [key, value] : in_progress) {
        ListingProgress progress;
        std::string_view next_url;
        if (value["next_url"].get_string().get(next_url) != simdjson::SUCCESS ||
            value["pages"].get_int64().get(progress.pages) != simdjson::SUCCESS ||
            value["seen"].get_int64().get(progress.seen) != simdjson::SUCCESS ||
            value["count"].get_int64().get(progress.count) != simdjson::SUCCESS)
            throw fail("malformed progress of " + std::string(key));
        progress.next_url = std::string(next_url);
        checkpoint.in_progress.emplace(std::string(key), std::move(progress));
    }
    return checkpoint;
}

std::string journal_row_line(const FoundRow& found) {
    const CrawlRow& row = found.row;
    std::string line = "r\t" + std::to_string(found.origin.rank) + '\t' + single_line(found.origin.task) + '\t' +
                       std::to_string(found.origin.page) + '\t' + std::to_string(found.origin.position) + '\t';
    line += single_line(row.reference) + '\t' + std::to_string(row.pull_count) + '\t' +
            std::to_string(row.star_count) + '\t' + single_line(row.last_updated) + '\t' +
            (row.is_official ? "1" : "0") + '\t' + single_line(row.source);
    return line;
}

std::string journal_listing_added_line(std::string_view listing) { return "+\t" + single_line(listing); }
std::string journal_listing_done_line(std::string_view listing) { return "=\t" + single_line(listing); }

std::string journal_repository_info_line(const RepositoryInfo& info) {
    return "i\t" + single_line(info.reference) + '\t' + (info.found ? "1" : "0") + '\t' +
           std::to_string(info.pull_count) + '\t' + std::to_string(info.star_count) + '\t' +
           single_line(info.last_updated);
}

JournalContents parse_journal(std::string_view text) {
    JournalContents contents;
    size_t line_number = 0;
    while (!text.empty()) {
        const size_t newline = text.find('\n');
        const std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++line_number;
        if (line.empty()) continue;
        const auto fields = split_tabs(line);
        if (fields[0] == "+" && fields.size() == 2) {
            contents.listings_added.emplace_back(fields[1]);
        } else if (fields[0] == "=" && fields.size() == 2) {
            contents.listings_done.emplace(fields[1]);
        } else if (fields[0] == "r" && fields.size() == 11) {
            FoundRow found;
            found.origin.rank = static_cast<int>(parse_integer(fields[1], line_number));
            found.origin.task = std::string(fields[2]);
            found.origin.page = parse_integer(fields[3], line_number);
            found.origin.position = parse_integer(fields[4], line_number);
            found.row.reference = std::string(fields[5]);
            found.row.pull_count = parse_integer(fields[6], line_number);
            found.row.star_count = parse_integer(fields[7], line_number);
            found.row.last_updated = std::string(fields[8]);
            found.row.is_official = fields[9] == "1";
            found.row.source = std::string(fields[10]);
            contents.rows.push_back(std::move(found));
        } else if (fields[0] == "i" && fields.size() == 6) {
            RepositoryInfo info;
            info.reference = std::string(fields[1]);
            info.found = fields[2] == "1";
            info.pull_count = parse_integer(fields[3], line_number);
            info.star_count = parse_integer(fields[4], line_number);
            info.last_updated = std::string(fields[5]);
            contents.repository_info[info.reference] = std::move(info);
        } else {
            throw std::runtime_error("crawl journal line " + std::to_string(line_number) + ": malformed");
        }
    }
    return contents;
}

CrawlState::CrawlState(std::string path, std::string identity)
    : path_(std::move(path)), journal_path_(path_.empty() ? "" : path_ + ".journal") {
    checkpoint_.identity = std::move(identity);
    if (path_.empty()) return;
    if (std::filesystem::exists(path_)) {
        CrawlCheckpoint saved = checkpoint_from_json(read_whole_file(path_));
        if (saved.identity != checkpoint_.identity)
            throw std::runtime_error("state " + path_ + " belongs to another crawl (" + saved.identity +
                                     "), not to " + checkpoint_.identity);
        checkpoint_ = std::move(saved);
        resumed_ = true;
        // Bytes past the committed length belong to a page whose checkpoint never
        // landed: that page is fetched again, so its rows must go.
        if (!std::filesystem::exists(journal_path_)) {
            if (checkpoint_.journal_bytes != 0) throw std::runtime_error("journal " + journal_path_ + " is missing");
        } else {
            if (std::filesystem::file_size(journal_path_) < checkpoint_.journal_bytes)
                throw std::runtime_error("journal " + journal_path_ + " is shorter than its checkpoint says");
            std::filesystem::resize_file(journal_path_, checkpoint_.journal_bytes);
            contents_ = parse_journal(read_whole_file(journal_path_));
        }
    } else {
        std::ofstream(journal_path_, std::ios::binary | std::ios::trunc);
        checkpoint_.journal_bytes = 0;
        write_checkpoint();
    }
}

void CrawlState::commit(const CrawlCommit& commit) {
    std::string lines;
    for (const auto& listing : commit.listings_added) lines += journal_listing_added_line(listing) + '\n';
    for (const auto& row : commit.rows) lines += journal_row_line(row) + '\n';
    for (const auto& info : commit.infos) lines += journal_repository_info_line(info) + '\n';
    if (!commit.progress && !commit.listing.empty()) lines += journal_listing_done_line(commit.listing) + '\n';

    std::lock_guard lock(mutex_);
    if (!path_.empty()) {
        std::ofstream journal(journal_path_, std::ios::binary | std::ios::app);
        journal << lines;
        journal.flush();
        if (!journal) throw std::runtime_error("cannot append to " + journal_path_);
        journal.close();
        sync_file(journal_path_);
        checkpoint_.journal_bytes += lines.size();
    }
    for (const auto& listing : commit.listings_added) contents_.listings_added.push_back(listing);
    contents_.rows.insert(contents_.rows.end(), commit.rows.begin(), commit.rows.end());
    for (const auto& info : commit.infos) contents_.repository_info[info.reference] = info;
    if (commit.listing.empty()) {
        // only repository info: no listing progressed
    } else if (commit.progress) {
        checkpoint_.in_progress[commit.listing] = *commit.progress;
    } else {
        checkpoint_.in_progress.erase(commit.listing);
        contents_.listings_done.insert(commit.listing);
    }
    if (!path_.empty()) write_checkpoint();
}

void CrawlState::write_checkpoint() { write_file_atomically(path_, checkpoint_to_json(checkpoint_) + '\n'); }

std::vector<std::string> CrawlState::listings_added() const {
    std::lock_guard lock(mutex_);
    return contents_.listings_added;
}

std::set<std::string> CrawlState::listings_done() const {
    std::lock_guard lock(mutex_);
    return contents_.listings_done;
}

std::map<std::string, ListingProgress> CrawlState::in_progress() const {
    std::lock_guard lock(mutex_);
    return checkpoint_.in_progress;
}

std::vector<FoundRow> CrawlState::rows() const {
    std::lock_guard lock(mutex_);
    return contents_.rows;
}

std::map<std::string, RepositoryInfo> CrawlState::repository_info() const {
    std::lock_guard lock(mutex_);
    return contents_.repository_info;
}

size_t CrawlState::row_count() const {
    std::lock_guard lock(mutex_);
    return contents_.rows.size();
}

}  // namespace regcensus::crawl
