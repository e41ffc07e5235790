"""Strip saved ipywidgets state from the chapters.

The book is read offline and without a kernel: saved widget views would make
every page with a slider or a progress bar load the widget manager from a CDN,
and they could not recompute anyway. Outputs keep their text fallback.

Usage: python tools/clean_notebooks.py book/*.ipynb
"""
import json
import sys

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(path):
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    changed = nb["metadata"].pop("widgets", None) is not None
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                changed = True
    if changed:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(nb, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
    return changed


if __name__ == "__main__":
    for p in sys.argv[1:]:
        if clean(p):
            print(f"cleaned {p}")
