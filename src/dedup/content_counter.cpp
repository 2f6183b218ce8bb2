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
      small_copies_(kSmallCopies, 0) {
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
        if (open_ && same_content(r, first_)) {
            ++copies_;
            const uint32_t layer = r.layer_row;
            if (layer_files_.back().first == layer)
                ++layer_files_.back().second;
            else {
                check_layer(layer);
                layer_files_.emplace_back(layer, 1);
            }
            continue;
        }
        if (open_) close_content();
        start_content(r);
    }
}

void ContentCounter::start_content(const PackedRecord& first) {
    check_layer(first.layer_row);
    open_ = true;
    first_ = first;
    copies_ = 1;
    layer_files_.clear();
    layer_files_.emplace_back(first.layer_row, 1);
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
        if (copies_ == 1) ++per_layer.unique_file_count[first_.layer_row];
        if (layer_files_.size() >= 2)
            for (auto [layer, files] : layer_files_) per_layer.cross_layer_file_count[layer] += files;
        if (!sole_image_.empty()) {
            // In two images iff a layer is listed by several images, or the layers' sole images differ.
            const int64_t image = sole_image_[layer_files_.front().first];
            bool shared = image < 0;
            for (std::size_t i = 1; i < layer_files_.size() && !shared; ++i)
                shared = sole_image_[layer_files_[i].first] != image;
            if (shared)
                for (auto [layer, files] : layer_files_) per_layer.shared_files_count[layer] += files;
        }
    }

    if (copies_ > 1 && size > 0 && top_rows_ > 0) {
        TopContent candidate;
        candidate.hash = first_.hash();
        candidate.size = size;
        candidate.copies = copies_;
        candidate.layers = static_cast<int64_t>(layer_files_.size());
        candidate.type = first_.type();
        candidate.first_layer_row = first_.layer_row;
        candidate.first_file_index = first_.file_index;
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
