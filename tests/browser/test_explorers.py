"""The kernel-free explorers (book/explore.md) in headless Chromium: moving a slider redraws
the plots from the precomputed grid, offline.

Runs against ``_build/html`` (or ``$CAVITY_BOOK_HTML``); skips, saying why, when the book
has not been built or Chromium/Playwright is absent.
"""

import pytest
from browser_common import HTML

PAGE = HTML / "book" / "explore.html"

if not PAGE.exists():
    pytest.skip("the book is not built (run the README's build command first)", allow_module_level=True)

# the y values of every trace of a plot, and what the explorer says it shows
STATE = """(id) => {
    const plot = document.getElementById(id);
    return {traces: (plot.data || []).map(t => Array.from(t.y || [])),
            shown: plot.closest('.cavity-explorer').dataset.shown || ''};
}"""


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    errors, remote = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: remote.append(req.url)
            if not req.url.startswith(("file:", "data:", "about:", "blob:")) else None)
    page.goto(PAGE.as_uri(), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('#fig1-coherence .main-svg').length > 0"
                           " && document.querySelectorAll('#phase-trajectory .main-svg').length > 0",
                           timeout=20000)
    page.errors, page.remote = errors, remote
    yield page
    page.close()


def _press(page, slider, key, times):
    page.focus(f"#{slider}")
    for _ in range(times):
        page.keyboard.press(key)


def test_explorers_draw_offline_without_errors(page):
    assert not page.remote, f"requests to the network: {page.remote[:5]}"
    assert not page.errors, f"console errors: {page.errors[:5]}"
    # the parameters quoted in the prose were filled in from the data file
    assert page.inner_text("[data-param='n_atoms']").strip() == "800"
    fig1 = page.evaluate(STATE, "fig1-coherence")
    assert len(fig1["traces"]) == 2 and len(fig1["traces"][0]) == 200  # the band: lower and upper edge per bin
    assert all(lo <= hi for lo, hi in zip(*fig1["traces"]))


def test_moving_the_detuning_slider_redraws_both_fig1_plots(page):
    before = {name: page.evaluate(STATE, f"fig1-{name}") for name in ("coherence", "n_photon")}
    label = page.inner_text("#fig1-delta_c-value")
    _press(page, "fig1-delta_c", "ArrowRight", 3)
    page.wait_for_function("(old) => document.getElementById('fig1-explorer').dataset.shown !== old",
                           arg=before["coherence"]["shown"], timeout=5000)
    after = {name: page.evaluate(STATE, f"fig1-{name}") for name in ("coherence", "n_photon")}
    assert page.inner_text("#fig1-delta_c-value") != label
    for name in before:
        assert after[name]["traces"] != before[name]["traces"], f"the {name} plot did not change"
    old_dc, new_dc = (float(s["shown"].split(",")[0]) for s in (before["coherence"], after["coherence"]))
    assert new_dc > old_dc  # ArrowRight moves to a larger detuning


def test_loss_slider_changes_the_photon(page):
    before = page.evaluate(STATE, "fig1-n_photon")
    _press(page, "fig1-kappa", "End", 1)
    page.wait_for_function("(old) => document.getElementById('fig1-explorer').dataset.shown !== old",
                           arg=before["shown"], timeout=5000)
    after = page.evaluate(STATE, "fig1-n_photon")
    assert float(after["shown"].split(",")[2]) == 1.0  # End: the largest loss rate of the grid
    # photon loss empties the cavity: the late-time photon band lies lower than without loss
    late = slice(100, None)
    assert max(after["traces"][1][late]) < max(before["traces"][1][late])


def test_phase_explorer_moves_the_marker_and_shows_that_points_phase(page):
    before = page.evaluate(STATE, "phase-trajectory")
    marker_before = page.evaluate("() => document.getElementById('phase-map').data[1].y[0]")
    _press(page, "phase-W", "ArrowLeft", 4)
    page.wait_for_function("(old) => document.getElementById('phase-explorer').dataset.shown !== old",
                           arg=before["shown"], timeout=5000)
    after = page.evaluate(STATE, "phase-trajectory")
    marker_after = page.evaluate("() => document.getElementById('phase-map').data[1].y[0]")
    assert marker_after < marker_before and after["traces"] != before["traces"]
    # the label names the phase that the data file stores for the point shown
    phase = page.inner_text("#phase-name").strip()
    stored = page.evaluate("""() => {
        const d = window.CAVITY_EXPLORER.explorer_phases, p = d.parameters;
        const i = +document.getElementById('phase-delta_c').value, j = +document.getElementById('phase-W').value;
        return d.phases[i * p.W.length + j];
    }""")
    assert phase == stored and phase in ("I+1", "II+1", "III+1")
