"""The student edition keeps every exercise and drops every solution (its text and its code cells)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from student_edition import strip_solutions  # noqa: E402

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(True)}


def _code(text):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": [text]}


def test_a_solution_spanning_cells_is_removed_and_the_exercise_kept():
    cells = [_md("Intro.\n\n```{exercise} Title\n:label: ex-a\nDo it.\n```\n\n```{solution-start} ex-a\n"
                 ":class: dropdown\n```\nThe answer in words."),
             _code("answer = 42"),
             _md("More answer.\n"),
             _md("```{solution-end}\n```\n\nAfter the solution.")]
    kept = strip_solutions(cells)
    text = "".join("".join(c["source"]) for c in kept)
    assert "Do it." in text and "Intro." in text and "After the solution." in text
    assert "The answer in words" not in text and "More answer" not in text and "{solution" not in text
    assert all(c["cell_type"] == "markdown" for c in kept)


def test_an_unclosed_solution_is_refused():
    with pytest.raises(ValueError, match="solution-end"):
        strip_solutions([_md("```{solution-start} ex-a\n```\nText")])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_chapter_keeps_its_exercises_and_loses_its_solutions(path):
    cells = json.loads(path.read_text())["cells"]
    kept = strip_solutions(cells)
    before = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    after = "".join("".join(c["source"]) for c in kept if c["cell_type"] == "markdown")
    assert after.count("{exercise}") == before.count("{exercise}") > 0
    assert "{solution-start}" not in after and "{solution-end}" not in after
    # every code cell outside a solution survives, none inside does
    assert sum(c["cell_type"] == "code" for c in kept) < sum(c["cell_type"] == "code" for c in cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_text_outside_a_solution_quotes_a_number_glued_inside_one(path):
    # the student edition drops the solutions' code cells, and with them what they glue
    import re
    cells = json.loads(path.read_text())["cells"]
    glued_everywhere = {m for c in cells if c["cell_type"] == "code"
                        for m in re.findall(r'glue\("([^"]+)"', "".join(c["source"]))}
    kept = strip_solutions(cells)
    glued_kept = {m for c in kept if c["cell_type"] == "code" for m in re.findall(r'glue\("([^"]+)"', "".join(c["source"]))}
    quoted = {m for c in kept if c["cell_type"] == "markdown" for m in re.findall(r"\{glue:\w+\}`([^`:]+)", "".join(c["source"]))}
    assert quoted & glued_everywhere <= glued_kept, sorted((quoted & glued_everywhere) - glued_kept)
