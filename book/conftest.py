"""When only the chapters are tested (``pytest book/...``): no automatic progress bars in their
kernels, as ``tests/conftest.py`` arranges for the full suite (nbval compares stderr too)."""
import os

os.environ.setdefault("CAVITY_BCS_PROGRESS", "0")
