#include "regcensus/dedup/content_counter.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace regcensus::dedup {
namespace {

constexpr std::size_t kSmallCopies = 256;

}  // namespace

ContentCounter::ContentCounter(std::size_t top_rows, std::size_t layer_count,
                               std::span<const int64_t> sole_image_of_layer)
    : top_rows_(top_rows), layer_count_(layer_count), sole_image_(sole_image_of_layer),
      small_copies_(kSmallCopies, 0), tally_(layer_count) {
    if (!sole_image_.empty() && sole_image_.size() != layer_count_)
        throw std::invalid_argument("sole_image_of_layer needs one entry per layer row");
    summary_.per_layer.unique_file_count.assign(layer_count_, 0);
    summary_.per_layer.cross_layer_file_count.assign(layer_count_, 0);
    summary_.per_layer.shared_files_count.assign(layer_count_, 0);
}

void ContentCounter::check_layer(uint32_t layer_row) const {
    if (layer_count_ != 0 && layer_row >= layer_count_)
        throw std::out_of_range("content record of layer row " + std::to_string(layer_row) + " beyond " +
                                std::to_string(layer_count_) + " layers");
}

void ContentCounter::add(std::span<const PackedRecord> sorted) {
    for (const auto& r : sorted) {
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
    ++content_serial_;
}

void ContentCounter::add_location(const PackedRecord& r) {
    const uint32_t layer = r.layer_row, file = r.file_index;
    ++copies_;
    if (layer >= tally_.size()) {
        check_layer(layer);  // throws when a layer count was given
        tally_.resize(std::max<std::size_t>(layer + std::size_t{1}, 2 * tally_.size()));
    }
    auto& tally = tally_[layer];
    if (tally.content != content_serial_) {
        tally.content = content_serial_;
        tally.files = 0;
        content_layers_.push_back(layer);
    }
    ++tally.files;
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
        auto& per_layer = s.per_layer;
        if (copies_ == 1) ++per_layer.unique_file_count[example_layer_];
        if (content_layers_.size() >= 2)
            for (auto layer : content_layers_) per_layer.cross_layer_file_count[layer] += tally_[layer].files;
        if (!sole_image_.empty()) {
            // In two images iff a layer is listed by several images, or the layers' sole images differ.
            const int64_t image = sole_image_[content_layers_.front()];
            bool shared = image < 0;
            for (std::size_t i = 1; i < content_layers_.size() && !shared; ++i)
                shared = sole_image_[content_layers_[i]] != image;
            if (shared)
                for (auto layer : content_layers_) per_layer.shared_files_count[layer] += tally_[layer].files;
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
    for (std::size_t k = 1; k < kSmallCopies; ++k)
        if (small_copies_[k] != 0) summary_.contents_by_copies[static_cast<int64_t>(k)] += small_copies_[k];
    std::sort(candidates_.begin(), candidates_.end(), ranks_before);
    if (candidates_.size() > top_rows_) candidates_.resize(top_rows_);
    summary_.top = std::move(candidates_);
    return std::move(summary_);
}

}  // namespace regcensus::dedup
