r"""The real experiment: laboratory units, coupling profiles, drive preparation, coarse-graining, detuning scans.

* :mod:`.units` — kHz and ms for the strontium cavity, and the dimensionless :class:`~cavity_bcs.Model`;
* :mod:`.profiles` — relative couplings :math:`f_i = g_i/g` (the cosine of a standing wave);
* :mod:`.preparation` — the coherent-drive state, built directly or simulated;
* :mod:`.coarse` — atoms grouped into :math:`(\varepsilon_i, g_i)` classes, for :math:`10^6` atoms;
* :mod:`.scans` — quench averages against the detuning (Fig. 3) and loss decay times.
"""
from .coarse import CoarseModel, CoarseResult, coarse_grain, coarse_quench
from .preparation import DrivePreparation, drive_state, simulate_drive
from .profiles import K0A0, cosine_profile, coupling_profile, mean_abs_coupling
from .scans import DetuningScan, LossDecay, detuning_scan, loss_decay
from .units import STRONTIUM, LabParameters, pairs_for_kappa_ratio

__all__ = ["K0A0", "coupling_profile", "cosine_profile", "mean_abs_coupling", "drive_state", "DrivePreparation",
           "simulate_drive", "DetuningScan", "detuning_scan", "LossDecay", "loss_decay", "CoarseModel",
           "coarse_grain", "CoarseResult", "coarse_quench", "STRONTIUM", "LabParameters", "pairs_for_kappa_ratio"]
