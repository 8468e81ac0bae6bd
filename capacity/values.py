"""Small value types shared by every aggregate: who acted, through which channel, identities."""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha1
from typing import Literal, get_args
from uuid import UUID, SafeUUID

from schemes.specs import FundingStream

Role = Literal["admin", "board", "finance", "lead", "region", "system"]
Channel = Literal["api", "web", "csv", "kafka", "cli", "system"]
BedType = Literal["core", "escalation", "community", "mental_health", "dta", "virtual"]
SpendBasis = Literal["actual", "accrual"]  # the one spelling of the spend bases
StatusAction = Literal["pause", "resume", "close"]

ROLES: tuple[str, ...] = get_args(Role)
CHANNELS: tuple[str, ...] = get_args(Channel)
FUNDING_STREAMS: tuple[str, ...] = get_args(FundingStream)
BED_TYPES: tuple[str, ...] = get_args(BedType)
SPEND_BASES: tuple[SpendBasis, ...] = get_args(SpendBasis)
PATHWAYS: tuple[str, ...] = ("p0", "p1", "p2", "p3")

# Fixed namespace: identities derived from natural codes must never change between releases.
NAMESPACE = UUID("6b1f4c0e-3a52-5d7e-9c41-2f0d8e7a9b13")


_PREFIX = NAMESPACE.bytes
# uuid5's version and variant bits: clear the top 4 bits of time_hi and 2 of clock_seq, set 5, 10
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_SET = (5 << 76) | (0x8000 << 48)
_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def natural_id(*parts: str) -> UUID:
    """A stable identity from natural codes, so registering twice is a clean conflict.

    ``uuid5(NAMESPACE, name)`` exactly, built without ``UUID.__init__``'s argument checks (a bulk
    import derives one per daily report)."""
    name = "/".join([part.strip().upper() for part in parts])
    digest = sha1(_PREFIX + name.encode("utf-8")).digest()
    uuid = _new(UUID)
    _set(uuid, "int", (int.from_bytes(digest[:16], "big") & _CLEAR) | _SET)
    _set(uuid, "is_safe", _UNKNOWN)
    return uuid


@dataclass(frozen=True)
class Actor:
    """Who did something, in which role, through which channel. Carried by every event; an
    actor made from an HTTP request also names the request (its ``X-Request-ID``)."""

    user_id: str
    role: str
    channel: str = "api"
    request_id: str | None = None

    def via(self, channel: str) -> Actor:
        return Actor(self.user_id, self.role, channel, self.request_id)

    def as_dict(self) -> dict[str, str]:
        found = {"user_id": self.user_id, "role": self.role, "channel": self.channel}
        if self.request_id is not None:  # absent from events stored before requests had ids
            found["request_id"] = self.request_id
        return found


SYSTEM = Actor("system", "system", "system")
