#pragma once
// The one vocabulary of row statuses: every word an /images or /layers row's
// `status` column (and a shard file's) can hold, what it means and whether
// `run --resume --retry-failed` tries the row again. The HTTP client, the
// crawler, the layer analyser and the census write these words; docs/status.md
// lists the same table (tests/unit/row_status_test.cpp checks both agree, and
// that every status the sources write is in it).
#include <span>
#include <string>
#include <string_view>

namespace regcensus {

struct RowStatus {
    std::string_view name;     // as written in the status column
    bool retryable;            // --retry-failed redoes the row
    std::string_view meaning;  // one sentence, as in docs/status.md
};

// Every status, "ok" first. An HTTP status without a word of its own is
// written "http_<code>" (the "http_<code>" row); 408 and 5xx gateway codes
// have their own rows because they are retryable.
std::span<const RowStatus> row_statuses();

// The entry of `status` (an "http_<digits>" not listed gives the "http_<code>"
// row); nullptr for a word not in the vocabulary.
const RowStatus* find_row_status(std::string_view status);

// A failure worth trying again: the network, the registry's load or a
// transfer cut short, not the data.
bool is_retryable_status(std::string_view status);

}  // namespace regcensus

namespace regcensus {

// The table as the Markdown docs/status.md holds it (one row per status).
std::string row_status_markdown();

}  // namespace regcensus
