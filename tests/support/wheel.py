"""Builds the wheel exactly as ``pip install .`` does and installs it away from the checkout.

The fresh virtual environment sees the test environment's third-party packages through a plain
path line in a ``.pth`` file — which does not run that directory's own ``.pth`` files, so the
checkout's editable-install hook stays off — and the product's own code comes from the wheel.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(out: Path) -> Path:
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, "-w", str(out), str(ROOT)], check=True, cwd=out)
    (found,) = out.glob("wintertrack-*.whl")
    return found


def install_wheel(wheel: Path, venv: Path) -> Path:
    """Returns the virtual environment's ``bin`` directory (with the ``wintertrack`` script)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    return venv / "bin"


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment for an installed process: nothing that points back at the checkout."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WINTERTRACK_", "PYTHON"))}
    env["PYTHONSAFEPATH"] = "1"
    env.update(overrides)
    return env
