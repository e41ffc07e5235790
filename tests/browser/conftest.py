"""One headless Chromium per session for the browser tests (paths in ``browser_common``). The
``browser`` fixture skips, saying why, when Playwright or Debian's chromium is missing.
"""
import shutil

import pytest
from browser_common import LAUNCH_ARGS


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()
