#include "union_replay.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace regcensus::synth {
namespace {

using View = std::map<std::string, EntryOccurrence>;

bool at_or_under(const std::string& key, const std::string& path) {
    return key == path || (key.size() > path.size() && key.compare(0, path.size(), path) == 0 && key[path.size()] == '/');
}

bool strictly_under(const std::string& key, const std::string& directory) {
    return directory.empty() || (key.size() > directory.size() && key.compare(0, directory.size(), directory) == 0 &&
                                 key[directory.size()] == '/');
}

std::string parent(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Removes every key the predicate picks; counts the regular files among them.
template <typename Pick>
void remove_if(View& view, Pick pick, int64_t& files, int64_t& bytes) {
    for (auto it = view.begin(); it != view.end();) {
        if (!pick(it->first)) {
            ++it;
            continue;
        }
        if (it->second.kind == 'f') {
            ++files;
            bytes += it->second.size;
        }
        it = view.erase(it);
    }
}

}  // namespace

UnionTruth replay_union(const std::vector<const LayerProfile*>& layers) {
    View view;
    UnionTruth t;
    for (const LayerProfile* layer : layers) {
        for (const auto& e : layer->entries) {
            if (e.kind == 'o') {
                const std::string directory = parent(e.path);
                remove_if(view, [&](const std::string& k) { return strictly_under(k, directory); }, t.deleted_file_count,
                          t.deleted_bytes);
            } else if (e.kind == 'w') {
                const std::string directory = parent(e.path);
                const std::string name = e.path.substr(directory.empty() ? 0 : directory.size() + 1).substr(4);
                if (name.empty()) continue;
                const std::string target = directory.empty() ? name : directory + "/" + name;
                remove_if(view, [&](const std::string& k) { return at_or_under(k, target); }, t.deleted_file_count,
                          t.deleted_bytes);
            }
        }
        for (const auto& e : layer->entries) {
            for (std::size_t slash = e.path.find('/'); slash != std::string::npos; slash = e.path.find('/', slash + 1)) {
                const std::string ancestor = e.path.substr(0, slash);
                const auto found = view.find(ancestor);
                if (found != view.end() && found->second.kind == 'd') continue;
                if (found != view.end()) {
                    remove_if(view, [&](const std::string& k) { return k == ancestor; }, t.overwritten_file_count,
                              t.overwritten_bytes);
                }
                view[ancestor] = EntryOccurrence{ancestor, 'd', 0, {}};
            }
            if (e.kind == 'w' || e.kind == 'o') continue;
            const auto found = view.find(e.path);
            if (found != view.end() && found->second.kind == 'd' && e.kind == 'd') continue;
            remove_if(view, [&](const std::string& k) { return at_or_under(k, e.path); }, t.overwritten_file_count,
                      t.overwritten_bytes);
            view[e.path] = e;
        }
    }
    std::map<std::string, int64_t> distinct;  // content hash -> size
    for (const auto& [path, e] : view) {
        if (e.kind == 'f') {
            ++t.file_count;
            t.file_bytes += e.size;
            distinct[e.hash] = e.size;
        } else if (e.kind == 'd') {
            ++t.dir_count;
            t.max_depth = std::max<int64_t>(t.max_depth, 1 + std::count(path.begin(), path.end(), '/'));
        } else if (e.kind == 's') {
            ++t.symlink_count;
        }
    }
    int64_t distinct_bytes = 0;
    for (const auto& [hash, size] : distinct) distinct_bytes += size;
    t.duplicate_file_count = t.file_count - static_cast<int64_t>(distinct.size());
    t.duplicate_bytes = t.file_bytes - distinct_bytes;
    return t;
}

}  // namespace regcensus::synth
