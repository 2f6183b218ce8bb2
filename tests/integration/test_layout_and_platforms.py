"""`regcensus run --layout` analyses a stored OCI image layout with no registry and
gives the same datasets as a run against the registry; `--all-platforms` gives one
/images row per platform of an index."""

from census_checks import check_all, datasets
from conftest import mpirun
from results import open_results


def test_layout_run_equals_registry_run(corpus, registry, tmp_path):
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", tmp_path / "registry.h5",
           "--work", tmp_path / "w1")
    mpirun(2, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"],
           "--out", tmp_path / "layout.h5", "--work", tmp_path / "w2")
    check_all(tmp_path / "layout.h5", corpus["truth"])
    a, b = datasets(tmp_path / "registry.h5"), datasets(tmp_path / "layout.h5")
    # Only the wording of the missing image's error names where it was looked up.
    a.pop("images/error"), b.pop("images/error")
    assert a == b


def test_all_platforms_gives_a_row_per_platform(corpus, registry, tmp_path):
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", tmp_path / "all.h5",
           "--work", tmp_path / "w", "--all-platforms")
    truth = corpus["truth"]["images"]
    with open_results(tmp_path / "all.h5") as res:
        images = res.table("images")
    # The corpus's arm64 configs name the variant (linux/arm64/v8); compare os/arch.
    platforms = ["/".join(p.split("/")[:2]) for p in images["platform"]]
    rows = list(zip(images["reference"], platforms, images["status"], images["index_digest"]))
    expected = []
    for image in truth:
        if image["index_digest"]:
            # Every index of the corpus lists arm64 first, then amd64.
            expected += [(image["reference"], "linux/arm64", "ok", image["index_digest"]),
                         (image["reference"], "linux/amd64", "ok", image["index_digest"])]
        else:
            expected.append((image["reference"], image["platform"] if image["status"] == "ok" else "",
                             image["status"], ""))
    assert rows == expected
    amd64 = {r: m for r, p, m in zip(images["reference"], images["platform"], images["manifest_digest"])
             if p == "linux/amd64"}
    for image in truth:
        if image["index_digest"]:
            assert amd64[image["reference"]] == image["manifest_digest"]
