"""The rendered book, opened page by page in headless Chromium as a reader would.

Runs against ``_build/html`` (build the book first: see the README). Each page must
render its maths (MathJax, served locally) without a MathJax error, show no raw TeX, no broken image, no
Python traceback, no console error, and make no request to a network host. At 1280 px no code block,
output, equation or table may overflow sideways (neither a scrollbar nor content past the text column),
and every raster figure must hold at least twice the pixels it is displayed with (sharp on HiDPI screens).
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
    # Sideways overflow: a horizontal scrollbar inside the element, or the element reaching past the
    # text column. Sphinx wraps tables in a scrolling div, so both the wrapper and the table are measured.
    overflow = page.evaluate("""() => {
        const main = document.querySelector('main') || document.body;
        const column = (document.querySelector('article.bd-article') || main).getBoundingClientRect();
        const sel = 'pre, table, div.pst-scrollable-table-container, div.math, mjx-container[display="true"], '
                  + 'div.cell_output, div.output, img';
        const out = [];
        for (const e of main.querySelectorAll(sel)) {
            if (e.closest('.toggle-hidden, details:not([open]), .tag_hide-input .cell_input:not(.shown)')) continue;
            const r = e.getBoundingClientRect();
            if (r.width === 0) continue;
            const what = e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
                ? '.' + e.className.split(' ')[0] : '');
            const snippet = (e.innerText || e.getAttribute('src') || '').trim().slice(0, 60);
            if (e.scrollWidth > e.clientWidth + 2 && getComputedStyle(e).overflowX !== 'visible')
                out.push(`${what} scrolls (${e.scrollWidth} > ${e.clientWidth} px): ${snippet}`);
            else if (r.right > column.right + 2)
                out.push(`${what} reaches ${Math.round(r.right - column.right)} px past the column: ${snippet}`);
        }
        if (document.documentElement.scrollWidth > window.innerWidth + 2) out.push('the page scrolls sideways');
        return out;
    }""")
    low_res = page.evaluate("""() => Array.from((document.querySelector('main') || document.body).querySelectorAll('img'))
        .filter(i => i.complete && i.naturalWidth > 0 && i.clientWidth > 0 && !/\\.svg($|\\?)/.test(i.src))
        .filter(i => i.naturalWidth < 2 * i.clientWidth - 2)
        .map(i => `${i.src.split('/').pop()}: ${i.naturalWidth} px shown at ${i.clientWidth} px`)""")
    if page_path.stem in KEY_PAGES:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{page_path.stem}.png"), full_page=False)
    page.close()

    assert not remote, f"requests to the network: {remote[:5]}"
    assert not errors, f"console errors: {errors[:5]}"
    assert not broken, f"broken images: {broken[:5]}"
    assert not math_errors, f"MathJax errors: {math_errors[:5]}"
    assert not overflow, f"{len(overflow)} elements overflow sideways at 1280 px: {overflow[:6]}"
    assert not low_res, f"figures with fewer than twice their displayed pixels: {low_res[:5]}"
    assert "Traceback (most recent call last)" not in full_text and n_tracebacks == 0, "a Python traceback is shown"
    if has_math_source:
        assert n_math > 0, "the page has maths but MathJax rendered none"
    leftovers = RAW_TEX.findall(text)
    assert not leftovers, f"unrendered TeX on the page: {leftovers[:5]}"
