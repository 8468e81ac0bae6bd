"""Two readings of a past day on the dashboard (docs/rules.md §1): that day's figures as known
now, or the winter as it stood at the day's end."""

from __future__ import annotations

from datetime import date, timedelta

from projections.queries import figures as figure_rows
from projections.readmodel import ReadModel
from projections.shapes import Dashboard, Reading
from schemes.rules import InputRefused

READINGS = {
    "figures_for": "Figures for {day}, as known now (later reports and corrections included)",
    "as_it_stood": "The winter as it stood on {day}: what was known at the end of that day",
}


def position_at_end_of(read: ReadModel, day: date) -> int:
    """The event-log position the views had reached at the end of ``day`` (UTC): the
    latest figure recorded by then (0 before anything was)."""
    end = (day + timedelta(days=1)).isoformat()
    return max(figure_rows.latest_positions_before(read.views, end), default=0)


def dashboard_reading(
    read: ReadModel, programme: str, as_of: date | None, reading: str = "figures_for"
) -> Dashboard:
    """The dashboard read one of two ways (docs/rules.md §1): ``figures_for`` the day's
    figures as known now, or ``as_it_stood`` the winter as known at the day's end."""
    if reading not in READINGS:
        raise InputRefused("reading", f"must be one of {', '.join(READINGS)}")
    day = as_of or read.today()
    known_at = position_at_end_of(read, day) if reading == "as_it_stood" else None
    if known_at == 0:
        raise InputRefused("as_of", f"no figures had been recorded by the end of {day}")
    label = READINGS[reading].format(day=f"{day.day} {day:%b %Y}")
    board = read.dashboard(programme, as_of, known_at)
    return board.model_copy(update={"reading": Reading(kind=reading, label=label)})
