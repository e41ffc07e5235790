"""The API reference: every public name documented once, the pages current, and a build of
the reference alone free of Sphinx warnings (``-W -n``, as the book is built)."""
import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

import cavity_bcs as cb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_api_pages  # noqa: E402

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
DIRECTIVE = re.compile(r"^\.\. (?:autoclass|autofunction|autodata):: (\S+)", re.M)
CURRENT = re.compile(r"^\.\. currentmodule:: (\S+)", re.M)


def _documented() -> list[str]:
    """Full names of the objects the API pages document, in page order."""
    names = []
    for page in sorted((ROOT / "book").glob("api*.md")):
        text = page.read_text()
        # each directive belongs to the last currentmodule above it (a data target may be fully qualified)
        marks = sorted([(m.start(), "module", m.group(1)) for m in CURRENT.finditer(text)]
                       + [(m.start(), "object", m.group(1)) for m in DIRECTIVE.finditer(text)])
        module = None
        for _, kind, name in marks:
            if kind == "module":
                module = name
            else:
                names.append(name if name.startswith("cavity_bcs.") else f"{module}.{name}")
    return names


def _public(module) -> list[str]:
    return [n for n in getattr(module, "__all__", ()) if not isinstance(getattr(module, n), types.ModuleType)]


def test_api_pages_are_current_with_the_package():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make_api_pages.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr + " (run: python tools/make_api_pages.py)"


def test_every_public_name_is_documented_exactly_once():
    documented = _documented()
    last_names = [n.rpartition(".")[2] for n in documented]
    wanted = set(_public(cb))
    for sub in make_api_pages.SUBPACKAGES:
        wanted |= set(_public(importlib.import_module(f"cavity_bcs.{sub}")))
    missing = sorted(wanted - set(last_names))
    assert not missing, f"public names without an API entry: {missing}"
    repeated = sorted({n for n in documented if documented.count(n) > 1})
    assert not repeated, repeated
    # the flat API is documented under the flat name, as it is called
    for name in _public(cb):
        obj = getattr(cb, name)
        if isinstance(obj, type) or callable(obj):
            assert f"cavity_bcs.{name}" in documented, name


def test_documented_objects_are_the_public_objects():
    for full in _documented():
        module_name, _, name = full.rpartition(".")
        module = importlib.import_module(module_name)
        assert hasattr(module, name), full


def test_every_api_page_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = set()

    def walk(entries):
        for entry in entries:
            files.add(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        walk(part["chapters"])
    pages = {f"book/{p.stem}" for p in (ROOT / "book").glob("api*.md")}
    assert pages and pages <= files, pages - files


@pytest.mark.skipif(not JUPYTER_BOOK.exists(), reason="jupyter-book is not installed beside python")
def test_api_reference_builds_without_a_sphinx_warning(tmp_path):
    # the committed configuration (extensions, napoleon, nitpicky ignores), execution off, only the API pages
    sys.path.insert(0, str(ROOT / "tools"))
    import book_config

    settings = yaml.safe_load((ROOT / "_config.yml").read_text())
    settings["execute"]["execute_notebooks"] = "off"
    settings = book_config._local_extensions_from(settings, ROOT, tmp_path)
    config = tmp_path / "_config_api.yml"
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    pages = sorted(p.stem for p in (ROOT / "book").glob("api_*.md"))
    toc = tmp_path / "_toc_api.yml"
    toc.write_text(yaml.safe_dump({"format": "jb-book", "root": "book/api",
                                   "chapters": [{"file": f"book/{p}"} for p in pages]}))
    done = subprocess.run([str(JUPYTER_BOOK), "build", str(ROOT), "-W", "-n", "--keep-going", "--toc", str(toc),
                           "--config", str(config), "--path-output", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=600,
                          env={"PATH": f"{JUPYTER_BOOK.parent}:/usr/bin:/bin", "CAVITY_BCS_PROGRESS": "0",
                               "HOME": str(tmp_path)})
    warnings = [line for line in (done.stdout + done.stderr).splitlines() if "WARNING" in line or "ERROR" in line]
    assert done.returncode == 0 and not warnings, "\n".join(warnings[:30]) or done.stderr[-3000:]
    html = (tmp_path / "out" / "_build" / "html" / "book" / "api.html").read_text()
    assert 'id="cavity_bcs.quench"' in html and 'id="cavity_bcs.Model"' in html
