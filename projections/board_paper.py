"""What the board's monthly paper says, read from the same read model as the dashboard.

Every figure is the dashboard's as of the month's last day (or today, mid-month) at one
event-log position, so the explain pages trace each of them; the paper adds only words, the
schemes' sections, the decisions recorded since the last signed-off paper and the differences
from that paper. ``PaperContents`` is what the page, the PDF and the API all read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from capacity.board_papers import Cover
from projections.board_papers import Decision, PaperRecord, decisions_between
from projections.facts import SchemeFacts
from projections.readmodel import ReadModel
from projections.shapes import Dashboard
from schemes.months import YearMonth, financial_month_label, financial_year
from schemes.rules import InputRefused

SECTION_ORDER = ("acute", "community", "mental_health", "voluntary")
SECTION_NAMES = {
    "acute": "Acute",
    "community": "Community",
    "mental_health": "Mental health",
    "voluntary": "Voluntary sector",
}
RAGS = ("green", "amber", "red", "not_due", "n/a")


@dataclass(frozen=True)
class StreamMoney:
    funding_stream: str
    programme_allocation_gbp: Decimal
    scheme_allocations_gbp: Decimal
    spend_to_date_gbp: Decimal
    profile_to_date_gbp: Decimal
    closed_month: str


@dataclass(frozen=True)
class Summary:
    """The executive summary's figures (the dashboard's), and the sentences written from them."""

    bed_target: int
    delivered_beds_equivalent: float | None
    planned_beds_equivalent: float | None
    schemes_by_rag: dict[str, int]
    streams: tuple[StreamMoney, ...]
    diversion_candidates: tuple[str, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class SchemeRow:
    section: str
    place: str
    scheme_code: str
    scheme_name: str
    status: str
    funding_stream: str
    counts_toward_target: bool
    planned_beds_equivalent: float | None
    delivered_beds_equivalent: float | None
    delivery_rag: str
    allocation_gbp: Decimal
    spend_to_date_gbp: Decimal
    profile_to_date_gbp: Decimal
    forecast_outturn_gbp: Decimal


@dataclass(frozen=True)
class Difference:
    """A figure that differs from the last signed-off paper's."""

    what: str
    frozen: str
    now: str


@dataclass(frozen=True)
class Reading:
    scheme_code: str
    reading: str


@dataclass(frozen=True)
class PaperContents:
    programme: str
    icb_name: str
    month: str
    month_label: str  # "M9 (December 2022), 2022/23"
    as_of: date
    known_at: int
    cover: Cover
    history: tuple[PaperRecord, ...]
    summary: Summary
    schemes: tuple[SchemeRow, ...]
    decisions: tuple[Decision, ...]
    frozen_revision: int | None  # the month's signed-off paper the differences are from
    decisions_since: str  # the signed-off paper (of this month or an earlier one) they follow
    changes: tuple[Difference, ...]
    readings: tuple[Reading, ...]


CONTENTS = TypeAdapter(PaperContents)


def contents_json(contents: PaperContents) -> str:
    return CONTENTS.dump_json(contents).decode()


def contents_from_json(text: str) -> PaperContents:
    return CONTENTS.validate_json(text)


def paper_day(month: YearMonth, today: date) -> date:
    """The day a month's paper is read as of: the month's last day, or today mid-month."""
    if today < month.first_day:
        raise InputRefused("month", f"{month} has not started yet")
    return min(today, month.last_day)


def month_label(month: YearMonth) -> str:
    name = month.first_day.strftime("%B %Y")
    return f"{financial_month_label(month)} ({name}), {financial_year(month)}"


def build_contents(
    read: ReadModel,
    programme: str,
    month: str,
    cover: Cover,
    history: tuple[PaperRecord, ...] = (),
    frozen: PaperContents | None = None,
    readings: tuple[Reading, ...] = (),
    known_at: int | None = None,
) -> PaperContents:
    """The paper for a month at one position: ``history`` the papers kept (the decisions listed
    follow the latest one signed off), ``frozen`` the month's signed-off paper (for the
    differences), ``readings`` the catalogue's readings."""
    ym = YearMonth.parse(month)
    period = read.facts(programme, known_at)
    if not YearMonth.of(period.period_start) <= ym <= YearMonth.of(period.period_end):
        raise InputRefused("month", f"{ym} is outside the programme period")
    day = paper_day(ym, read.today())
    board = read.dashboard(programme, day, known_at)
    facts = read.facts(programme, board.known_at)
    rows = tuple(_scheme_rows(board, facts.schemes))
    summary = _summary(board, rows, ym)
    last = _last_signed_off(history, str(ym))
    return PaperContents(
        programme=programme,
        icb_name=board.icb_name,
        month=str(ym),
        month_label=month_label(ym),
        as_of=day,
        known_at=board.known_at,
        cover=cover,
        history=history,
        summary=summary,
        schemes=rows,
        decisions=tuple(
            decisions_between(read.views, programme, last.position if last else 0, board.known_at)
        ),
        frozen_revision=None if frozen is None else _frozen_revision(history, frozen),
        decisions_since=(
            f"the {month_label(YearMonth.parse(last.month))} paper, revision {last.revision}"
            if last
            else "the winter began"
        ),
        changes=tuple(differences(frozen, summary, rows)) if frozen else (),
        readings=readings,
    )


def _last_signed_off(history: tuple[PaperRecord, ...], month: str) -> PaperRecord | None:
    signed = [r for r in history if r.signed_off_by and r.month <= month]
    return max(signed, key=lambda r: (r.month, r.revision), default=None)


def _frozen_revision(history: tuple[PaperRecord, ...], frozen: PaperContents) -> int | None:
    for record in reversed(history):
        if record.month == frozen.month and record.signed_off_by:
            return record.revision
    return None


def _scheme_rows(board: Dashboard, facts: dict[str, SchemeFacts]) -> list[SchemeRow]:
    rows = []
    for s in board.schemes:
        section = facts[s.scheme_code].category
        rows.append(
            SchemeRow(
                section=section,
                place=s.place,
                scheme_code=s.scheme_code,
                scheme_name=s.scheme_name,
                status=s.status,
                funding_stream=facts[s.scheme_code].funding_stream,
                counts_toward_target=s.counts_toward_target,
                planned_beds_equivalent=s.planned_beds_equivalent,
                delivered_beds_equivalent=s.delivered_beds_equivalent,
                delivery_rag=s.delivery_rag,
                allocation_gbp=Decimal(s.allocation_gbp),
                spend_to_date_gbp=Decimal(s.spend_to_date_gbp),
                profile_to_date_gbp=Decimal(s.profile_to_date_gbp),
                forecast_outturn_gbp=Decimal(s.forecast_outturn_gbp),
            )
        )
    order = {name: n for n, name in enumerate(SECTION_ORDER)}
    return sorted(rows, key=lambda r: (order.get(r.section, 9), r.place, r.scheme_code))


def _summary(board: Dashboard, rows: tuple[SchemeRow, ...], month: YearMonth) -> Summary:
    head = board.headline
    delivered, planned = head.delivered_month_to_date, head.planned_month_to_date
    target = board.bed_target
    rag = {name: sum(1 for r in rows if r.delivery_rag == name) for name in RAGS}
    streams = tuple(
        StreamMoney(
            funding_stream=s.funding_stream,
            programme_allocation_gbp=Decimal(s.programme_allocation_gbp),
            scheme_allocations_gbp=Decimal(s.scheme_allocations_gbp),
            spend_to_date_gbp=Decimal(s.spend_to_date_gbp),
            profile_to_date_gbp=Decimal(s.profile_to_date_gbp),
            closed_month=s.closed_month,
        )
        for s in board.spend
    )
    candidates = tuple(c.scheme_code for c in board.diversion_candidates)
    return Summary(
        bed_target=target,
        delivered_beds_equivalent=delivered,
        planned_beds_equivalent=planned,
        schemes_by_rag=rag,
        streams=streams,
        diversion_candidates=candidates,
        sentences=_sentences(month, target, delivered, planned, rag, streams, candidates),
    )


def _sentences(
    month: YearMonth,
    target: int,
    delivered: float | None,
    planned: float | None,
    rag: dict[str, int],
    streams: tuple[StreamMoney, ...],
    candidates: tuple[str, ...],
) -> tuple[str, ...]:
    name = month.first_day.strftime("%B %Y")
    got = "no figures yet" if delivered is None else f"{_num(delivered)} beds-equivalent per day"
    share = "" if delivered is None or not target else f" ({delivered / target:.0%} of it)"
    plan = "" if planned is None else f" and the month's plan of {_num(planned)}"
    said = [
        f"In {name} the schemes counted towards the target delivered an average of {got} "
        f"against the target of {target}{share}{plan}.",
        "Schemes by delivery RAG: "
        + ", ".join(f"{rag[k]} {k.replace('_', ' ')}" for k in RAGS if rag[k])
        + ".",
    ]
    for s in streams:
        said.append(
            f"{s.funding_stream.replace('_', ' ').capitalize()}: £{s.spend_to_date_gbp:,.2f} "
            f"spent to the end of {YearMonth.parse(s.closed_month).first_day:%B %Y} against "
            "an allocation of "
            f"£{s.programme_allocation_gbp:,.2f} (profile £{s.profile_to_date_gbp:,.2f})."
        )
    said.append(
        f"{len(candidates)} scheme{'s are' if len(candidates) != 1 else ' is'} a candidate for "
        "diversion of funding" + (f": {', '.join(candidates)}." if candidates else ".")
    )
    return tuple(said)


def _num(value: float) -> str:
    return f"{value:,.1f}"


def differences(
    frozen: PaperContents, summary: Summary, rows: tuple[SchemeRow, ...]
) -> list[Difference]:
    """Headline and scheme figures that differ from the signed-off paper's."""
    found: list[Difference] = []

    def compare(what: str, before: Any, after: Any) -> None:
        if before != after:
            found.append(Difference(what, _text(before), _text(after)))

    old = frozen.summary
    compare(
        "Delivered beds-equivalent",
        old.delivered_beds_equivalent,
        summary.delivered_beds_equivalent,
    )
    compare("Planned beds-equivalent", old.planned_beds_equivalent, summary.planned_beds_equivalent)
    compare("Bed target", old.bed_target, summary.bed_target)
    before = {r.scheme_code: r for r in frozen.schemes}
    for row in rows:
        was = before.get(row.scheme_code)
        if was is None:
            found.append(Difference(f"{row.scheme_code}: scheme", "not listed", "listed"))
            continue
        for field in (
            "delivered_beds_equivalent",
            "planned_beds_equivalent",
            "delivery_rag",
            "allocation_gbp",
            "spend_to_date_gbp",
            "status",
        ):
            label = f"{row.scheme_code}: {field.replace('_gbp', '').replace('_', ' ')}"
            compare(label, getattr(was, field), getattr(row, field))
    return found


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, Decimal):
        return f"£{value:,.2f}"
    return str(value)
