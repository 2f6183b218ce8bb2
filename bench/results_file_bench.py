#!/usr/bin/python3
"""Size and full-read time of results files (bench/results-file-bench.sh).

For each file: its size on disk, and the median wall time, over --repeat runs,
of opening it with h5py and reading every dataset whole (what an analysis that
loads the tables into pandas does). Prints one line per file and, with two or
more files, each file's figures as ratios to the first (the baseline).
"""
import argparse
import os
import statistics
import time

import h5py


def read_everything(path):
    values = 0
    with h5py.File(path, "r") as f:
        def visit(_name, item):
            nonlocal values
            if isinstance(item, h5py.Dataset):
                values += item[()].size if item.shape else 1
        f.visititems(visit)
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows = []
    for path in args.files:
        read_everything(path)  # warm the page cache: the figure is HDF5 and h5py, not the disk
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            values = read_everything(path)
            times.append(time.perf_counter() - start)
        rows.append((path, os.path.getsize(path), statistics.median(times), values))
    base_size, base_time = rows[0][1], rows[0][2]
    for path, size, seconds, values in rows:
        print(f"{path}: {size} bytes ({size / base_size:.2f}x), read {values} values in "
              f"{seconds * 1000:.1f} ms ({seconds / base_time:.2f}x)")


if __name__ == "__main__":
    main()
