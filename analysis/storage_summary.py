"""The /storage group of a results file (a census read with `run --storage`),
as the object `regcensus report --json` prints under "storage" (docs/storage.md)."""
import h5py

SCALARS = ("repositories", "tags", "manifests", "untagged_manifests", "unreadable_manifests", "blob_count",
           "blob_bytes", "image_bytes_without_layer_sharing", "file_count", "file_bytes", "unique_file_count",
           "unique_file_bytes")
REFERENCED_BY = ("tagged", "untagged", "none")
KINDS = ("layer", "config", "manifest")


def storage_section(path: str):
    """The "storage" member of the summary, or None when the file has no /storage."""
    with h5py.File(path, "r") as f:
        if "storage" not in f:
            return None
        g = f["storage"]
        out = {name: int(g.attrs[name]) for name in SCALARS}
        by = [v.decode() if isinstance(v, bytes) else str(v) for v in g["referenced_by"][()]]
        kind = [v.decode() if isinstance(v, bytes) else str(v) for v in g["kind"][()]]
        count, size = g["count"][()], g["bytes"][()]
        for ref in REFERENCED_BY:
            rows = [i for i in range(len(by)) if by[i] == ref]
            entry = {"count": int(sum(count[i] for i in rows)), "bytes": int(sum(size[i] for i in rows))}
            for k in KINDS:
                entry[k + "_count"] = int(sum(count[i] for i in rows if kind[i] == k))
                entry[k + "_bytes"] = int(sum(size[i] for i in rows if kind[i] == k))
            out["referenced_by_" + ref] = entry
        return out
