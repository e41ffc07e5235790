"""The book's figure helpers draw what they say they draw."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cavity_bcs as cb  # noqa: E402
from cavity_bcs import plotting  # noqa: E402


@pytest.mark.parametrize("delta_c, kappa", [(6.0, 0.034), (10.3, 0.5)])
def test_setup_schematic_cavity_line_peaks_at_the_detuning_with_full_width_kappa(delta_c, kappa):
    model = cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=200, kappa=kappa)
    ax = plotting.setup_schematic(model)
    x, y = ax.get_lines()[0].get_data()
    assert x[np.argmax(y)] == pytest.approx(delta_c, abs=kappa / 50)
    above = x[y >= y.max() / 2]
    assert above.max() - above.min() == pytest.approx(kappa, rel=0.02)
    plt.close(ax.figure)


def test_setup_schematic_boxes_hold_half_the_transitions_each():
    model = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200)
    ax = plotting.setup_schematic(model)
    areas = []
    for patch in ax.collections[:2]:  # the two boxes, drawn first
        (x0, y0), (x1, y1) = patch.get_paths()[0].get_extents().get_points()
        areas.append((x1 - x0) * (y1 - y0))
    assert areas == pytest.approx([0.5, 0.5])
    plt.close(ax.figure)


def test_plain_log_ticks_label_only_the_given_ticks_in_plain_numbers():
    fig, ax = plt.subplots()
    ax.loglog([1, 100], [1, 100])
    plotting.plain_log_ticks(ax, [2, 5, 10, 50])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels == ["2", "5", "10", "50"]
    assert all(not t.get_text() for t in ax.get_xticklabels(minor=True))
    plt.close(fig)
