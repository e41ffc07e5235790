"""The library as a package: runtime dependencies match what it imports, the reader's
Binder environment matches what the chapters import, and CITATION.cff is well formed."""
import ast
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "cavity_bcs"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# modules that load an optional dependency on purpose (on first use or inside a function)
OPTIONAL = {"plotting.py": "matplotlib", "symbolic": "sympy", "labelled.py": "xarray"}
IMPORT_TO_DISTRIBUTION = {"llvmlite": "numba", "distributed": "distributed", "yaml": "pyyaml", "IPython": "ipython"}


def _names(requirements) -> set:
    return {_normal(re.split(r"[<>=!~\[ ;]", r.strip(), maxsplit=1)[0]) for r in requirements
            if r.strip() and not r.strip().startswith(("#", "-"))}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def _third_party_imports(tree) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("cavity_bcs", "__future__")}


def test_runtime_dependencies_are_what_the_library_imports_outside_its_optional_modules():
    needed = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if any(rel == k or rel.startswith(k + "/") for k in OPTIONAL):
            continue
        needed |= {_normal(IMPORT_TO_DISTRIBUTION.get(m, m)) for m in _third_party_imports(ast.parse(path.read_text()))}
    # dask's client is detected by its module name in sweep(); it is the "cluster" extra
    needed.discard("distributed")
    assert _names(PYPROJECT["project"]["dependencies"]) == needed


def test_optional_dependencies_are_extras_and_not_runtime_requirements():
    core = _names(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    for module, distribution in OPTIONAL.items():
        assert distribution not in core, f"{distribution} (used only by {module}) must be an extra"
        assert any(distribution in _names(reqs) for reqs in extras.values()), f"no extra provides {distribution}"
    assert {"plot", "symbolic", "xarray", "cluster", "book", "test"} <= set(extras)
    assert {"dask", "distributed"} <= _names(extras["cluster"])
    assert {"pytest", "nbval"} <= _names(extras["test"]) and "jupyter-book" in _names(extras["book"])


def _chapter_imports() -> set:
    found = set()
    for notebook in (ROOT / "book").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
                found |= _third_party_imports(ast.parse(source))
    return found


def test_binder_requirements_cover_the_chapters_and_hold_no_development_tools():
    binder = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    names = _names(binder)
    # what the library needs at runtime, plus what the chapters import themselves (Jupyter's own
    # IPython comes with the kernel that repo2docker provides)
    needed = _names(PYPROJECT["project"]["dependencies"])
    needed |= {_normal(IMPORT_TO_DISTRIBUTION.get(m, m)) for m in _chapter_imports()} - {"ipython"}
    assert needed <= names, f"missing from binder/requirements.txt: {needed - names}"
    for tool in ("pytest", "playwright", "dask", "distributed", "ruff", "hypothesis", "qutip", "nbval", "jupyter-book"):
        assert tool not in names, f"{tool} is a development tool, not a reader's runtime"


def test_binder_pins_are_the_versions_the_book_is_built_with():
    from importlib.metadata import version as installed

    def pins(path):
        return {_normal(name): v for name, v in (line.split("==") for line in path.read_text().splitlines()
                                                  if "==" in line and not line.startswith("#"))}
    dev, binder = pins(ROOT / "requirements.txt"), pins(ROOT / "binder" / "requirements.txt")
    assert binder
    for name, version in binder.items():
        # pinned in requirements.txt, or (pulled in by jupyter-book there) the version installed beside it
        assert version == dev.get(name, installed(name)), (name, version)


def test_binder_post_build_installs_the_library_and_warms_the_numba_cache():
    post_build = ROOT / "binder" / "postBuild"
    text = post_build.read_text()
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert re.search(r"pip install --no-deps (-e )?\.", text)
    assert "tools/warm_numba_cache.py" in text and (ROOT / "tools" / "warm_numba_cache.py").exists()


def test_citation_file_names_the_library_and_the_paper_of_references_bib():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # the keys CFF 1.2.0 requires
        assert citation.get(key), key
    assert all(a.get("name") or a.get("family-names") for a in citation["authors"])
    assert "version" not in citation or citation["version"] == PYPROJECT["project"]["version"]
    assert citation["license"] == PYPROJECT["project"]["license"]
    # the paper, as references.bib (the book's bibliography) records it
    bib = (ROOT / "references.bib").read_text()
    entry = bib[bib.index("@article{cavitybcs2022"):]
    entry = entry[:entry.index("\n}")]
    bib_title = re.sub(r"[{}]", "", re.search(r"title\s*=\s*\{(.+)\},", entry).group(1))
    eprint = re.search(r"eprint\s*=\s*\{(.+)\}", entry).group(1)
    bib_families = [a.split(",")[0].strip() for a in re.search(r"author\s*=\s*\{(.+)\},", entry).group(1).split(" and ")]
    (paper,) = [r for r in citation["references"] if r["title"] == bib_title]
    assert paper["type"] == "article"
    assert [a["family-names"] for a in paper["authors"]] == bib_families
    assert any(eprint in str(i["value"]) for i in paper["identifiers"]) and eprint in paper["url"]
