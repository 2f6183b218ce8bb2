"""The module map of docs/modules.md holds: every include of src/ and include/
is an edge the map allows, every module directory is in the map, the map is a
DAG, and a header only its own module includes lives next to its sources.

The checks are functions of a source tree so that the tests below can run them
on a copy with one deliberately bad include and see them fail."""
import os
import pathlib
import re
import shutil

SOURCE = pathlib.Path(os.environ.get("REGCENSUS_SOURCE", pathlib.Path(__file__).resolve().parents[2]))

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
# Headers the build writes (CMakeLists.txt: regcensus_commit_header), included by plain name.
GENERATED = {"regcensus_commit.h"}
ROW = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|[^|]*\|([^|]*)\|\s*$")


def read_map(root):
    """module -> set of modules it may use, from the table of docs/modules.md."""
    allowed = {}
    for line in (root / "docs" / "modules.md").read_text().splitlines():
        row = ROW.match(line)
        if row:
            assert row.group(1) not in allowed, f"module {row.group(1)} twice in docs/modules.md"
            allowed[row.group(1)] = {m.strip() for m in row.group(2).split(",") if m.strip()}
    return allowed


def module_of(root, path):
    rel = path.relative_to(root).parts
    if rel[0] == "src":
        return "main" if len(rel) == 2 else rel[1]
    return rel[2]  # include/regcensus/MODULE/...


def code_files(root):
    for base in (root / "src", root / "include" / "regcensus"):
        for path in sorted(base.rglob("*")):
            if path.suffix in (".cpp", ".hpp", ".h"):
                yield path


def module_directories(root):
    found = {p.name for p in (root / "src").iterdir() if p.is_dir()}
    found |= {p.name for p in (root / "include" / "regcensus").iterdir() if p.is_dir()}
    if (root / "src" / "main.cpp").exists():
        found.add("main")
    return found


def map_problems(root):
    """Every way the tree at `root` departs from its module map, as messages."""
    allowed = read_map(root)
    problems = []
    for unknown in sorted(module_directories(root) - allowed.keys()):
        problems.append(f"module {unknown} is not in docs/modules.md")
    for stale in sorted(allowed.keys() - module_directories(root)):
        problems.append(f"docs/modules.md names module {stale}, which has no directory")
    for module, uses in sorted(allowed.items()):
        for used in sorted(uses - allowed.keys()):
            problems.append(f"docs/modules.md: {module} may use {used}, which is no module")
    problems += cycles(allowed)
    if not any(p.startswith("docs/modules.md has a cycle") for p in problems):
        problems += layer_problems(root, allowed)

    included_by = {}  # include/ header -> modules whose files include it
    for path in code_files(root):
        module = module_of(root, path)
        for target in INCLUDE.findall(path.read_text(errors="replace")):
            where = f"{path.relative_to(root)} includes \"{target}\""
            if target.startswith("regcensus/"):
                parts = target.split("/")
                if len(parts) < 3:
                    problems.append(f"{where}: not a module's header")
                    continue
                used = parts[1]
                header = root / "include" / target
                if not header.exists():
                    problems.append(f"{where}: no such header")
                    continue
                included_by.setdefault(header, set()).add(module)
                if used != module and used not in allowed.get(module, set()):
                    problems.append(f"{where}: {module} may not use {used} (docs/modules.md)")
            elif target in GENERATED:
                continue
            elif (path.parent / target).exists():
                # A relative include names a header of the same directory, and so the same module.
                if module_of(root, (path.parent / target).resolve()) != module:
                    problems.append(f"{where}: a relative include out of module {module}")
            else:
                problems.append(f"{where}: neither regcensus/MODULE/... nor a header beside it")

    # A public header is there for someone else: another module, the tests, the
    # benchmarks, or a public header that includes it (and so hands it on).
    public = {target for base in ("tests", "bench", "fuzz")
              for path in (root / base).rglob("*") if path.suffix in (".cpp", ".hpp", ".h")
              for target in INCLUDE.findall(path.read_text(errors="replace"))}
    public |= {str(header.relative_to(root / "include")) for header, users in included_by.items()
               if users - {header.parent.name}}
    while True:
        handed_on = {target for header in public if (root / "include" / header).exists()
                     for target in INCLUDE.findall((root / "include" / header).read_text(errors="replace"))}
        if handed_on <= public:
            break
        public |= handed_on
    for header in sorted((root / "include" / "regcensus").rglob("*.hpp")):
        target = str(header.relative_to(root / "include"))
        if target not in public:
            problems.append(f"include/{target} is used only inside {header.parent.name}: "
                            f"move it to src/{header.parent.name}/")
    return problems


def layer_problems(root, allowed):
    """The drawing of the map in layers agrees with the table: each module sits
    one layer above the highest module it may use."""
    text = (root / "docs" / "modules.md").read_text()
    drawing = text.split("```\n", 2)[1] if text.count("```") >= 2 else ""
    drawn = {module: int(row.split()[0]) for row in drawing.splitlines() if row.split()
             for module in row.split()[1:]}
    depth = {}

    def layer(module):
        if module not in depth:
            depth[module] = 1 + max((layer(u) for u in allowed[module] if u in allowed), default=-1)
        return depth[module]

    problems = []
    for module in sorted(allowed.keys() | drawn.keys()):
        want = layer(module) if module in allowed else None
        if drawn.get(module) != want:
            problems.append(f"docs/modules.md draws {module} in layer {drawn.get(module)}, the table puts it in {want}")
    return problems


def cycles(allowed):
    problems, state = [], {}

    def visit(module, trail):
        state[module] = "open"
        for used in sorted(allowed.get(module, ())):
            if state.get(used) == "open":
                problems.append("docs/modules.md has a cycle: " + " -> ".join(trail + [module, used]))
            elif used in allowed and used not in state:
                visit(used, trail + [module])
        state[module] = "done"

    for module in sorted(allowed):
        if module not in state:
            visit(module, [])
    return problems


def test_tree_follows_module_map():
    assert map_problems(SOURCE) == []


def copy_tree(tmp_path):
    copy = tmp_path / "tree"
    for part in ("src", "include", "docs", "tests", "bench", "fuzz"):
        shutil.copytree(SOURCE / part, copy / part)
    return copy


def test_a_forbidden_include_fails(tmp_path):
    """h5 may use util only: the thin HDF5 wrapper including the results writer is refused."""
    tree = copy_tree(tmp_path)
    victim = tree / "src" / "h5" / "h5_location.cpp"
    victim.write_text('#include "regcensus/results/results_writer.hpp"\n' + victim.read_text())
    assert map_problems(tree) == [
        'src/h5/h5_location.cpp includes "regcensus/results/results_writer.hpp": '
        "h5 may not use results (docs/modules.md)"]


def test_a_module_missing_from_the_map_fails(tmp_path):
    tree = copy_tree(tmp_path)
    (tree / "src" / "pipeline").mkdir()
    (tree / "src" / "pipeline" / "leftover.cpp").write_text('#include "regcensus/util/log.hpp"\n')
    assert map_problems(tree) == [
        "module pipeline is not in docs/modules.md",
        'src/pipeline/leftover.cpp includes "regcensus/util/log.hpp": pipeline may not use util (docs/modules.md)']


def test_a_cycle_in_the_map_fails(tmp_path):
    tree = copy_tree(tmp_path)
    doc = tree / "docs" / "modules.md"
    doc.write_text(doc.read_text().replace("| thin RAII over the HDF5 C API: locations, datasets, attributes, "
                                           "atomic files, column appenders | util |",
                                           "| thin RAII over the HDF5 C API | results, util |"))
    problems = map_problems(tree)
    assert any(p.startswith("docs/modules.md has a cycle: ") and "h5 -> results" in p for p in problems), problems


def test_a_drawing_out_of_step_with_the_table_fails(tmp_path):
    tree = copy_tree(tmp_path)
    doc = tree / "docs" / "modules.md"
    doc.write_text(doc.read_text().replace(" 7  merge\n 8  run\n", " 7  merge  run\n"))
    assert map_problems(tree) == ["docs/modules.md draws run in layer 7, the table puts it in 8"]


def test_a_header_only_its_module_uses_belongs_beside_its_sources(tmp_path):
    tree = copy_tree(tmp_path)
    (tree / "include" / "regcensus" / "h5" / "private_detail.hpp").write_text("#pragma once\n")
    victim = tree / "src" / "h5" / "h5_location.cpp"
    victim.write_text('#include "regcensus/h5/private_detail.hpp"\n' + victim.read_text())
    assert map_problems(tree) == ["include/regcensus/h5/private_detail.hpp is used only inside h5: "
                                  "move it to src/h5/"]
