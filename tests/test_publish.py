"""Publishing: the deploy script points the launch buttons at the hosting repository, and
a build without one (including the committed ``_config.yml``) points nowhere.

Each build here is a two-page book (the index and chapter 1) from the stored outputs,
written under ``tmp_path`` (about 1.5 s each); nothing in the working tree is touched.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "book_config.py"
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
CHAPTER = "book/01_model"
REPOSITORY = "example-org/cavity-book"  # made up: nothing in the repository names it

sys.path.insert(0, str(ROOT / "tools"))
import book_config  # noqa: E402

pytestmark = pytest.mark.skipif(not JUPYTER_BOOK.exists(), reason="jupyter-book is not installed beside python")


def _write_config(tmp_path, *args) -> Path:
    out = tmp_path / "_config_test.yml"
    subprocess.run([sys.executable, str(SCRIPT), *args, "--output", str(out)], check=True, capture_output=True,
                   text=True, env={"PATH": "/usr/bin:/bin"})
    return out


def _build(tmp_path, config: Path) -> Path:
    """Build index + chapter 1 from their stored outputs with ``config``; return the chapter's HTML."""
    settings = yaml.safe_load(config.read_text())
    settings["execute"]["execute_notebooks"] = "off"
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    toc = tmp_path / "_toc_test.yml"
    toc.write_text(yaml.safe_dump({"format": "jb-book", "root": "book/index", "chapters": [{"file": CHAPTER}]}))
    out = tmp_path / "out"
    done = subprocess.run([str(JUPYTER_BOOK), "build", str(ROOT), "--toc", str(toc), "--config", str(config),
                           "--path-output", str(out)], capture_output=True, text=True, timeout=600,
                          env={"PATH": f"{JUPYTER_BOOK.parent}:/usr/bin:/bin", "CAVITY_BCS_PROGRESS": "0",
                               "HOME": str(tmp_path)})
    html = out / "_build" / "html"
    assert done.returncode == 0 and (html / f"{CHAPTER}.html").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return html


def _links(page: Path) -> set:
    return set(re.findall(r'href="([^"]+)"', page.read_text()))


def _assert_points_nowhere(html: Path):
    chapter = (html / f"{CHAPTER}.html").read_text()
    assert "launch-buttons" not in chapter and "mybinder" not in chapter and "colab.research" not in chapter
    assert "initThebeSBT" not in chapter
    for page in html.rglob("*.html"):
        assert "executablebooks" not in page.read_text(), f"{page.relative_to(html)} links to executablebooks"


def test_launch_buttons_open_the_hosting_repository(tmp_path):
    html = _build(tmp_path, _write_config(tmp_path, "--repository", REPOSITORY, "--branch", "main"))
    links = _links(html / f"{CHAPTER}.html")
    # the markers whose absence the no-repository tests check are really there when buttons are on
    chapter = (html / f"{CHAPTER}.html").read_text()
    assert "launch-buttons" in chapter and "initThebeSBT" in chapter
    # the URL schemes of mybinder.org (v2/gh/ORG/REPO/BRANCH?urlpath=...) and Colab (github/ORG/REPO/blob/BRANCH/PATH)
    assert f"https://mybinder.org/v2/gh/{REPOSITORY}/main?urlpath=lab/tree/{CHAPTER}.ipynb" in links
    assert f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/{CHAPTER}.ipynb" in links
    assert f"https://github.com/{REPOSITORY}" in links
    launch = [u for u in links if "mybinder" in u or "colab" in u]
    assert launch and all(REPOSITORY in u for u in launch)
    assert not any("executablebooks" in u for u in links)


def test_build_without_a_repository_has_no_launch_button_and_no_executablebooks_link(tmp_path):
    _assert_points_nowhere(_build(tmp_path, _write_config(tmp_path)))


def test_committed_config_has_no_launch_button_and_no_executablebooks_link(tmp_path):
    config = tmp_path / "_config_committed.yml"
    settings = yaml.safe_load((ROOT / "_config.yml").read_text())
    settings = book_config._local_extensions_from(settings, ROOT, tmp_path)
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    _assert_points_nowhere(_build(tmp_path, config))


def test_overlay_sets_every_launch_service_from_the_repository_alone():
    base = yaml.safe_load((ROOT / "_config.yml").read_text())
    config = book_config.overlay(base, REPOSITORY, "gh-pages", "https://hub.example.org/")
    assert config["repository"] == {"url": f"https://github.com/{REPOSITORY}", "branch": "gh-pages",
                                    "path_to_book": ""}
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["jupyterhub_url"] == "https://hub.example.org"
    assert config["launch_buttons"]["thebe"] is True
    assert base.get("launch_buttons", {}).get("thebe") in (None, False)  # the input is left alone


def test_overlay_without_repository_blanks_the_default_executablebooks_url():
    config = book_config.overlay({"html": {"use_repository_button": True}}, None)
    # Jupyter Book's own default repository is executablebooks/jupyter-book: it must be overridden
    assert config["repository"]["url"] == ""
    assert not any(config["launch_buttons"][k] for k in ("binderhub_url", "colab_url", "jupyterhub_url", "thebe"))
    assert config["html"]["use_repository_button"] is False


@pytest.mark.parametrize("repository", ["example-org", "https://github.com/a/b", "a/b/c", "a b/c", "-a/b"])
def test_overlay_refuses_a_repository_that_is_not_owner_slash_name(repository):
    with pytest.raises(ValueError, match="repository"):
        book_config.overlay({}, repository)


def test_overlay_refuses_a_hub_url_that_is_not_http():
    with pytest.raises(ValueError, match="hub_url"):
        book_config.overlay({}, REPOSITORY, hub_url="javascript:alert(1)")


def test_deploy_workflow_runs_the_script_and_publishes_the_built_book():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "tools/book_config.py --output _config_deploy.yml" in runs
    assert re.search(r"jupyter-book build \. --config _config_deploy\.yml -W -n", runs)
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") for s in steps)
    assert workflow["permissions"]["pages"] == "write"
