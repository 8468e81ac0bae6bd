"""A scheme's history as sentences people read: "12 Nov 2022 — beds-equivalent 8.4 → 9.1
(correction: miscounted), j.lead via web", never a dict of stored values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from api.schemas import HistoryEntry
from api.wording import count as plural
from api.wording import words
from capacity.daily_figures import LABELS
from schemes.months import YearMonth
from schemes.rules import InputRefused

# What the filter on the history page offers, in the order shown.
KINDS = {
    "figures": "Daily figures",
    "spend": "Spend",
    "beds": "Beds opened and closed",
    "status": "Go-live, pause, resume, close",
    "money": "Diversions",
    "plan": "Registration and plan",
    "narrative": "Narrative",
}
EVENT_KINDS = {
    "DailyFiguresReported": "figures",
    "DailyFiguresCorrected": "figures",
    "SpendRecorded": "spend",
    "SpendCorrected": "spend",
    "Scheme.BedsOpened": "beds",
    "Scheme.BedsClosed": "beds",
    "Scheme.SchemeMobilised": "status",
    "Scheme.SchemeApproved": "status",
    "Scheme.SchemePaused": "status",
    "Scheme.SchemeResumed": "status",
    "Scheme.SchemeClosed": "status",
    "Scheme.FundingDivertedOut": "money",
    "Scheme.FundingDivertedIn": "money",
    "Scheme.SchemeRegistered": "plan",
    "Scheme.PlannedStartChanged": "plan",
    "Scheme.KpiTargetSet": "plan",
    "Scheme.NarrativeUpdated": "narrative",
}
FIGURE_NAMES = {
    **LABELS,
    "amount_gbp": "spend",
    "basis": "basis",
}
CHANNELS = {
    "web": "the web",
    "api": "the API",
    "cli": "the command line",
    "kafka": "Kafka",
    "system": "the system",
}


@dataclass(frozen=True)
class HistoryLine:
    """One event as a sentence, with what the page needs to filter and link it."""

    position: int | None
    kind: str
    when: str  # the date the change is about, "12 Nov 2022"
    recorded: str  # when it was stored, "13 Nov 2022 09:12"
    text: str
    by: str


def long_date(value: Any) -> str:
    """``2022-11-12`` -> ``12 Nov 2022`` (the NHS style); anything else as it was."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b %Y}"


def _recorded(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return f"{long_date(moment.date().isoformat())} {moment:%H:%M}"


def _money(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def _value(name: str, value: Any) -> str:
    if value is None or value == {} or value == "":
        return "none"
    if name == "amount_gbp":
        return _money(value)
    if isinstance(value, dict):
        return ", ".join(f"{k.upper() if k.startswith('p') else k} {v}" for k, v in value.items())
    return str(value)


def _changes(changes: dict[str, Any]) -> str:
    said = []
    for name, change in changes.items():
        if not isinstance(change, dict) or "new" not in change:
            continue
        if change.get("old") in (None, {}) and change["new"] in (None, {}, ""):
            continue  # nothing was there and nothing is now: not worth a word
        label = FIGURE_NAMES.get(name, name.replace("_", " "))
        new = _value(name, change["new"])
        if change.get("old") is None:
            said.append(f"{label} {new}")
        else:
            said.append(f"{label} {_value(name, change['old'])} → {new}")
    return "; ".join(said) or "no figure changed"


def _scheme_sentence(event: str, data: dict[str, Any]) -> tuple[str, str]:
    """(the date it is about, the sentence) for one of the scheme's own events."""
    name = event.split(".", 1)[-1]
    reason = f" ({data['reason']})" if data.get("reason") else ""
    if name == "SchemeRegistered":
        planned = data.get("planned_beds_equivalent")
        plan = f", planned {planned} beds-equivalent a day" if planned else ""
        return "", (
            f"registered in {data.get('category')} at {data.get('place')} with "
            f"{_money(data.get('allocation_gbp'))} of {words(str(data.get('funding_stream')))}"
            f"{plan}"
        )
    if name in ("BedsOpened", "BedsClosed"):
        verb = "opened" if name == "BedsOpened" else "closed"
        count = abs(int(data.get("change", 0)))
        beds = plural(count, f"{words(str(data.get('bed_type')))} bed")
        return data.get("on", ""), f"{beds} {verb}{reason}"
    if name == "SchemeMobilised":
        return data.get("went_live_on", ""), "went live"
    if name == "SchemeApproved":
        return data.get("approved_on", ""), f"approved (decision {data.get('decision_ref')})"
    if name in ("SchemePaused", "SchemeResumed", "SchemeClosed"):
        done = {"SchemePaused": "paused", "SchemeResumed": "resumed", "SchemeClosed": "closed"}
        return data.get("on", ""), f"{done[name]}{reason}"
    if name == "FundingDivertedOut":
        return data.get("decided_on", ""), (
            f"{_money(data.get('amount_gbp'))} diverted to {data.get('to_scheme')} "
            f"(decision {data.get('decision_ref')})"
        )
    if name == "FundingDivertedIn":
        return data.get("decided_on", ""), (
            f"{_money(data.get('amount_gbp'))} diverted in from {data.get('from_scheme')} "
            f"(decision {data.get('decision_ref')})"
        )
    if name == "PlannedStartChanged":
        start = long_date(data["planned_start"]) if data.get("planned_start") else "none"
        return "", f"planned start changed to {start}{reason}"
    if name == "KpiTargetSet":
        target = data.get("target") if data.get("target") is not None else "TBC"
        return "", f"KPI {data.get('kpi_code')} target set to {target}{reason}"
    if name == "NarrativeUpdated":
        return data.get("on", ""), f"narrative: “{data.get('narrative', '')}”"
    return "", name


def sentence(entry: HistoryEntry) -> HistoryLine:
    """The entry as the page says it."""
    kind = EVENT_KINDS.get(entry.event, "plan")
    changes = dict(entry.changes)
    if entry.event.startswith("Daily"):
        when = long_date(changes.get("date", ""))
        text = _changes(changes)
        if entry.event == "DailyFiguresCorrected":
            text += f" (correction: {changes.get('reason') or 'no reason given'})"
        if changes.get("confirm_comment"):
            text += f" (confirmed as right: {changes['confirm_comment']})"
    elif entry.event.startswith("Spend"):
        when = _month(str(changes.get("month", "")))
        text = _changes(changes)
        if entry.event == "SpendCorrected":
            text += f" (correction: {changes.get('reason') or 'no reason given'})"
        if changes.get("confirm_comment"):
            text += f" (confirmed as right: {changes['confirm_comment']})"
    else:
        about, text = _scheme_sentence(entry.event, changes)
        when = long_date(about or entry.at)
    channel = CHANNELS.get(entry.channel, entry.channel or "the system")
    return HistoryLine(
        position=entry.position,
        kind=kind,
        when=when,
        recorded=_recorded(entry.at),
        text=text,
        by=f"{entry.who or 'unknown'} ({entry.role}) via {channel}",
    )


def _month(value: str) -> str:
    try:
        first = date.fromisoformat(f"{value}-01")
    except ValueError:
        return value
    return f"{first:%B %Y}"


def _about(entry: HistoryEntry) -> str:
    """The ISO day a change is about: the day reported, the month's last day for spend, the
    day a bed change, go-live, status change, diversion or narrative took effect; else ''."""
    changes = entry.changes
    if entry.event.startswith("Daily"):
        return str(changes.get("date", ""))
    if entry.event.startswith("Spend"):
        try:
            return str(YearMonth.parse(str(changes.get("month", ""))).last_day)
        except InputRefused:
            return ""
    return str(_scheme_sentence(entry.event, changes)[0] or "")


def _newest(entry: HistoryEntry) -> tuple[str, str, int]:
    """Newest first: by the day it was recorded, then the day it is about (undated changes,
    such as the registration, before the dated ones of that day), then the log."""
    return (entry.at or "")[:10], _about(entry), entry.position or 0


def newest_first(
    entries: list[HistoryEntry], kind: str | None, page: int, per_page: int = 25
) -> tuple[list[HistoryLine], int]:
    """One page of sentences, newest first (recorded, then about), optionally of one kind; and
    the page count."""
    ordered = sorted(entries, key=_newest, reverse=True)
    lines = [sentence(e) for e in ordered]
    if kind:
        lines = [line for line in lines if line.kind == kind]
    pages = max(1, -(-len(lines) // per_page))
    page = min(max(page, 1), pages)
    return lines[(page - 1) * per_page : page * per_page], pages
