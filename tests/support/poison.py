"""The ten kinds of record a hostile or broken producer can send a consumer, each with the
words its dead-letter reason must contain."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Poison:
    name: str
    value: bytes | None
    reason: str  # a fragment of the dead-letter reason


def poison(valid: Callable[..., bytes]) -> list[Poison]:
    """``valid(**changes)`` is a valid message's bytes with fields changed (None drops one)."""
    return [
        Poison("tombstone", None, "no value"),
        Poison("non-utf8", b'{"programme": "\xff\xfe"}', "not JSON"),
        Poison("non-json", b"{not json", "not JSON"),
        Poison("deep-json", b"[" * 60_000, "nested too deeply"),
        Poison("overflow", valid(overflow="1E+1000000"), "implausibly large"),
        Poison("nan", valid(overflow=float("nan")), "NaN is not a number"),
        Poison("unknown-scheme", valid(unknown=True), "nope"),
        Poison("wrong-types", valid(wrong_types=True), ""),
        Poison("2mb", valid(padding="x" * (2 * 1024 * 1024)), "over the limit"),
        Poison("other-programme", valid(programme="QXX-2022-23"), "QXX-2022-23"),
    ]


def nan_json(message: dict[str, object]) -> bytes:
    """JSON as Python writes it, NaN included (what a careless producer sends)."""
    return json.dumps(message, allow_nan=True).encode()
