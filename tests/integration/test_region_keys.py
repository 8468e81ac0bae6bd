"""`wintertrack region keys` and `region trust`, run as the commands an operator types."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from capacity.signing import load_private, public_text
from schemes.regions import load_region


def region_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wintertrack", "region", *args],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=120,
    )


def said(result: subprocess.CompletedProcess[str]) -> str:
    """The error as one line (the console wraps it to its width)."""
    return " ".join(result.stderr.split())


def test_an_icb_key_is_created_private_never_replaced_and_trusted_by_the_region(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "qm7.pem"
    created = region_cli("keys", str(key_file), "--create")
    assert created.returncode == 0, created.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    public = public_text(load_private(key_file.read_bytes()))
    assert created.stdout.startswith(f"public key {public} (id ")

    first = key_file.read_bytes()
    again = region_cli("keys", str(key_file), "--create")
    assert again.returncode == 2 and "already exists" in said(again)
    assert key_file.read_bytes() == first
    shown = region_cli("keys", str(key_file))
    assert shown.returncode == 0 and shown.stdout == created.stdout

    catalogue = tmp_path / "y61.json"
    trusted = region_cli(
        "trust", "--region", "Y61", "--icb", "QM7", "--key", public, "--out", str(catalogue)
    )
    assert trusted.returncode == 0, trusted.stderr
    rotated = region_cli(
        "trust", "--region", str(catalogue), "--icb", "QM7", "--key", "A" * 43 + "=",
        "--out", str(catalogue),
    )  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    qm7 = load_region(str(catalogue)).icb("QM7")
    assert qm7 is not None and qm7.public_keys == (public, "A" * 43 + "=")

    refused = region_cli(
        "trust", "--region", "Y61", "--icb", "QM7", "--key", "not-a-key", "--out", str(catalogue)
    )
    assert refused.returncode == 2 and "key: is not an Ed25519 public key" in said(refused)
    unknown = region_cli(
        "trust", "--region", "Y61", "--icb", "QXX", "--key", public, "--out", str(catalogue)
    )
    assert unknown.returncode == 2 and "QXX is not an ICB of region Y61" in said(unknown)
