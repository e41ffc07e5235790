"""Where the browser tests find the built book: ``_build/html``, or ``$CAVITY_BOOK_HTML`` (a scratch build)."""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = pathlib.Path(os.environ.get("CAVITY_BOOK_HTML", ROOT / "_build" / "html"))
# offline: no background requests, no component updates
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]
