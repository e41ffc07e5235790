"""The package's shape: no import cycle, a light `import cavity_bcs`, a stable flat API, a documented tree."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cavity_bcs as cb

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "cavity_bcs"

# The flat names outside code relies on (cavity_bcs.__all__ before the package became a tree).
FLAT_API = [
    "Model", "two_box_density", "two_box_energies", "State", "photon_equilibrium", "x_polarized",
    "IntegrationError", "QuenchResult", "quench", "time_average", "SweepResult", "sweep", "PhotonDrive",
    "drive_coherence", "photon_drive", "Equilibrium", "ground_state", "stationary_states", "thermal_state",
    "critical_temperature", "DynamicalPhase", "PhaseDiagram", "dynamical_phase", "lax_squared",
    "lax_squared_continuum", "lax_vector", "phase_diagram", "ExactResult", "TruncationWarning",
    "exact_master_equation", "exact_quench", "hilbert_dimension", "sector_spectrum", "TWAResult", "sample_initial",
    "twa_quench", "STRONTIUM", "LabParameters", "pairs_for_kappa_ratio", "CoarseModel", "CoarseResult",
    "DrivePreparation", "coarse_grain", "coarse_quench", "cosine_profile", "coupling_profile", "drive_state",
    "simulate_drive", "analytic", "claims", "derivation", "equilibrium", "exact", "experiment", "lax", "plotting",
    "twa", "units",
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set) -> set:
    """Package modules that ``name`` imports anywhere in its source (top level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # `from pkg import sub` imports the submodule; `from mod import name` the module
                found.add(sub if sub in known else target)
    return {m for m in found if m in known and m != name}


def test_package_has_no_import_cycle():
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(name, path, known) for name, path in modules.items()}
    # a package's __init__ importing its own children is how re-exports work, not a cycle;
    # anything else that leads back to where it started is
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_import_cavity_bcs_loads_neither_sympy_nor_the_claims_nor_matplotlib():
    code = ("import sys, cavity_bcs; "
            "print([m for m in ('sympy', 'cavity_bcs.paper', 'cavity_bcs.symbolic', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out


def test_lazy_modules_load_on_first_use():
    code = ("import sys, cavity_bcs as cb; n = len(cb.claims.CLAIMS); d = cb.derivation.hamiltonian; "
            "print(n > 30, 'sympy' in sys.modules, cb.claims is cb.paper)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "True"]


@pytest.mark.parametrize("name", FLAT_API)
def test_flat_api_name_still_imports_from_cavity_bcs(name):
    assert getattr(cb, name) is not None
    assert name in cb.__all__


def test_old_module_names_keep_their_functions():
    assert cb.lax.dynamical_phase is cb.dynamical_phase
    assert cb.exact.exact_quench is cb.exact_quench
    assert cb.twa.twa_quench is cb.twa_quench
    assert cb.units.LabParameters is cb.LabParameters
    assert cb.experiment.cosine_profile is cb.cosine_profile


def test_dynamical_phase_prints_as_its_name():
    phase = cb.dynamical_phase(cb.TwoBox(6.0, 8.0), delta_c=10.3, locate=False)
    assert str(phase) == phase.phase == "I+1"


def test_readme_layout_names_every_module():
    text = (ROOT / "README.md").read_text()
    layout = text[text.index("## Layout"):]
    layout = layout[:layout.find("\n## ", 4)] if "\n## " in layout[4:] else layout
    missing = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
               if p.name != "__init__.py" and f"`{p.relative_to(PACKAGE).as_posix()}`" not in layout]
    assert not missing, f"README's layout section does not name: {missing}"


def test_version_is_written_once():
    # pyproject.toml holds the version; the package reads it from the installed metadata
    init = (PACKAGE / "__init__.py").read_text()
    assert not re.search(r"__version__\s*=\s*['\"]\d+\.\d+", init)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1) == cb.__version__


@pytest.mark.slow
def test_read_only_install_without_writable_home_imports_runs_and_says_where_it_caches(tmp_path):
    # As root, drop every capability so that file modes bind (a plain chmod would not stop root).
    import os
    import shutil
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and util-linux's setpriv to simulate a read-only install")
    target = tmp_path / "ro"
    shutil.copytree(PACKAGE, target / "cavity_bcs", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chmod", "-R", "a-w", str(target)], check=True)
    code = ("import cavity_bcs as cb; "
            "print(cb.quench(cb.Model(eps0=6, W=8, delta_c=7, n_atoms=20), 1.0, n_save=2).n_steps > 0)")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(target / "home"), "PYTHONPATH": str(target),
           "CAVITY_BCS_PROGRESS": "0"}
    done = subprocess.run(["setpriv", "--bounding-set=-all", "--inh-caps=-all", sys.executable, "-c", code],
                          capture_output=True, text=True, env=env, timeout=300)
    subprocess.run(["chmod", "-R", "u+w", str(target)], check=True)  # let pytest clean up
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
    assert "numba caches compiled kernels in" in done.stderr
