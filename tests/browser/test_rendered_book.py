"""The rendered book, opened page by page in headless Chromium as a reader would.

Runs against ``_build/html`` (build the book first: see the README). Each page must
render its maths (MathJax, served locally) without a MathJax error, show no raw TeX, no broken image, no
Python traceback, no console error, and make no request to a network host.
Screenshots of a few key pages are saved under ``_build/screenshots``.

Skips, saying why, when the book has not been built or Chromium/Playwright is absent.
"""
import re
import shutil

import pytest
from browser_common import HTML, ROOT

SHOTS = ROOT / "_build" / "screenshots"
KEY_PAGES = {"index", "claims", "04_quench_resonance", "05_dynamical_phases"}

if not (HTML / "index.html").exists():
    pytest.skip("the book is not built (run the README's build command first)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

PAGES = sorted(p for p in (HTML / "book").glob("*.html") if p.name != "genindex.html")
# Raw TeX left in the visible text means MathJax did not typeset it.
RAW_TEX = re.compile(r"\\(frac|sum|langle|rangle|varepsilon|Delta|chi|sigma)\b|\$\$")


@pytest.mark.parametrize("page_path", PAGES, ids=[p.stem for p in PAGES])
def test_page_renders_offline(browser, page_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    errors, remote = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: remote.append(req.url) if not req.url.startswith(("file:", "data:", "about:", "blob:")) else None)
    page.goto(page_path.as_uri(), wait_until="load")
    loads_mathjax = page.evaluate("() => Array.from(document.scripts).some(s => s.src.includes('mathjax'))")
    if loads_mathjax:
        page.wait_for_function("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                               timeout=20000)
        page.evaluate("async () => { await MathJax.startup.promise; }")
    n_math = page.evaluate("() => document.querySelectorAll('mjx-container').length")
    # TeX that MathJax could not parse renders as a red error box, present only in the rendered DOM
    math_errors = page.evaluate("""() => Array.from(document.querySelectorAll('mjx-merror'))
        .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120))""")
    has_math_source = page.evaluate("() => document.querySelectorAll('span.math, div.math').length")
    # Visible prose only: code cells legitimately contain TeX strings (plot labels).
    text = page.evaluate("""() => {
        const main = (document.querySelector('main') || document.body).cloneNode(true);
        main.querySelectorAll('pre, code, .highlight, mjx-container, script, style').forEach(e => e.remove());
        return main.innerText;
    }""")
    full_text = page.inner_text("body")
    n_tracebacks = page.evaluate("() => document.querySelectorAll('.traceback, .output.error').length")
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
    if page_path.stem in KEY_PAGES:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{page_path.stem}.png"), full_page=False)
    page.close()

    assert not remote, f"requests to the network: {remote[:5]}"
    assert not errors, f"console errors: {errors[:5]}"
    assert not broken, f"broken images: {broken[:5]}"
    assert not math_errors, f"MathJax errors: {math_errors[:5]}"
    assert "Traceback (most recent call last)" not in full_text and n_tracebacks == 0, "a Python traceback is shown"
    if has_math_source:
        assert n_math > 0, "the page has maths but MathJax rendered none"
    leftovers = RAW_TEX.findall(text)
    assert not leftovers, f"unrendered TeX on the page: {leftovers[:5]}"
