"""Warnings that ask: figures that can be true but look wrong are stored only with a comment
confirming them (as SMART and Capacity Tracker ask), unlike figures that cannot be true, which
the rules refuse outright. Every channel reports a day through the application, so every channel
asks: the web shows the question with a comment box, the API and the Kafka topic take a
``confirm_comment`` with the figures."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from capacity.daily_figures import LABELS, DailyFigures
from capacity.errors import LooksWrong
from schemes.rules import check_text

if TYPE_CHECKING:
    from capacity.scheme import Scheme

# the figures compared with the day before: a scheme's daily delivery rarely halves or doubles
COMPARED = ("beds_equivalent", "beds_occupied", "patients_supported", "hours_delivered")
MAX_COMMENT = 500
COMMENT = "confirm_comment"  # the field every channel sends the comment in


def doubts(
    figures: DailyFigures,
    day: date,
    beds_open: int | None,
    day_before: Mapping[str, Any] | None,
) -> list[str]:
    """What looks wrong in a day's figures, in words; empty when nothing does. ``beds_open``
    is the scheme's beds open that day (None for a scheme without beds), ``day_before`` the
    figures stored for the day before (None when it was not reported)."""
    found: list[str] = []
    occupied = figures.beds_occupied
    if beds_open is not None and occupied is not None and occupied > beds_open:
        found.append(
            f"beds occupied ({occupied}) is more than the {beds_open} beds open on "
            f"{day.day} {day:%b %Y}"
        )
    for name in COMPARED if day_before else ():
        assert day_before is not None
        now, then = getattr(figures, name), day_before.get(name)
        if now is None or then is None or Decimal(str(then)) <= 0:
            continue
        before = Decimal(str(then))
        if now > 2 * before:
            found.append(f"{LABELS[name]} ({now}) is more than double the day before's ({then})")
        elif now < before / 2:
            found.append(f"{LABELS[name]} ({now}) is less than half the day before's ({then})")
    return found


def scheme_doubts(
    scheme: Scheme, day: date, figures: DailyFigures, day_before: Mapping[str, Any] | None
) -> list[str]:
    """``doubts`` for one of the scheme's days: its beds open count only when it has beds."""
    beds_open = scheme.beds_open_on(day) if scheme.bed_changes else None
    return doubts(figures, day, beds_open, day_before)


def confirmed(found: list[str], comment: Any) -> str | None:
    """The confirming comment to keep with the event; refuses figures that look wrong without
    one (``LooksWrong``, naming ``confirm_comment``). None when nothing looked wrong."""
    text = check_text("confirm_comment", comment, MAX_COMMENT).strip() if comment else ""
    if not found:
        return text or None
    if not text:
        raise LooksWrong(
            "these figures look wrong: "
            + "; ".join(found)
            + ". Check them; if they are right, add a comment saying why to store them",
            field="confirm_comment",
        )
    return text
