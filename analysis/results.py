"""Read a regcensus results file (HDF5, format "regcensus-results").

The contract of the file is docs/results-file.md. This
module only reads it; it needs h5py and numpy, and works with pandas when
pandas is installed (``pandas.DataFrame(res.table("layers"))``) without
requiring it.

Usage::

    from results import open_results

    with open_results("results.h5") as res:
        print(res.attrs["image_count"])
        images = res.table("images")               # {column: numpy array}
        layers = res.table("layers", columns=["digest", "compressed_bytes"])
        lower, counts = res.histogram("file_size")
        dedup = res.dedup()                        # attrs + copies + top
        rows = res.image_layers(0)                 # /layers rows of image 0

Strings come back as numpy object arrays of Python ``str``. Integer columns
are int64 with -1 meaning "unknown"; the loader leaves them as they are so
that every script decides for itself how to treat unknown values.
"""

from __future__ import annotations

import os

import h5py
import numpy as np

FORMAT_NAME = "regcensus-results"
SUPPORTED_FORMAT_VERSION = 2  # version 2: the union view (docs/union-view.md)

# The tables of the contract; table() accepts any group of 1-D datasets
# (e.g. "dedup/top") but these are the ones users ask for most.
TABLES = ("images", "layers", "filetypes")

# Datasets inside /images that are an index, not columns: they do not have one
# entry per image, so table() leaves them out unless asked for by name (a data
# frame needs equal-length columns). Use layer_index() / image_layers().
INDEX_COLUMNS = {"images": ("layer_offsets", "layer_rows")}


class NotResultsFileError(ValueError):
    """The file is missing, not HDF5, or not a regcensus results file."""


class MissingPieceError(ValueError):
    """A piece file that /files joins (results.files/...) is missing or short.

    HDF5 reads a missing source of a virtual dataset as fill values without a
    word, so the loader checks the pieces before it reads /files.
    """


def _plain(value):
    """Turn an HDF5 attribute value into a plain Python value.

    h5py returns numpy scalars and, for some string types, bytes; scripts
    compare attributes with ``==`` and print them, so plain int/float/str
    is what they expect.
    """
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind in ("S", "O"):
            return [_plain(v) for v in value.tolist()]
        return value
    return value


def _read_dataset(ds: h5py.Dataset) -> np.ndarray:
    """Read a whole dataset, decoding strings to Python str.

    Bad bytes are rendered as ``\\xNN`` (backslashreplace), the same
    convention the writer uses for paths that are not valid UTF-8, so one
    malformed string cannot stop an analysis of millions of rows.
    """
    if h5py.check_string_dtype(ds.dtype) is not None:
        return ds.asstr(errors="backslashreplace")[()]
    return ds[()]


class Results:
    """An open results file. Use open_results() to create one."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise NotResultsFileError(f"{self.path}: no such file")
        try:
            self._file = h5py.File(self.path, "r")
        except OSError as exc:
            raise NotResultsFileError(f"{self.path}: not an HDF5 file ({exc})") from None
        self.attrs = {key: _plain(val) for key, val in self._file.attrs.items()}
        fmt = self.attrs.get("format")
        if fmt != FORMAT_NAME:
            self._file.close()
            raise NotResultsFileError(
                f"{self.path}: not a regcensus results file "
                f"(root attribute 'format' is {fmt!r}, expected {FORMAT_NAME!r})"
            )

    # -- file handling -----------------------------------------------------

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "Results":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def format_version(self) -> int:
        return int(self.attrs.get("format_version", -1))

    def __contains__(self, name: str) -> bool:
        return name.strip("/") in self._file

    # -- tables ------------------------------------------------------------

    def columns(self, name: str) -> list[str]:
        """Names of the row columns (1-D datasets) of table `name`, index excluded."""
        group = self._group(name)
        skip = INDEX_COLUMNS.get(name.strip("/"), ())
        return [key for key, obj in group.items()
                if isinstance(obj, h5py.Dataset) and key not in skip]

    def table(self, name: str, columns: list[str] | None = None) -> dict[str, np.ndarray]:
        """Columns of table `name` ("images", "layers", "filetypes", "dedup/top").

        `columns` restricts the read to some columns: the string columns of
        /images are by far the most expensive part of a large file, and most
        figures need two or three integer columns. The CSR index of /images
        (layer_offsets, layer_rows) is only returned when named here.
        """
        group = self._group(name)
        wanted = self.columns(name) if columns is None else list(columns)
        missing = [c for c in wanted if c not in group]
        if missing:
            raise KeyError(f"/{name.strip('/')} has no column(s) {', '.join(missing)}")
        for c in wanted:
            self.check_pieces(group[c])
        table = {c: _read_dataset(group[c]) for c in wanted}
        skip = INDEX_COLUMNS.get(name.strip("/"), ())
        lengths = {len(v) for c, v in table.items() if c not in skip}
        if len(lengths) > 1:
            raise ValueError(f"/{name.strip('/')}: columns have different lengths {sorted(lengths)}")
        return table

    def check_pieces(self, dataset: h5py.Dataset) -> None:
        """Raise MissingPieceError when a source of virtual dataset `dataset`
        (/files joined from its pieces) is missing or holds fewer rows than
        mapped; relative sources are found beside the results file, as HDF5
        finds them. Reading /files with h5py directly skips this check."""
        if not dataset.is_virtual:
            return
        beside = os.path.dirname(os.path.abspath(self.path))
        for mapping in dataset.virtual_sources():
            if mapping.file_name == ".":
                continue
            piece = os.path.join(beside, mapping.file_name)
            # The rows come from the virtual side: HDF5 1.10 reads a source
            # selection of "all" back as one point.
            expected = mapping.vspace.get_select_npoints()
            try:
                with h5py.File(piece, "r") as source:
                    rows = len(source[mapping.dset_name])
            except (OSError, KeyError):
                raise MissingPieceError(f"piece {piece} of {dataset.name} is missing or unreadable") from None
            if rows < expected:
                raise MissingPieceError(
                    f"piece {piece} of {dataset.name} holds {rows} rows, the results file expects {expected}")

    def description(self, path: str) -> str:
        """The `description` attribute of a dataset or group ('' if absent)."""
        return _plain(self._file[path.strip("/")].attrs.get("description", ""))

    def units(self, path: str) -> str:
        """The `units` attribute of a dataset ('' if absent)."""
        return _plain(self._file[path.strip("/")].attrs.get("units", ""))

    # -- image -> layers ---------------------------------------------------

    def layer_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The CSR index (layer_offsets, layer_rows) of /images."""
        images = self._file["images"]
        return images["layer_offsets"][()], images["layer_rows"][()]

    def image_layers(self, image_row: int) -> np.ndarray:
        """Rows of /layers that image `image_row` lists, base layer first.

        An image that lists a layer twice gets that row twice; an image whose
        manifest could not be read has no layers.
        """
        offsets = self._file["images"]["layer_offsets"]
        start, stop = int(offsets[image_row]), int(offsets[image_row + 1])
        return self._file["images"]["layer_rows"][start:stop]

    # -- histograms --------------------------------------------------------

    def histograms(self) -> list[str]:
        """Names of the groups under /histograms."""
        return list(self._file["histograms"].keys()) if "histograms" in self._file else []

    def histogram(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(lower, counts) of /histograms/NAME; lower edges are inclusive."""
        group = self._file["histograms"][name]
        return group["lower"][()], group["counts"][()]

    def histogram_binning(self, name: str) -> str:
        """The binning of a histogram: its `binning` attribute, else "pow2"."""
        return _plain(self._file["histograms"][name].attrs.get("binning", "pow2"))

    # -- dedup -------------------------------------------------------------

    def dedup(self) -> dict:
        """The /dedup group as a dict.

        Keys: the group attributes (file_count, file_bytes, unique_file_count,
        unique_bytes, ...), "copies" -> {"copies", "contents"} arrays and
        "top" -> table dict of the most wasteful contents.
        """
        group = self._file["dedup"]
        out = {key: _plain(val) for key, val in group.attrs.items()}
        out["copies"] = self.table("dedup/copies")
        out["top"] = self.table("dedup/top")
        return out

    # -- helpers -----------------------------------------------------------

    def _group(self, name: str) -> h5py.Group:
        key = name.strip("/")
        if key not in self._file or not isinstance(self._file[key], h5py.Group):
            raise KeyError(f"{self.path}: no table /{key}")
        return self._file[key]


def open_results(path: str | os.PathLike) -> Results:
    """Open a results file; raises NotResultsFileError if it is not one."""
    return Results(path)


def type_families(types: dict) -> list[str]:
    """The family of every /filetypes row: its `family` column, or the name before '/'
    in files written before that column existed (as regcensus report reads it)."""
    if "family" in types:
        return [str(f) for f in types["family"]]
    return [str(n).split("/")[0] for n in types["type"]]


def family_table(types: dict) -> dict[str, np.ndarray]:
    """/filetypes summed per family, in first-appearance order, under the column name
    `type`: a content has one category, so a family's sums over its categories
    (files, bytes, distinct contents, distinct bytes) are its own figures."""
    family_of = type_families(types)
    families = list(dict.fromkeys(family_of))
    out = {"type": np.array(families, dtype=object)}
    for column in ("file_count", "file_bytes", "unique_file_count", "unique_bytes"):
        sums = dict.fromkeys(families, 0)
        for family, amount in zip(family_of, types[column]):
            sums[family] += int(amount)
        out[column] = np.array([sums[f] for f in families], dtype=np.int64)
    return out
