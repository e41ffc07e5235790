"""The Colab install cell (tools/colab_cell.py): inserted idempotently, hidden in the book, inert outside Colab,
and in Colab installs from the repository the notebook was opened from."""
from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import types
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import colab_cell  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


@pytest.fixture
def notebook(tmp_path):
    """A copy of the first chapter without the Colab cell (the chapters in the repository have it)."""
    path = tmp_path / CHAPTERS[0].name
    shutil.copy(CHAPTERS[0], path)
    nb = json.loads(path.read_text())
    nb["cells"] = [c for c in nb["cells"] if c.get("id") != colab_cell.CELL_ID]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return path


def test_inserting_twice_changes_nothing_the_second_time(notebook):
    original = json.loads(notebook.read_text())
    assert colab_cell.main([str(notebook)]) == 0
    once = notebook.read_bytes()
    assert colab_cell.main([str(notebook)]) == 0
    assert notebook.read_bytes() == once
    nb = json.loads(once)
    first = nb["cells"][0]
    assert first["id"] == colab_cell.CELL_ID and first["cell_type"] == "code"
    assert "remove-cell" in first["metadata"]["tags"]  # not shown in the rendered book
    assert first["outputs"] == [] and first["execution_count"] is None  # nbval compares against no output
    assert nb["cells"][1:] == original["cells"]  # nothing else touched
    assert colab_cell.main(["--check", str(notebook)]) == 0


def test_a_stale_cell_is_replaced_in_place_and_check_reports_it(notebook):
    nb = json.loads(notebook.read_text())
    old = colab_cell.cell() | {"source": ["print('an older version')\n"]}
    nb["cells"] = nb["cells"][:2] + [old] + nb["cells"][2:]
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    assert colab_cell.main(["--check", str(notebook)]) == 1
    colab_cell.main([str(notebook)])
    cells = json.loads(notebook.read_text())["cells"]
    assert [c.get("id") for c in cells].count(colab_cell.CELL_ID) == 1 and colab_cell.is_current({"cells": cells})
    colab_cell.main(["--remove", str(notebook)])
    assert colab_cell.CELL_ID not in [c.get("id") for c in json.loads(notebook.read_text())["cells"]]


def test_outside_colab_the_cell_does_nothing(tmp_path):
    # a fresh interpreter (no google.colab): no output, no error, no new files, nothing left in the namespace
    run = subprocess.run([sys.executable, "-c", colab_cell.SOURCE + "\nprint(sorted(k for k in dir() if not k.startswith('__')))"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={k: v for k, v in os.environ.items() if k != "CAVITY_BCS_REPOSITORY"})
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.strip() == "['sys']"
    assert list(tmp_path.iterdir()) == []


class _Colab:
    """Stand-ins for Colab: the google.colab module, its session list, and the commands the cell runs."""

    def __init__(self, monkeypatch, sessions):
        self.commands, self.dirs, self.requests = [], [], []
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        monkeypatch.delenv("CAVITY_BCS_REPOSITORY", raising=False)
        monkeypatch.setattr(socket, "gethostbyname", lambda name: "172.28.0.12")
        monkeypatch.setattr(urllib.request, "urlopen", self.urlopen)
        monkeypatch.setattr(subprocess, "check_call", lambda cmd: self.commands.append(cmd))
        monkeypatch.setattr(os.path, "isdir", lambda path: False)
        monkeypatch.setattr(os, "chdir", self.dirs.append)
        self.sessions = sessions

    def urlopen(self, url, timeout=None):
        self.requests.append(url)
        if self.sessions is None:
            raise OSError("no server")
        return io.BytesIO(json.dumps(self.sessions).encode())

    def run(self):
        exec(colab_cell.SOURCE, {"__name__": "__main__"})


def test_in_colab_the_cell_installs_the_repository_and_branch_the_notebook_came_from(monkeypatch):
    path = "fileId=https%3A%2F%2Fgithub.com%2Fsomeone%2Fa-fork.of-it%2Fblob%2Fdev%2Fbook%2F01_model.ipynb"
    colab = _Colab(monkeypatch, [{"name": "01_model.ipynb", "path": path}])
    colab.run()
    assert colab.requests == ["http://172.28.0.12:9000/api/sessions"]
    clone, install = colab.commands
    assert clone[:2] == ["git", "clone"] and clone[-2:] == ["https://github.com/someone/a-fork.of-it", "/content/a-fork.of-it"]
    assert clone[clone.index("--branch") + 1] == "dev"
    assert install[1:4] == ["-m", "pip", "install"] and "/content/a-fork.of-it[plot,symbolic]" in install
    assert "myst-nb" in install  # the chapters glue values with myst_nb
    assert colab.dirs == ["/content/a-fork.of-it/book"]  # relative paths (data/...) work as in the repository


def test_in_colab_an_explicit_source_wins_and_an_unknown_origin_says_what_to_set(monkeypatch):
    colab = _Colab(monkeypatch, None)
    monkeypatch.setenv("CAVITY_BCS_REPOSITORY", "owner/name@main")
    colab.run()
    assert colab.requests == [] and colab.commands[0][-2:] == ["https://github.com/owner/name", "/content/name"]
    monkeypatch.delenv("CAVITY_BCS_REPOSITORY")
    for sessions in (None, [{"path": "fileId=1AbCdEf"}]):  # no session list; a Drive notebook
        colab.sessions = sessions
        with pytest.raises(RuntimeError, match="CAVITY_BCS_REPOSITORY"):
            colab.run()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_a_chapter_with_the_cell_has_the_current_one_first(path):
    nb = json.loads(path.read_text())
    if any(c.get("id") == colab_cell.CELL_ID for c in nb["cells"]):
        assert colab_cell.is_current(nb), f"stale Colab cell: run python tools/colab_cell.py {path.relative_to(ROOT)}"
