"""Small Sphinx fixes for reading the book offline (a local extension).

* sphinx-thebe registers its inline configuration script twice in Jupyter Book 1,
  which redeclares a ``const`` and raises a JavaScript error on every page:
  keep each script once.
* The pydata theme logs a console error when no colour mode was ever stored
  (always the case for a page opened from disk): start in light mode, which
  also keeps the figures' white backgrounds consistent.
* The API reference documents each public name once, under its flat name
  (``cavity_bcs.quench``) or its subpackage (``cavity_bcs.meanfield.pack_state``),
  while docstrings refer to names as their own module sees them (``quench``,
  ``units``, ``cavity_bcs.meanfield.quench.QuenchResult``). A reference that Sphinx
  cannot resolve is linked to the one documented ``cavity_bcs`` object with the same
  last name and kind (module or not), nearest to the referring module; a private
  module (``_engine``) is left as text. Anything else stays a warning.
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


def _object_index(env):
    """Documented ``cavity_bcs`` objects by last name: [(full name, object type, docname, node id)]."""
    index = {}
    for name, entry in env.get_domain("py").objects.items():
        if name.startswith("cavity_bcs") and not entry.aliased:
            index.setdefault(name.rpartition(".")[2], []).append((name, entry.objtype, entry.docname, entry.node_id))
    return index


def _resolve_by_last_name(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    from sphinx.util.nodes import make_refnode

    target = node.get("reftarget", "").lstrip(".~")
    last = target.rpartition(".")[2]
    if not last:
        return None
    if any(part.startswith("_") for part in target.split(".")):
        return contnode  # private modules and helpers are not documented by design
    want_module = node.get("reftype") == "mod"
    candidates = [c for c in _object_index(env).get(last, []) if (c[1] == "module") == want_module]
    if not candidates:
        return None
    here = node.get("py:module") or ""

    def shared(name):  # length of the common dotted prefix with the referring module
        a, b = name.split("."), here.split(".")
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    best = max(shared(c[0]) for c in candidates)
    nearest = [c for c in candidates if shared(c[0]) == best]
    if len(nearest) != 1:
        return None
    name, _, docname, node_id = nearest[0]
    return make_refnode(app.builder, node["refdoc"], docname, node_id, contnode, name)


def setup(app):
    app.connect("config-inited", _light_mode)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("missing-reference", _resolve_by_last_name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
