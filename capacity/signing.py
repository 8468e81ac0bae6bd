"""Ed25519 signatures on the returns an ICB sends its region (README, "Security").

The ICB's relay signs the exact bytes of each return message with the ICB's private key; the
region checks the signature against the public keys its catalogue lists for the ICB the message
names (several while a key is being rotated). A public key is written as the base64 of its 32
raw bytes; its id is the first 16 hex digits of their SHA-256, so a message can say which key
signed it and an operator can match keys by eye.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from schemes.rules import InputRefused


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise InputRefused("signing_key", "is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputRefused("signing_key", "must be an Ed25519 key")
    return key


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as base64 of its raw 32 bytes: what a region catalogue lists."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id(public: str) -> str:
    return hashlib.sha256(base64.b64decode(public)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(key.sign(payload)).decode("ascii")


def check_public(field: str, text: str) -> str:
    """A listed public key: base64 of 32 bytes that make an Ed25519 key."""
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise InputRefused(field, "is not an Ed25519 public key (base64 of 32 bytes)") from None
    return text


def check_signature(icb: str, keys: Iterable[str], payload: bytes, signature: str | None) -> str:
    """The id of the listed key of ``icb`` that signed ``payload``; InputRefused otherwise."""
    if not signature:
        raise InputRefused("signature", "is missing: returns must be signed by their ICB")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise InputRefused("signature", "is not base64") from None
    listed = list(keys)
    if not listed:
        raise InputRefused("signature", f"the region lists no public key for {icb}")
    for public in listed:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(raw, payload)
        except InvalidSignature:
            continue
        return key_id(public)
    raise InputRefused("signature", f"does not verify with any public key of {icb}")
