"""Sweep checkpoints that cannot lie and never block.

A checkpoint is one ``.npz`` file (read with ``allow_pickle=False``) holding the sweep's
signature (a JSON text of everything that fixed the runs), the values and the
``done`` mask. It is

* written atomically: to a uniquely named temporary file in the same directory,
  then ``os.replace``-d over the old one, so a kill at any moment leaves either the
  old or the new file, never a torn one;
* locked: an exclusive ``flock`` on ``<checkpoint>.lock`` held for the whole sweep,
  so a second sweep on the same file refuses clearly instead of racing (the kernel
  drops the lock when a process dies, even by SIGKILL, so it never goes stale);
* validated on load: signature, shapes, dtypes and finiteness of every value marked
  done; a file that fails (truncated, forged, from another sweep) is moved aside to
  ``<checkpoint>.damaged-<time>`` with a warning, and the sweep starts afresh.
"""
from __future__ import annotations

import fcntl
import os
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np


class CheckpointWarning(UserWarning):
    """A checkpoint could not be used and was set aside."""


class Checkpoint:
    """The checkpoint file of one sweep (see the module docstring)."""

    def __init__(self, path, signature: str, values_shape: tuple, done_shape: tuple):
        self.path = Path(path)
        self.signature = signature
        self.values_shape = tuple(values_shape)
        self.done_shape = tuple(done_shape)
        directory = self.path.parent
        if not directory.is_dir():
            raise ValueError(f"checkpoint directory {str(directory)!r} does not exist")
        if not os.access(directory, os.W_OK):
            raise ValueError(f"checkpoint directory {str(directory)!r} is not writable")
        self._lock = None

    # ------------------------------------------------------------------ locking
    def __enter__(self):
        lock_path = str(self.path) + ".lock"
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the whole sweep
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ValueError(f"another sweep is running on checkpoint {str(self.path)!r}; wait for it, or give this "
                             "sweep its own checkpoint file") from None
        self._lock = handle
        return self

    def __exit__(self, *exc):
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    # ------------------------------------------------------------------ reading
    def _set_aside(self, reason: str) -> None:
        target = Path(f"{self.path}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        os.replace(self.path, target)
        warnings.warn(f"checkpoint {str(self.path)!r} {reason}; moved it to {str(target)!r} and started afresh",
                      CheckpointWarning, stacklevel=4)

    def load(self):
        """``(values, done)`` from the file, or ``None`` when there is no usable one."""
        if not self.path.exists():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                signature = str(saved["signature"])
                values = np.array(saved["values"])
                done = np.array(saved["done"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            self._set_aside(f"cannot be read ({type(exc).__name__}: {exc})")
            return None
        if signature != self.signature:
            self._set_aside("was made by a different sweep (other parameters or grid)")
            return None
        if values.shape != self.values_shape or values.dtype != np.float64:
            self._set_aside(f"holds values of shape {values.shape}, not {self.values_shape}")
            return None
        if done.shape != self.done_shape or done.dtype != np.bool_:
            self._set_aside(f"holds a done mask of shape {done.shape}, not {self.done_shape}")
            return None
        if not np.all(np.isfinite(values[(slice(None),) + (done,)])):
            self._set_aside("marks points done whose values are not finite")
            return None
        return values, done

    # ------------------------------------------------------------------ writing
    def save(self, values, done, **extra) -> None:
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp.npz", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, signature=np.array(self.signature), values=values, done=done, **extra)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
