r"""The book's one plotting style: colour-blind-safe colours, labelled axes with
units, opaque backgrounds (readable in dark mode). No physics lives here:
functions take results and return figures.

Usage in a chapter::

    from cavity_bcs import plotting
    plotting.use_style()
    fig, ax = plotting.figure()
    ax.plot(r.t, r.coherence)
    plotting.label(ax, "t", "coherence")
"""
from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = ["COLORS", "LABELS", "PHASE_COLORS", "use_style", "figure", "label", "mark_resonance", "bloch_sphere",
           "setup_schematic", "plain_log_ticks"]

#: Okabe–Ito palette (distinguishable with every common colour-vision deficiency).
COLORS = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
CYCLE = [COLORS[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky", "yellow", "black")]

#: Axis labels with units, in the symbols of the conventions table.
LABELS = {
    "t": r"time $t\ [1/\chi N]$",
    "t_ms": r"time $t$ [ms]",
    "coherence": r"$|S^+(t)|$",
    "coherence_avg": r"time-averaged $|S^+|$",
    "delta_c": r"cavity detuning $\Delta_c/\chi N$",
    "W": r"bandwidth $W/\chi N$",
    "eps0": r"band separation $\varepsilon_0/\chi N$",
    "eps": r"atomic energy $\varepsilon_i/\chi N$ (transition $2\varepsilon_i$)",
    "photon": r"$|\langle a\rangle|/\sqrt{N}$",
    "photon_re": r"$\mathrm{Re}\,\langle a\rangle/\sqrt{N}$",
    "n_photon": r"photon density $\langle a^\dagger a\rangle/N$",
    "n_photon_avg": r"time-averaged $\langle a^\dagger a\rangle/N$",
    "density": r"density of states $p(\varepsilon)\ [1/\chi N]$",
    "excitations": r"$(\frac{1}{2}\sum_i\sigma^z_i + a^\dagger a)/N$",
    "energy": r"energy $\langle H\rangle/N\ [\chi N]$",
    "re_u": r"$\mathrm{Re}\,u\ [\chi N]$",
    "im_u": r"$\mathrm{Im}\,u\ [\chi N]$",
}

#: One colour per dynamical phase, shared by every phase diagram.
PHASE_COLORS = {"I": COLORS["sky"], "II": COLORS["orange"], "III": COLORS["vermillion"],
                "I+1": COLORS["sky"], "II+1": COLORS["orange"], "III+1": COLORS["vermillion"],
                "unsure": "#BBBBBB"}


def use_style():
    """Apply the book's matplotlib style (call once per notebook)."""
    mpl.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        "axes.prop_cycle": mpl.cycler(color=CYCLE),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "axes.labelsize": 11,
        # a light frame keeps a legend readable where it has to sit over data
        "legend.frameon": True,
        "legend.framealpha": 0.9,
        "legend.edgecolor": "0.85",
        "legend.fancybox": False,
        "lines.linewidth": 1.6,
        "figure.constrained_layout.use": True,
    })
    # In a notebook, store figures at twice the pixel density (sharp on HiDPI screens; the displayed
    # size stays that of figure.dpi).
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def figure(ncols=1, nrows=1, width=None, height=None, **kwargs):
    """``plt.subplots`` with the book's default sizes."""
    width = width or 6.4 * (1 if ncols == 1 else 0.75 * ncols)
    height = height or 4.0 * (1 if nrows == 1 else 0.8 * nrows)
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def label(ax, x=None, y=None, title=None):
    """Label axes with the book's symbols; keys of :data:`LABELS` or literal text."""
    if x is not None:
        ax.set_xlabel(LABELS.get(x, x))
    if y is not None:
        ax.set_ylabel(LABELS.get(y, y))
    if title is not None:
        ax.set_title(title)
    return ax


def mark_resonance(ax, eps0, axis="x", text=r"$\Delta_c = \varepsilon_0$"):
    """Black dashed line at the resonance :math:`\\Delta_c = \\varepsilon_0` (as in the paper)."""
    line = ax.axvline if axis == "x" else ax.axhline
    line(eps0, color="black", linestyle="--", linewidth=1.0, label=text)
    return ax


def bloch_sphere(ax, paths, labels=None, colors=None, fields=None):
    """Draw Bloch-vector trajectories on a unit sphere in a 3-D axes.

    Parameters
    ----------
    ax : matplotlib 3-D axes
        From ``fig.add_subplot(projection="3d")``.
    paths : sequence of arrays, shape ``(n_times, 3)``
        Bloch vectors :math:`(\\sigma^x, \\sigma^y, \\sigma^z)` along time; each starts with a dot.
    labels, colors : sequences, optional
        One per path (colours default to the book's cycle).
    fields : sequence of 3-vectors, optional
        One per path: the direction of the field the spin precesses about, drawn as an arrow
        from the centre (its length is normalised to the sphere's radius).
    """
    import numpy as np

    if getattr(ax, "name", "") != "3d":
        raise TypeError("ax must be a 3-D axes: fig.add_subplot(projection='3d')")
    paths = [np.asarray(p, dtype=float) for p in paths]
    for p in paths:
        if p.ndim != 2 or p.shape[1] != 3:
            raise ValueError(f"each path must have shape (n_times, 3), got {p.shape}")
    colors = list(colors) if colors is not None else [CYCLE[k % len(CYCLE)] for k in range(len(paths))]
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 37), np.linspace(0, np.pi, 19))
    ax.plot_wireframe(np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v), color="0.85", lw=0.4)
    ring = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(ring), np.sin(ring), 0 * ring, color="0.6", lw=0.8)  # the equator: |S+| lives here
    for axis, name in zip(np.eye(3), ("x", "y", "z")):
        ax.plot(*np.stack([-axis, axis], axis=1), color="0.5", lw=0.6)
        ax.text(*(1.15 * axis), f"${name}$", color="0.3", ha="center", va="center")
    for k, p in enumerate(paths):
        ax.plot(p[:, 0], p[:, 1], p[:, 2], color=colors[k], lw=1.4,
                label=None if labels is None else labels[k])
        ax.scatter(*p[0], color=colors[k], s=18, depthshade=False)
        if fields is not None:
            f = np.asarray(fields[k], dtype=float)
            f = f / np.linalg.norm(f)
            ax.quiver(0, 0, 0, *f, color=colors[k], lw=1.2, arrow_length_ratio=0.12)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_zlim(-1, 1)
    ax.set_box_aspect((1, 1, 1))
    ax.set_axis_off()
    return ax


def setup_schematic(model, ax=None, n_levels=40):
    r"""The simulator at a glance: the atoms' transition frequencies and the cavity line.

    Draws, against frequency in units of :math:`\chi N`, the density of the transition
    frequencies :math:`2\varepsilon_i` of ``model``'s two boxes (centred on :math:`\pm\varepsilon_0`,
    each :math:`W` wide, height :math:`1/(2W)` so that each holds half the atoms), a comb of
    ``n_levels`` of the model's own :math:`2\varepsilon_i`, and the cavity's Lorentzian line at
    :math:`\Delta_c` with full width :math:`\kappa` (the photon number decays at :math:`\kappa`),
    scaled to stand above the boxes; with :math:`\kappa = 0` a vertical line. The frequencies are
    measured from the mean atomic transition frequency (the frame of the model), as in the paper's
    Fig. 1 (top). Returns the axes.
    """
    import numpy as np

    if ax is None:
        _, ax = figure(width=8, height=3.4)
    eps0, W, delta_c, kappa = model.eps0, model.W, model.delta_c, model.kappa
    height = 1.0 / (2 * W) if W > 0 else 1.0
    for k, (lo, hi) in enumerate(model.density.boxes):
        ax.fill_between([2 * lo, 2 * hi], 0, height, color=COLORS["sky"], alpha=0.55, lw=0,
                        label="atoms: transition frequencies $2\\varepsilon_i$" if k == 0 else None)
    levels = np.sort(2 * model.eps)[np.linspace(0, model.n_atoms - 1, min(n_levels, model.n_atoms)).astype(int)]
    ax.vlines(levels, -0.16 * height, -0.04 * height, color=COLORS["blue"], lw=0.8)
    top = 1.6 * height
    span = 2 * (abs(eps0) / 2 + W / 4) + max(4.0, 0.3 * delta_c)
    grid = np.linspace(-max(span, delta_c + 3), max(span, delta_c + 3), 4001)
    if kappa > 0:
        grid = np.union1d(grid, np.linspace(delta_c - 4 * kappa, delta_c + 4 * kappa, 4001))
        line = top * (kappa / 2) ** 2 / ((grid - delta_c) ** 2 + (kappa / 2) ** 2)
        ax.plot(grid, line, color=COLORS["vermillion"], lw=1.6,
                label=f"cavity at $\\Delta_c$, linewidth $\\kappa = {kappa:.2g}\\,\\chi N$")
    else:
        ax.vlines(delta_c, 0, top, color=COLORS["vermillion"], lw=1.6, label="cavity at $\\Delta_c$ ($\\kappa = 0$)")
    ax.annotate("", xy=(eps0 - W / 2, 1.12 * height), xytext=(eps0 + W / 2, 1.12 * height),
                arrowprops=dict(arrowstyle="<->", color="0.3", lw=1.0))
    ax.text(eps0 + W / 4, 1.18 * height, f"$W = {W:g}$", ha="center", va="bottom", color="0.3")
    ax.annotate("", xy=(0, 0.5 * height), xytext=(eps0, 0.5 * height),
                arrowprops=dict(arrowstyle="<->", color="0.3", lw=1.0))
    ax.text(eps0 / 2, 0.56 * height, f"$\\varepsilon_0 = {eps0:g}$", ha="center", va="bottom", color="0.3")
    ax.text(delta_c, 1.04 * top, f"$\\Delta_c = {delta_c:g}$", ha="center", va="bottom", color=COLORS["vermillion"])
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_ylim(-0.2 * height, 1.35 * top)
    ax.set_xlim(grid[0], grid[-1])
    label(ax, r"frequency from the mean atomic transition $[\chi N]$", r"density of transitions $[1/\chi N]$")
    ax.legend(loc="upper left", fontsize=9)
    return ax


def plain_log_ticks(ax, ticks, axis="x"):
    """Label a log axis at ``ticks`` with plain numbers (2, 5, 10 rather than 2×10⁰) and no minor labels,
    which otherwise crowd each other on short decades."""
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(FixedLocator(list(ticks)))
    formatter = ScalarFormatter()
    formatter.set_scientific(False)
    target.set_major_formatter(formatter)
    target.set_minor_formatter(NullFormatter())
    return ax
