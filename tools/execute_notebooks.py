"""Re-execute chapters in place, so that their stored outputs come from the current library.

nbval (the README's test command) re-runs every chapter and compares it with these
stored outputs, and CI builds the book from them: after a change to ``lib/`` or to a
chapter, run this on the chapters it touches and commit the result.

Each notebook runs top to bottom in a fresh kernel of this Python (so the editable
install of ``cavity_bcs`` is the one executed); stderr outputs are dropped (numba's
compile messages differ between cold and warm caches) and saved widget state is
stripped (see ``tools/clean_notebooks.py``).

Usage, from the repository root:  python tools/execute_notebooks.py book/04_quench_resonance.ipynb ...
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clean_notebooks import clean  # noqa: E402

KERNEL = "python3"
# no automatic progress bars in stored outputs (as under nbval, see tests/conftest.py)
os.environ["CAVITY_BCS_PROGRESS"] = "0"


def execute(path: Path, timeout: int = 900) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
    nbformat.write(nb, path)
    clean(str(path))
    return time.perf_counter() - start


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        seconds = execute(Path(arg))
        print(f"executed {arg} in {seconds:.0f} s")
