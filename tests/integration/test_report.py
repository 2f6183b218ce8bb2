"""`regcensus report RESULTS [--json]` on the test corpus's real results: the JSON
numbers are exactly those of analysis/summary.py --json (same definitions,
docs/report.md) and those of the ground truth; the text form shows them."""
import json

from conftest import BIN, run
from test_analysis import census, check_headline, filetype_order, run_script, sample  # noqa: F401 (fixtures)


def test_report_json_equals_summary(census, corpus):
    report = json.loads(run([BIN, "report", census, "--json"]).stdout)
    summary = json.loads(run_script("summary.py", census, "--json"))
    assert report == summary
    check_headline(report, corpus["truth"], filetype_order(census))


def test_report_json_on_sample_with_failed_rows(sample):
    """The sample has failed images, a truncated layer and unknown values: both skip the same rows."""
    report = json.loads(run([BIN, "report", sample[0], "--json"]).stdout)
    assert report == json.loads(run_script("summary.py", sample[0], "--json"))
    assert report["images"] == {"listed": 8, "ok": 5}


def test_report_text(census, corpus):
    text = run([BIN, "report", census]).stdout
    summary = json.loads(run_script("summary.py", census, "--json"))
    assert f"images analysed (status ok)     {summary['images']['ok']:,} of {summary['images']['listed']:,}" in text
    for name, label in (("layer_file_count", "files per layer"), ("image_layer_count", "layers per image")):
        d = summary["distributions"][name]
        assert any(line.split()[:len(label.split())] == label.split() and f"{d['n']:,}" in line
                   and f"{d['p50']:,}" in line and f"{d['p90']:,}" in line for line in text.splitlines()), text
    assert f"{summary['dedup']['ratio_by_count']:.4g}" in text
    assert summary["file_families"]["by_count"][0]["family"] in text  # families by default; --kinds: categories
