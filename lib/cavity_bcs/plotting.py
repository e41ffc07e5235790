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

__all__ = ["COLORS", "LABELS", "PHASE_COLORS", "use_style", "figure", "label", "mark_resonance"]

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
