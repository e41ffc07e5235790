"""The chapters' sources and stored outputs are clean text: no control characters, no TeX macros cut by escapes.

Python strings that build Markdown turn ``\\t``, ``\\a``, ``\\v``, ``\\b``, ``\\f``, ``\\r`` at the start of
a TeX macro (``\\tan``, ``\\approx``, ``\\varepsilon``, ``\\beta``, ``\\frac``, ``\\rho``) into control
characters; the page then shows "arepsilon" or a MathJax error. A vertical tab even splits a notebook's
source line, so the macro's remainder appears at the start of a line.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # everything below space except tab and newline
# the remainders of common macros whose first letter an escape swallowed, not preceded by a letter or backslash
CUT_MACRO = re.compile(r"(?<![A-Za-z\\])(arepsilon|pprox|lpha|imes|heta|ightarrow|rac\{|ext\{|abla|eta_|ec\{)")
TEXT_MIMES = ("text/markdown", "text/latex", "text/html")


def problems(text: str, markdown: bool) -> list[str]:
    """What is wrong with one piece of text: control characters, or (in Markdown) macros cut by an escape."""
    found = [f"control character {hex(ord(c))}" for c in sorted(set(CONTROL.findall(text)))]
    if markdown:
        found += [f"TeX macro cut by an escape: ...{m.group(0)}" for m in CUT_MACRO.finditer(text)]
        if "\t" in text:
            found.append("tab character in Markdown")
    return found


def test_checker_catches_the_escapes_it_is_for():
    broken = "$\\tan x \\approx$ and " + "$\varepsilon$ and $\frac{1}{2}$"  # noqa: ISC003 - the bug on purpose
    assert problems(broken, markdown=True)
    assert problems("$\n" + "arepsilon_0$", markdown=True)  # a vertical tab that became a line break
    assert not problems(r"$\tan x \approx \varepsilon$, \frac{1}{2}, the beta_ of code", markdown=False)
    assert not problems(r"$\tan x \approx \varepsilon_0 = \frac{1}{2}\beta$", markdown=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_sources_and_outputs_are_clean_text(path):
    nb = json.loads(path.read_text())
    found = []
    for k, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        found += [f"cell {k} source: {p}" for p in problems(source, cell["cell_type"] == "markdown")]
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime in TEXT_MIMES:
                    text = "".join(value) if isinstance(value, list) else value
                    found += [f"cell {k} {mime}: {p}" for p in problems(text, mime == "text/markdown")]
    assert not found, found[:10]


def test_generated_ledger_markdown_is_clean():
    from cavity_bcs.paper import CLAIMS, Check, ledger_markdown
    table = ledger_markdown([(c, Check(c.statement, c.expect, c.status)) for c in CLAIMS.values()])
    assert not problems(table, markdown=True)
