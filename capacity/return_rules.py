"""When a monthly return may be submitted, and what a restatement needs (see
``docs/returns.md``, "Submitting and restating").

A month's return may be submitted once the month has ended by the programme's clock: from the
first day of the next month (on 16 January 2023, December and earlier; not January, which is
in progress, nor February). A restatement (any revision after the first) needs a reason and a
change in the figures since the latest revision, or an explicit "resubmit unchanged" with a
reason, so a reload, a double-click or an idle resubmission never sends NHS England a second
copy of the same figures.
"""

from __future__ import annotations

from datetime import date

from schemes.months import YearMonth, financial_month_label
from schemes.rules import InputRefused, check_text


def month_name(month: YearMonth) -> str:
    return f"{financial_month_label(month)} ({month.first_day:%B %Y})"


def check_month_ended(month: YearMonth, today: date) -> None:
    """Refuses a month that has not ended: it can be submitted from the next month's first
    day."""
    opens = month.next().first_day
    if today < opens:
        raise InputRefused(
            "month",
            f"{month_name(month)} has not ended: its return can be submitted from "
            f"{opens.day} {opens:%b %Y} (today is {today.day} {today:%b %Y})",
        )


def check_restatement(reason: str, changed: bool, unchanged: bool) -> str:
    """The reason a restatement gives, once it has one and either changes the figures or is
    explicitly resubmitted unchanged."""
    why = check_text("reason", reason or "", max_len=500).strip()
    if not why:
        raise InputRefused("reason", "is required to restate a submitted return")
    if not changed and not unchanged:
        raise InputRefused(
            "reason",
            "nothing changed since the latest revision: tick 'resubmit unchanged' to send "
            "the same figures again",
        )
    return why
