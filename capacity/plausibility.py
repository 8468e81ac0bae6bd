"""Warnings that ask: figures that can be true but look wrong are stored only with a comment
confirming them (as SMART and Capacity Tracker ask), unlike figures that cannot be true, which
the rules refuse outright. Every channel reports a day through the application, so every channel
asks: the web shows the question with a comment box, the API and the Kafka topic take a
``confirm_comment`` with the figures. Spend is asked about the same way when it is more than a
set share above the month's profile (docs/rules.md §13a)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from capacity.daily_figures import LABELS, DailyFigures
from capacity.errors import LooksWrong
from schemes.months import YearMonth, financial_month_label
from schemes.rules import check_text

if TYPE_CHECKING:
    from capacity.scheme import Scheme

# the figures compared with the day before: a scheme's daily delivery rarely halves or doubles
COMPARED = ("beds_equivalent", "beds_occupied", "patients_supported", "hours_delivered")
MAX_COMMENT = 500
COMMENT = "confirm_comment"  # the field every channel sends the comment in
# spend more than this share above the month's profile asks (WINTERTRACK_SPEND_ABOVE_PROFILE)
SPEND_ABOVE_PROFILE = Decimal("0.50")
FIGURES_QUESTION = (
    "these figures look wrong: {found}. "
    "Check them; if they are right, add a comment saying why to store them"
)
SPEND_QUESTION = (
    "this spend looks wrong: {found}. "
    "Check it; if it is right, add a comment saying why to store it"
)


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


def spend_doubts(
    amount_gbp: Decimal, month: YearMonth, profile_gbp: Decimal, share: Decimal
) -> list[str]:
    """What looks wrong in a month's spend, in words: more than ``share`` above the month's
    profile (``schemes/profile.py``); exactly ``share`` above does not ask. A month with no
    profile (before the planned start) is not compared: money spent to mobilise is usual."""
    if profile_gbp <= 0 or amount_gbp <= profile_gbp * (1 + share):
        return []
    return [
        f"£{amount_gbp:,.2f} is more than {share * 100:.0f}% above the profile of "
        f"£{profile_gbp:,.2f} for {financial_month_label(month)} ({month.first_day:%b %Y})"
    ]


def confirmed(found: list[str], comment: Any, question: str = FIGURES_QUESTION) -> str | None:
    """The confirming comment to keep with the event; refuses figures that look wrong without
    one (``LooksWrong``, naming ``confirm_comment``). None when nothing looked wrong."""
    text = check_text("confirm_comment", comment, MAX_COMMENT).strip() if comment else ""
    if not found:
        return text or None
    if not text:
        raise LooksWrong(question.format(found="; ".join(found)), field="confirm_comment")
    return text
