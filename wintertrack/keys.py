"""An ICB's signing key on disk: a PEM file only its owner can read, named by
``WINTERTRACK_SIGNING_KEY_FILE`` for the relay that signs the ICB's returns."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capacity.signing import generate, load_private, private_pem
from schemes.rules import InputRefused

SETTING = "WINTERTRACK_SIGNING_KEY_FILE"


def create_key(file: Path) -> Ed25519PrivateKey:
    """A new key written to ``file`` (mode 0600); an existing file is never overwritten."""
    if not file.parent.is_dir():
        raise InputRefused("file", f"{file.parent}: no such directory")
    key = generate()
    try:
        handle = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputRefused("file", f"{file} already exists: keys are never overwritten") from None
    with os.fdopen(handle, "wb") as out:
        out.write(private_pem(key))
    return key


def read_key(file: Path, field: str = SETTING) -> Ed25519PrivateKey:
    try:
        pem = file.read_bytes()
    except OSError as error:
        raise InputRefused(field, f"cannot read {file}: {error.strerror}") from None
    try:
        return load_private(pem)
    except InputRefused as error:
        raise InputRefused(field, f"{file} {error.reason}") from None
