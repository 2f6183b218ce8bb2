"""Per-phase log lines of `run` (census/phase_peak.hpp): rank 0 logs one line per phase (plan, analyse,
merge, and the union view inside the merge) with its wall time and the peak resident memory of every rank
during it; bench/union-bench.sh parses them. Times are not asserted (benchmarks measure speed)."""
import re

from conftest import BIN, mpirun, run

PHASE_LINE = re.compile(r"\] phase (plan|analyse|merge|union): (\d+\.\d\d) s, peak RSS per rank ((?:\d+, )*\d+) MiB"
                        r"( \(peak since start\))?$")


def test_two_rank_run_logs_each_phase_with_both_ranks_peaks(tmp_path):
    run([BIN, "synth", "--out", tmp_path / "corpus", "--images", "6", "--scale", "0.02", "--force"])
    result = mpirun(2, "run", "--layout", tmp_path / "corpus" / "layout", "--images", tmp_path / "corpus" / "images.txt",
                    "--out", tmp_path / "results.h5", "--work", tmp_path / "work", "--progress", "0")
    lines = [line for line in result.stderr.splitlines() if "] phase " in line]
    matches = [PHASE_LINE.search(line) for line in lines]
    assert all(matches), lines
    assert [m.group(1) for m in matches] == ["plan", "analyse", "union", "merge"], lines
    for line, m in zip(lines, matches):
        assert " rank 0 info]" in line, line
        peaks = [int(v) for v in m.group(3).split(", ")]
        assert len(peaks) == 2 and all(p > 0 for p in peaks), line
