"""Catching the same decision recorded twice (Back, then the same form again, or two people
entering one board minute): a diversion or funds received that repeats one already stored is
held back until the person confirms it is a separate decision. Both aggregates keep what they
need to recognise a repeat in their state, rebuilt from their own events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from capacity.errors import RepeatSuspected

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Decision:
    """One stored diversion (out of a scheme) or funds receipt, as far as a repeat goes."""

    what: str  # the other scheme of a diversion, the funding stream of a receipt
    amount_gbp: Decimal
    on: date
    ref: str
    recorded_at: datetime | None

    def as_state(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "amount_gbp": self.amount_gbp,
            "on": self.on,
            "ref": self.ref,
            "recorded_at": self.recorded_at,
        }


class Confirmable:
    """An event that records ``repeat_confirmed``: the person confirmed a decision that looked
    like one already recorded. Its class_version 2 added the field; version 1 never asked."""

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["repeat_confirmed"] = False


def remember(aggregate: Any, name: str, what: str, ref: str, event: Any) -> None:
    """Adds the event's decision to the aggregate's list (missing from snapshots taken before
    the list was kept). ``event`` has ``amount_gbp``, a day and ``timestamp``."""
    on = getattr(event, "decided_on", None) or event.received_on
    decision = Decision(what, event.amount_gbp, on, ref, event.timestamp)
    aggregate.__dict__.setdefault(name, []).append(decision.as_state())


def divert(aggregate: Any, on: date, amount_gbp: Decimal) -> None:
    """Moves money in (positive) or out (negative) of a scheme, keeping each diversion by its
    date too: the spend profile re-profiles from a diversion's month (``schemes/profile.py``).
    The dated list is missing on snapshots taken before it was kept."""
    if amount_gbp < 0:
        aggregate.diverted_out -= amount_gbp
    else:
        aggregate.diverted_in += amount_gbp
    aggregate.__dict__.setdefault("diversions", []).append((on, amount_gbp))


def check_not_repeated(
    aggregate: Any, name: str, new: Decision, kind: str, confirmed: bool = False
) -> None:
    """Refuses ``new`` when it repeats a stored decision (the same reference, or the same
    scheme or stream, amount and day), unless the person ``confirmed`` it."""
    if confirmed:
        return
    for found in getattr(aggregate, name, None) or []:
        same_ref = bool(new.ref) and found["ref"] == new.ref
        same = (found["what"], found["amount_gbp"], found["on"]) == (
            new.what,
            new.amount_gbp,
            new.on,
        )
        if same_ref or same:
            raise RepeatSuspected(_said(kind, found), field="confirm_repeat")


def _said(kind: str, found: dict[str, Any]) -> str:
    at = found.get("recorded_at")
    when = ""
    if isinstance(at, datetime):
        local = at.astimezone(LONDON)
        when = f" at {local:%H:%M} on {local.day} {local:%b %Y}"
    day: date = found["on"]
    ref = f", reference {found['ref']}" if found["ref"] else ""
    return (
        f"this looks like the {kind} recorded{when} (£{found['amount_gbp']:,.2f}, "
        f"{found['what']}, {day.day} {day:%b %Y}{ref}) — record it again? Tick "
        "'record it again' if this is a separate decision"
    )
