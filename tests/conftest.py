"""Session-wide settings: no automatic progress bars (the notebooks' kernels inherit this too,
so nbval compares the same outputs the chapters store)."""
import os

os.environ.setdefault("CAVITY_BCS_PROGRESS", "0")
