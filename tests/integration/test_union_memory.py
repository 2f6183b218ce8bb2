"""The union walk's memory is bounded by the deepest chain, not by the number of images (docs/union-view.md,
"Memory per rank"): each rank's high-water marks, from the merge's own log line, stay within bounds counted
from /files, reach at least the largest final view, and do not move when the same chains carry twenty times
the images."""
import json
import os
import re
import shutil

import numpy as np
import pytest

from conftest import mpirun
from results import open_results

MARKS = re.compile(r"\[regcensus \S+ \S+ rank (\d+) \w+\] merge: union walk held at most (\d+) paths in its view, "
                   r"(\d+) undo records, (\d+) bytes of cached entry tables \(budget (\d+)\)")
COPIES = 20


def marks(stderr):
    found = {int(m[1]): tuple(int(v) for v in m.groups()[1:]) for m in MARKS.finditer(stderr)}
    assert sorted(found) == [0, 1], stderr
    return found


def ancestors(path):
    parts = path.split("/")
    return ["/".join(parts[:k]) for k in range(1, len(parts))]


@pytest.fixture(scope="module")
def walks(corpus, tmp_path_factory):
    """The corpus censused once as it is (with /files, for the bounds) and once with every manifest tagged
    COPIES times over in a copy of its layout (hard links: no blob is copied)."""
    base = tmp_path_factory.mktemp("union-memory")
    once = mpirun(2, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"],
                  "--out", base / "once.h5", "--work", base / "once", "--files")
    layout = base / "layout"
    shutil.copytree(corpus["dir"] / "layout", layout, copy_function=os.link)
    index = json.loads((layout / "index.json").read_text())
    copies = []
    for entry in index["manifests"]:
        for k in range(1, COPIES):
            copy = json.loads(json.dumps(entry))
            copy["annotations"]["org.opencontainers.image.ref.name"] += f"-copy{k}"
            copies.append(copy)
    index["manifests"] += copies
    (layout / "index.json").write_text(json.dumps(index))
    references = [line.split("\t")[0] for line in corpus["images"].read_text().splitlines()
                  if line and not line.startswith("#")]
    (base / "many.txt").write_text("".join(f"{ref}{suffix}\n" for ref in references
                                           for suffix in [""] + [f"-copy{k}" for k in range(1, COPIES)]))
    many = mpirun(2, "run", "--layout", layout, "--images", base / "many.txt",
                  "--out", base / "many.h5", "--work", base / "many")
    return {"once": (base / "once.h5", marks(once.stderr)), "many": (base / "many.h5", marks(many.stderr)),
            "references": references}


def chain_bounds(path):
    """Per ok image: the paths its chain can put in a view (entries and their parent directories), and the
    undo records it can log (two per entry and per parent directory an entry implies); and its final view."""
    with open_results(path) as res:
        files = res.table("files", columns=["layer", "path"])
        images = res.table("images", columns=["union_file_count", "union_dir_count", "union_symlink_count"])
        rows = files["layer"]
        starts = np.searchsorted(rows, np.arange(rows.max() + 2))
        bounds = []
        for image, union_files in enumerate(images["union_file_count"]):
            if union_files < 0:
                continue
            paths, touches = set(), 0
            for layer in res.image_layers(image):
                for p in files["path"][starts[layer]:starts[layer + 1]]:
                    above = ancestors(p)
                    paths.add(p)
                    paths.update(above)
                    touches += 1 + len(above)
            final = union_files + images["union_dir_count"][image] + images["union_symlink_count"][image]
            bounds.append((len(paths), 2 * touches, final))
    return bounds


def test_the_walk_stays_within_the_deepest_chain(walks):
    path, per_rank = walks["once"]
    bounds = chain_bounds(path)
    assert len(bounds) > 10
    view_bound = max(b[0] for b in bounds)
    undo_bound = max(b[1] for b in bounds)
    largest_final = max(b[2] for b in bounds)
    for rank, (view, undo, cached, budget) in per_rank.items():
        assert view <= view_bound, (rank, view, view_bound)
        assert undo <= undo_bound, (rank, undo, undo_bound)
        assert budget == (2 << 30) // 4  # a quarter of the default --memory-per-rank
        assert 0 < cached <= budget
    # Not vacuous: some rank held the largest image's final view.
    assert max(view for view, _, _, _ in per_rank.values()) >= largest_final


def test_twenty_times_the_images_cost_the_walk_nothing_more(walks):
    assert walks["many"][1] == walks["once"][1]
    with open_results(walks["once"][0]) as once, open_results(walks["many"][0]) as many:
        a, b = once.table("images"), many.table("images")
    row_of = {ref: i for i, ref in enumerate(b["reference"])}
    union_columns = [c for c in a if c.startswith(("union_", "overwritten_", "deleted_", "duplicate_", "wasted"))]
    assert len(b["reference"]) == COPIES * len(a["reference"])
    for i, ref in enumerate(a["reference"]):
        for k in range(1, COPIES):
            j = row_of[f"{ref}-copy{k}"]
            for column in union_columns:
                assert b[column][j] == a[column][i], (ref, k, column)

