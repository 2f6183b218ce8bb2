#include "regcensus/census/image_list.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "regcensus/registry/reference.hpp"

namespace regcensus {
namespace {

std::vector<std::string> split_tabs(std::string_view line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        auto tab = line.find('\t', start);
        fields.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return fields;
        start = tab + 1;
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

int64_t parse_count(std::string_view text, const std::string& where) {
    text = trim(text);
    if (text.empty()) return -1;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error(where + ": not a whole number: '" + std::string(text) + "'");
    return value;
}

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

// Lines of a file, each at most kMaxImageListLineBytes long: a file without
// line breaks (/dev/zero) ends in an error after one bounded read, not in an
// ever-growing line.
class BoundedLineReader {
public:
    explicit BoundedLineReader(const std::string& path) : path_(path) {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) fail_with_errno("cannot read image list " + path);
        if (S_ISDIR(info.st_mode)) throw std::runtime_error("image list " + path + " is a directory, not a file");
        file_.reset(std::fopen(path.c_str(), "rb"));
        if (!file_) fail_with_errno("cannot read image list " + path);
    }

    // The next line without its '\n'; false at the end of the file.
    bool next(std::string& line) {
        line.clear();
        if (line_number_ >= kMaxImageListLines)
            throw std::runtime_error("image list " + path_ + " has more than " + std::to_string(kMaxImageListLines) +
                                     " lines: not an image list");
        bool any = false;
        while (true) {
            if (position_ == filled_ && !refill()) {
                if (any) ++line_number_;
                return any;
            }
            any = true;
            const char* start = buffer_.get() + position_;
            const size_t available = filled_ - position_;
            const void* newline = std::memchr(start, '\n', available);
            const size_t length = newline ? size_t(static_cast<const char*>(newline) - start) : available;
            line.append(start, length);
            position_ += length + (newline ? 1 : 0);
            check(line);
            if (newline) {
                ++line_number_;
                return true;
            }
        }
    }

    int64_t line_number() const { return line_number_; }

private:
    static constexpr size_t kBufferBytes = 1 << 16;

    [[noreturn]] static void fail_with_errno(const std::string& what) {
        throw std::runtime_error(what + ": " + std::strerror(errno));
    }

    bool refill() {
        filled_ = std::fread(buffer_.get(), 1, kBufferBytes, file_.get());
        position_ = 0;
        if (filled_ == 0 && std::ferror(file_.get())) fail_with_errno("cannot read image list " + path_);
        return filled_ > 0;
    }

    void check(const std::string& line) const {
        const std::string where = "image list " + path_ + ":" + std::to_string(line_number_ + 1);
        if (line.size() > kMaxImageListLineBytes)
            throw std::runtime_error(where + ": a line longer than " + std::to_string(kMaxImageListLineBytes) +
                                     " bytes: not an image list");
        if (line.find('\0') != std::string::npos)
            throw std::runtime_error(where + ": a NUL byte: not an image list");
    }

    std::string path_;
    std::unique_ptr<std::FILE, FileCloser> file_;
    std::unique_ptr<char[]> buffer_ = std::make_unique<char[]>(kBufferBytes);
    size_t filled_ = 0;
    size_t position_ = 0;
    int64_t line_number_ = 0;
};

// What makes two lines the same image: the parsed reference where it parses
// (so that spellings of one image meet), else the text itself.
std::string identity_of(const std::string& reference, bool docker_hub) {
    try {
        const Reference parsed = parse_reference(reference, docker_hub);
        const std::string host = parsed.host.empty() && docker_hub ? "docker.io" : parsed.host;
        return "parsed\t" + host + "\t" + parsed.repository + "\t" + parsed.tag + "\t" + parsed.digest;
    } catch (const std::invalid_argument&) {
        return "text\t" + reference;
    }
}

}  // namespace

ImageList load_image_list(const std::string& path, bool docker_hub) {
    BoundedLineReader reader(path);
    ImageList list;
    std::unordered_set<std::string> listed;
    int pull_column = -1, star_column = -1;
    std::map<std::string, std::size_t> listing_columns;
    std::string line;
    while (reader.next(line)) {
        const auto line_number = static_cast<int>(reader.line_number());
        std::string_view text = trim(line);
        if (text.starts_with("#reference")) {
            auto names = split_tabs(text);
            for (std::size_t i = 1; i < names.size(); ++i) {
                auto name = trim(names[i]);
                if (name == "pull_count") pull_column = static_cast<int>(i);
                if (name == "star_count") star_column = static_cast<int>(i);
                if (name == "last_updated" || name == "is_official" || name == "source")
                    listing_columns[std::string(name)] = i;
            }
            continue;
        }
        if (text.empty() || text.front() == '#') continue;
        auto fields = split_tabs(text);
        ImageListEntry entry;
        entry.reference = std::string(trim(fields[0]));
        entry.line_number = line_number;
        const auto where = path + ":" + std::to_string(line_number);
        if (pull_column > 0 && static_cast<std::size_t>(pull_column) < fields.size())
            entry.pull_count = parse_count(fields[pull_column], where);
        if (star_column > 0 && static_cast<std::size_t>(star_column) < fields.size())
            entry.star_count = parse_count(fields[star_column], where);
        entry.listing = read_listing(fields, listing_columns);
        if (!listed.insert(identity_of(entry.reference, docker_hub)).second) {
            ++list.duplicates;
            continue;
        }
        list.entries.push_back(std::move(entry));
    }
    if (list.entries.empty()) throw std::runtime_error("no images in " + path);
    return list;
}

std::vector<ImageListEntry> read_image_list(const std::string& path) { return load_image_list(path, false).entries; }

}  // namespace regcensus
