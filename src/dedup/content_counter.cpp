#include "regcensus/dedup/content_counter.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace regcensus::dedup {
namespace {

constexpr std::size_t kSmallCopies = 256;
// Records of one content come in any layer order, so each layer slot access is
// a likely cache miss; fetching the slot of a record this far ahead overlaps
// those misses instead of waiting on each in turn.
constexpr std::size_t kLayerPrefetchDistance = 16;

}  // namespace

ContentCounter::ContentCounter(std::size_t top_rows, std::size_t layer_count,
                               std::span<const int64_t> sole_image_of_layer)
    : top_rows_(top_rows), layer_count_(layer_count), small_copies_(kSmallCopies, 0), layers_(layer_count),
      count_shared_(!sole_image_of_layer.empty()) {
    if (count_shared_ && sole_image_of_layer.size() != layer_count_)
        throw std::invalid_argument("sole_image_of_layer needs one entry per layer row");
    for (std::size_t l = 0; l < sole_image_of_layer.size(); ++l) layers_[l].sole_image = sole_image_of_layer[l];
    summary_.per_layer.unique_file_count.assign(layer_count_, 0);
}

void ContentCounter::check_layer(uint32_t layer_row) const {
    if (layer_count_ != 0 && layer_row >= layer_count_)
        throw std::out_of_range("content record of layer row " + std::to_string(layer_row) + " beyond " +
                                std::to_string(layer_count_) + " layers");
}

void ContentCounter::add(std::span<const PackedRecord> sorted) {
    const std::size_t n = sorted.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i + kLayerPrefetchDistance < n) {
            const uint32_t ahead = sorted[i + kLayerPrefetchDistance].layer_row;
            if (ahead < layers_.size()) __builtin_prefetch(&layers_[ahead], 1);
        }
        const auto& r = sorted[i];
        if (!open_ || !same_content(r, first_)) {
            if (open_) close_content();
            start_content(r);
        }
        add_location(r);
    }
}

void ContentCounter::start_content(const PackedRecord& first) {
    open_ = true;
    first_ = first;
    copies_ = 0;
    example_layer_ = first.layer_row;
    example_file_ = first.file_index;
    content_layers_.clear();
    // A 32-bit stamp keeps the slot at 32 bytes; when it wraps, every old
    // stamp is cleared so that none can be mistaken for the new serial.
    if (++content_serial_ == 0) {
        for (auto& slot : layers_) slot.content = 0;
        content_serial_ = 1;
    }
}

void ContentCounter::add_location(const PackedRecord& r) {
    const uint32_t layer = r.layer_row, file = r.file_index;
    ++copies_;
    if (layer >= layers_.size()) {
        check_layer(layer);  // throws when a layer count was given
        layers_.resize(std::max<std::size_t>(layer + std::size_t{1}, 2 * layers_.size()));
    }
    auto& slot = layers_[layer];
    if (slot.content != content_serial_) {
        slot.content = content_serial_;
        slot.files = 0;
        content_layers_.push_back(layer);
    }
    // File indices are 32-bit, so a layer has at most 2^32 files: only the very last could wrap.
    if (++slot.files == 0) throw std::overflow_error("more than 2^32 - 1 files of one content in one layer");
    if (layer < example_layer_ || (layer == example_layer_ && file < example_file_)) {
        example_layer_ = layer;
        example_file_ = file;
    }
}

void ContentCounter::close_content() {
    const int64_t size = first_.size();
    const auto type = static_cast<std::size_t>(first_.type());
    auto& s = summary_;
    s.file_count += copies_;
    s.file_bytes += copies_ * size;
    s.unique_file_count += 1;
    s.unique_bytes += size;
    s.unique_files_by_type[type] += 1;
    s.unique_bytes_by_type[type] += size;
    if (static_cast<std::size_t>(copies_) < kSmallCopies)
        ++small_copies_[static_cast<std::size_t>(copies_)];
    else
        ++s.contents_by_copies[copies_];

    if (layer_count_ != 0) {
        if (copies_ == 1) ++s.per_layer.unique_file_count[example_layer_];
        const bool cross_layer = content_layers_.size() >= 2;
        bool shared = false;
        if (count_shared_) {
            // In two images iff a layer is listed by several images, or the layers' sole images differ.
            const int64_t image = layers_[content_layers_.front()].sole_image;
            shared = image < 0;
            for (std::size_t i = 1; i < content_layers_.size() && !shared; ++i)
                shared = layers_[content_layers_[i]].sole_image != image;
        }
        if (cross_layer || shared) {
            for (auto layer : content_layers_) {
                auto& slot = layers_[layer];
                if (cross_layer) slot.cross_layer_files += slot.files;
                if (shared) slot.shared_files += slot.files;
            }
        }
    }

    if (copies_ > 1 && size > 0 && top_rows_ > 0) {
        TopContent candidate;
        candidate.hash = first_.hash();
        candidate.size = size;
        candidate.copies = copies_;
        candidate.layers = static_cast<int64_t>(content_layers_.size());
        candidate.type = first_.type();
        candidate.first_layer_row = example_layer_;
        candidate.first_file_index = example_file_;
        offer_top(candidate);
    }
    open_ = false;
}

void ContentCounter::offer_top(const TopContent& candidate) {
    if (have_floor_ && !ranks_before(candidate, floor_)) return;
    candidates_.push_back(candidate);
    // Prune now and then: only the best top_rows can survive, so the list stays bounded.
    if (candidates_.size() >= 2 * top_rows_ + 64) {
        std::nth_element(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(top_rows_ - 1),
                         candidates_.end(), ranks_before);
        candidates_.resize(top_rows_);
        floor_ = candidates_.back();
        have_floor_ = true;
    }
}

DedupSummary ContentCounter::finish() {
    if (open_) close_content();
    if (layer_count_ != 0) {
        auto& per_layer = summary_.per_layer;
        per_layer.cross_layer_file_count.resize(layer_count_);
        per_layer.shared_files_count.resize(layer_count_);
        for (std::size_t l = 0; l < layer_count_; ++l) {
            per_layer.cross_layer_file_count[l] = layers_[l].cross_layer_files;
            per_layer.shared_files_count[l] = layers_[l].shared_files;
        }
    }
    for (std::size_t k = 1; k < kSmallCopies; ++k)
        if (small_copies_[k] != 0) summary_.contents_by_copies[static_cast<int64_t>(k)] += small_copies_[k];
    std::sort(candidates_.begin(), candidates_.end(), ranks_before);
    if (candidates_.size() > top_rows_) candidates_.resize(top_rows_);
    summary_.top = std::move(candidates_);
    return std::move(summary_);
}

}  // namespace regcensus::dedup
