"""Put (or refresh) the Colab install cell at the top of chapter notebooks.

A chapter opened with the book's Colab launch button runs on a bare Colab machine: no
``cavity_bcs``, no ``myst_nb``, none of the book's data files. The cell this tool inserts as
each notebook's first cell fixes that, in Colab only: it finds the GitHub repository and
branch the notebook was opened from, clones that copy, installs the library from it
(``pip install "<clone>[plot,symbolic]" myst-nb``) and changes into its ``book/`` folder so
that relative paths (``data/...``) work. No repository is written into the book: the launch
button's URL (``/github/OWNER/NAME/blob/BRANCH/...``, built by ``tools/book_config.py`` from
the hosting repository) is what Colab records as the notebook's origin, and the cell reads it
back from Colab's session list; a fork's button therefore installs the fork. A reader who
opened the notebook some other way sets ``CAVITY_BCS_REPOSITORY=OWNER/NAME@BRANCH`` first.

Everywhere else (a local Jupyter, nbval, the book build) the cell only checks
``"google.colab" in sys.modules`` and does nothing; it is tagged ``remove-cell``, so the
rendered book does not show it.

    python tools/colab_cell.py book/*.ipynb            # insert or update (idempotent)
    python tools/colab_cell.py --check book/*.ipynb    # exit 1 if a notebook lacks the current cell
    python tools/colab_cell.py --remove book/*.ipynb   # take it out again

The cell is identified by its cell id (``colab-install``); only that cell is touched, and a
notebook whose cell is already current is not rewritten (its execution count stays).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CELL_ID = "colab-install"
TAGS = ["remove-cell"]

SOURCE = '''\
# Google Colab only (hidden in the book; does nothing anywhere else): install cavity_bcs from the
# GitHub repository and branch this notebook was opened from, and work in that copy's book/ folder.
# Opened some other way? Set CAVITY_BCS_REPOSITORY=OWNER/NAME@BRANCH (e.g. with %env) and re-run.
import sys


def _colab_install():
    import importlib
    import json
    import os
    import re
    import socket
    import subprocess
    import urllib.parse
    import urllib.request

    source = os.environ.get("CAVITY_BCS_REPOSITORY", "")
    if not source:  # Colab records the notebook's origin, .../github.com/OWNER/NAME/blob/BRANCH/..., in its session
        server = f"http://{socket.gethostbyname(socket.gethostname())}:9000/api/sessions"
        try:
            with urllib.request.urlopen(server, timeout=10) as reply:
                paths = [urllib.parse.unquote(session.get("path", "")) for session in json.load(reply)]
        except (OSError, ValueError):  # no session list to read: the message below asks for the source
            paths = []
        found = {m.groups() for p in paths for m in re.finditer(r"github\\.com/([\\w.-]+/[\\w.-]+)/blob/([^/?#]+)/", p)}
        if len(found) != 1:
            raise RuntimeError("cannot tell which GitHub repository this notebook came from: "
                               "set CAVITY_BCS_REPOSITORY=OWNER/NAME@BRANCH and run this cell again")
        source = "@".join(found.pop())
    repository, _, branch = source.partition("@")
    clone = "/content/" + repository.rsplit("/", 1)[-1]
    if not os.path.isdir(clone):
        subprocess.check_call(["git", "clone", "--quiet", "--depth", "1", "--branch", branch or "main",
                               f"https://github.com/{repository}", clone])
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", f"{clone}[plot,symbolic]", "myst-nb"])
        importlib.invalidate_caches()
    os.chdir(clone + "/book")


if "google.colab" in sys.modules:
    _colab_install()
del _colab_install
'''


def cell() -> dict:
    """The install cell, as a notebook cell (no outputs, never executed)."""
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID, "metadata": {"tags": list(TAGS)},
            "outputs": [], "source": SOURCE.splitlines(True)}


def _is_current(c: dict) -> bool:
    return (c.get("cell_type") == "code" and c.get("id") == CELL_ID and "".join(c.get("source", [])) == SOURCE
            and c.get("metadata", {}).get("tags") == TAGS)


def is_current(nb: dict) -> bool:
    """True when ``nb`` starts with the current install cell and has no other copy of it."""
    cells = nb.get("cells", [])
    return bool(cells) and _is_current(cells[0]) and not any(c.get("id") == CELL_ID for c in cells[1:])


def insert(nb: dict) -> bool:
    """Make the install cell ``nb``'s first and only copy; True if ``nb`` changed."""
    if is_current(nb):
        return False
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        raise ValueError("the install cell needs cell ids: nbformat 4.5 or later")
    nb["cells"] = [cell()] + [c for c in nb["cells"] if c.get("id") != CELL_ID]
    return True


def remove(nb: dict) -> bool:
    """Take the install cell out of ``nb``; True if it was there."""
    kept = [c for c in nb["cells"] if c.get("id") != CELL_ID]
    changed = len(kept) != len(nb["cells"])
    nb["cells"] = kept
    return changed


def _write(path: Path, nb: dict) -> None:
    # the repository's notebook format (what Jupyter and tools/clean_notebooks.py write)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook lacks the current cell")
    mode.add_argument("--remove", action="store_true", help="remove the cell")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if args.check:
            if not is_current(nb):
                stale.append(path)
            continue
        if remove(nb) if args.remove else insert(nb):
            _write(path, nb)
            print(f"{'removed the Colab cell from' if args.remove else 'Colab cell in'} {path}")
    for path in stale:
        print(f"{path}: no current Colab install cell (run python tools/colab_cell.py {path})")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
