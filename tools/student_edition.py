"""Build the student edition of the book: every exercise kept, every solution removed.

    python tools/student_edition.py [--output _build/student]

Copies the book's sources (``_config.yml``, ``_toc.yml``, ``references.bib`` and ``book/``) to a
temporary directory, removes from every chapter what lies between ``{solution-start}`` and the
closing ``{solution-end}`` — the solution's text and its code cells — and builds the copy from the
stored outputs (no chapter is executed). The HTML lands in ``<output>/html``; hand that folder to
students. The full book (with solutions) is the README's build command.

sphinx-exercise's own ``hide_solutions`` switch is not used: it drops only the first cell of a
solution that spans several notebook cells, so the solution's code would stay on the page.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
START = re.compile(r"```\{solution-start\}[^\n]*\n(?:[ \t]*:[^\n]*\n)*```[ \t]*\n?")
END = re.compile(r"```\{solution-end\}[^\n]*\n```[ \t]*\n?")


def strip_solutions(cells: list[dict]) -> list[dict]:
    """The notebook's cells with every gated solution removed (text between the directives, and the cells inside)."""
    kept, inside = [], False
    for cell in cells:
        if cell["cell_type"] != "markdown":
            if not inside:
                kept.append(cell)
            continue
        text, out, pos = "".join(cell["source"]), [], 0
        while True:
            if inside:
                end = END.search(text, pos)
                if end is None:
                    pos = len(text)
                    break
                pos, inside = end.end(), False
            else:
                start = START.search(text, pos)
                if start is None:
                    out.append(text[pos:])
                    break
                out.append(text[pos:start.start()])
                pos, inside = start.end(), True
        remaining = "".join(out).strip("\n")
        if remaining.strip():
            kept.append({**cell, "source": (remaining + "\n").splitlines(True)})
    if inside:
        raise ValueError("a {solution-start} without its {solution-end}")
    return kept


def strip_markdown(text: str) -> str:
    """The same for a MyST Markdown page."""
    cells = strip_solutions([{"cell_type": "markdown", "metadata": {}, "source": text.splitlines(True)}])
    return "".join(cells[0]["source"]) if cells else ""


def prepare(target: Path) -> None:
    """Copy the book's sources into ``target`` with the solutions removed."""
    for name in ("_config.yml", "_toc.yml", "references.bib"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "book", target / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for path in (target / "book").glob("*.ipynb"):
        nb = json.loads(path.read_text())
        nb["cells"] = strip_solutions(nb["cells"])
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    for path in (target / "book").glob("*.md"):
        path.write_text(strip_markdown(path.read_text()))
    config = yaml.safe_load((target / "_config.yml").read_text())
    config["title"] = config.get("title", "") + " (student edition)"
    config["execute"]["execute_notebooks"] = "off"  # the stored outputs, minus the solutions
    (target / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(ROOT / "_build" / "student"))
    args = parser.parse_args(argv)
    output = Path(args.output).resolve()
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp)
        prepare(source)
        done = subprocess.run([str(jupyter_book), "build", str(source), "-W", "-n", "--keep-going"])
        if done.returncode:
            return done.returncode
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(source / "_build" / "html", output / "html")
    print(f"student edition: {output / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
