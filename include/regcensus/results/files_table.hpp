#pragma once
// `/files` (run --files, format version 2): one row per tar entry of every
// analysed layer, from the entry tables the shard files keep, in /layers row
// order (shards are consecutive runs of layers in digest order, so shard by
// shard is row order) and tar order within a layer (docs/union-view.md, "/files").
//
// At registry scale the table has billions of rows, too many for one rank to
// copy. So each rank writes its own shards' rows, one piece file per shard,
// beside the results file:
//
//   DIR/results.h5                       /files/<column>: virtual datasets
//   DIR/results.files/SET/shard-NNNNN.h5 /files/<column>: that shard's rows
//
// and rank 0 joins the pieces without copying (h5/virtual_dataset.hpp). SET is
// new for every merge, so the results file it replaces keeps its own pieces
// until the new one is in place; the older sets are removed after that.
// `--files-copy` writes the rows into results.h5 itself instead.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/census/census_plan.hpp"
#include "regcensus/h5/h5_location.hpp"

namespace regcensus {

// One rank's rows, as a piece file.
struct FilesPiece {
    std::string file;        // relative to the results file's directory
    int64_t first_layer_row = 0;  // orders the pieces
    std::size_t rows = 0;
};

// Writes the /files group into `file` by copying every row; returns the number of rows.
std::size_t write_files_table(const h5::File& file, const CensusPlan& plan, const LayerPlan& layers,
                              const std::string& work_dir);

// A name for this merge's set of pieces, new each time ("merge-" and 16 hex digits).
std::string new_files_piece_set();

// Creates the set's directory (rank 0, before the ranks write their pieces);
// throws std::runtime_error "cannot create DIR: cause".
void create_files_piece_set(const std::string& out_path, const std::string& set);

// Writes this rank's piece: the rows of the rank-th of `ranks` contiguous runs
// of the plan's shards (in /files order), as PIECES/SET/part-<rank, 5 digits>.h5,
// written atomically; none when the run holds no rows. One piece per rank, not
// per shard: a census of thousands of shards in per-shard pieces took longer to
// write and 30 times longer to read than a copy (docs/union-view.md, "/files").
// Throws std::runtime_error "cannot write PATH: cause".
std::optional<FilesPiece> write_files_piece(const CensusPlan& plan, const LayerPlan& layers,
                                          const std::string& work_dir, const std::string& out_path,
                                          const std::string& set, int rank, int ranks);

// Writes the /files group into `file` as virtual datasets over `pieces` (all
// ranks' pieces, in any order); returns the number of rows.
std::size_t join_files_pieces(const h5::File& file, std::vector<FilesPiece> pieces);

// After the results file is in place: removes every piece set beside it but
// `keep` (empty: all of them), and the pieces directory if nothing is left.
// Only names of the form merge-<16 hex digits> are touched. Returns false
// (and leaves the rest) when something cannot be removed.
bool remove_other_piece_sets(const std::string& out_path, const std::string& keep);

}  // namespace regcensus
