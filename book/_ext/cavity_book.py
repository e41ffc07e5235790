"""Small Sphinx fixes for reading the book offline (a local extension).

* sphinx-thebe registers its inline configuration script twice in Jupyter Book 1,
  which redeclares a ``const`` and raises a JavaScript error on every page:
  keep each script once.
* The pydata theme logs a console error when no colour mode was ever stored
  (always the case for a page opened from disk): start in light mode, which
  also keeps the figures' white backgrounds consistent.
"""


def _light_mode(app, config):
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # Inline scripts are registered with filename None or "" by different
        # extensions: compare them by filename-or-empty and attributes (body).
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("config-inited", _light_mode)
    app.connect("html-page-context", _dedupe_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
