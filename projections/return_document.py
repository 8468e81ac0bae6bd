"""The monthly NHSE return as one typed document (docs/rules.md §12).

``build_document`` computes it from a programme's facts; ``SECTIONS`` names every section's
columns, labels and kinds; ``to_json`` writes the one JSON form that the CSV, XLSX and HTML
renderings are made from (``projections/exports.py``, ``api/templates/return.html``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from projections import return_extra as extra
from projections.arithmetic import (
    DEFAULT_RAG,
    ZERO,
    SchemeMonth,
    full_days_through,
    scheme_month,
    status_on,
)
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.return_beds import PLACE_ORDER, beds_lines, rank
from projections.return_cells import Section, json_cell, kpi_target, kpi_value
from projections.return_flow import flow_lines
from projections.return_lines import (
    COVER,
    LAYOUT,
    SECTIONS,
    BedsLine,
    Cover,
    FlowLine,
    KpiLine,
    NoteLine,
    SchemeLine,
    StreamLine,
)
from projections.return_sections import (
    DischargeLine,
    ForecastLine,
    GaBedsLine,
    RiskLine,
    TrajectoryLine,
    VirtualWardLine,
)
from projections.return_totals import exact_cells, rounding_notes
from projections.rounding import pct_for_rag
from schemes.months import YearMonth, financial_month_label, financial_year, window_days
from schemes.rules import kpi_type

STREAMS = ("capital", "revenue", "virtual_ward")
SYNTHETIC = (
    "Synthetic figures: this return was made from generated demonstration data, not from "
    "anything the ICB reported."
)
SECTION_ORDER = ("acute", "community", "mental_health", "voluntary")


@dataclass(frozen=True)
class ReturnDocument:
    cover: Cover
    streams: list[StreamLine]
    beds: list[BedsLine]
    schemes: list[SchemeLine]
    kpis: list[KpiLine]
    flow: list[FlowLine]
    trajectory: list[TrajectoryLine] = field(default_factory=list)
    forecast: list[ForecastLine] = field(default_factory=list)
    discharges: list[DischargeLine] = field(default_factory=list)
    ga_beds: list[GaBedsLine] = field(default_factory=list)
    virtual_wards: list[VirtualWardLine] = field(default_factory=list)
    risks: list[RiskLine] = field(default_factory=list)
    notes: list[NoteLine] = field(default_factory=list)


def grouped(schemes: list[SchemeFacts]) -> list[SchemeFacts]:
    """Section (acute, community, mental health, voluntary), then place, then scheme code."""
    return sorted(
        schemes,
        key=lambda s: (rank(SECTION_ORDER, s.category), rank(PLACE_ORDER, s.place), s.code),
    )


def narrative_at(scheme: SchemeFacts, last_day: date) -> tuple[str, date | None]:
    """The narrative as it stood at the end of the month: the latest update dated on or before
    its last day (updates kept before dates were recorded count as dated at the start)."""
    dated = [(on or date.min, pos, text, on) for on, pos, text in scheme.narratives]
    standing = [n for n in dated if n[0] <= last_day]
    if not standing:
        return "", None
    _, _, text, on = max(standing, key=lambda n: (n[0], n[1]))
    return text, on


def _scheme_line(s: SchemeFacts, m: SchemeMonth, month: YearMonth, as_of: date) -> SchemeLine:
    moves = [a for d, a in s.diversions if d <= as_of]
    narrative, narrative_on = narrative_at(s, month.last_day)
    live = s.went_live_on if s.went_live_on and s.went_live_on <= as_of else None
    return SchemeLine(
        section=s.category,
        place=s.place,
        scheme_code=s.code,
        scheme_name=s.name,
        provider=s.provider or "",
        funding_stream=s.funding_stream,
        counts_toward_target=s.counts_toward_target,
        status=status_on(s, as_of),
        planned_start=s.planned_start,
        went_live_on=live,
        original_allocation_gbp=s.allocation_gbp,
        diverted_in_gbp=sum((a for a in moves if a > 0), ZERO),
        diverted_out_gbp=-sum((a for a in moves if a < 0), ZERO),
        allocation_gbp=m.allocation,
        spend_in_month_gbp=m.spend_in_month,
        spend_basis=s.spend_basis.get(str(month), ""),
        spend_to_date_gbp=m.spend_to_date,
        forecast_outturn_gbp=m.forecast_outturn,
        variance_gbp=m.variance,
        planned_beds_equivalent=None if s.measure == "none" else m.planned,
        delivered_beds_equivalent=m.delivered,
        delivered_pct_of_planned=(
            None if m.ratio is None else pct_for_rag(m.ratio, DEFAULT_RAG.green, DEFAULT_RAG.amber)
        ),
        delivery_rag=m.rag,
        completeness_pct=None if m.completeness is None else m.completeness * 100,
        narrative=narrative,
        narrative_on=narrative_on,
    )


def _streams(p: ProgrammeFacts, lines: list[SchemeLine], month: YearMonth) -> list[StreamLine]:
    """By funding stream: NHSE's allocation in force at the month's end (revisions by their
    effective date), what schemes hold, and the money received and spent."""
    allocations = p.allocations_on(min(month.last_day, p.period_end))
    names = [s for s in STREAMS if s in allocations or any(x.funding_stream == s for x in lines)]
    out: list[StreamLine] = []
    for name in [*names, "total"]:
        mine = [x for x in lines if name in ("total", x.funding_stream)]
        nhse = sum(allocations.values(), ZERO) if name == "total" else allocations.get(name)
        received = p.funds_received_by(month.last_day)
        dates = p.funds_received_dates(month.last_day)
        days = sorted({d for k, ds in dates.items() if name in ("total", k) for d in ds})
        assigned = sum((x.allocation_gbp for x in mine), ZERO)
        out.append(
            StreamLine(
                funding_stream=name,
                nhse_allocation_gbp=nhse or ZERO,
                assigned_to_schemes_gbp=assigned,
                unassigned_gbp=(nhse or ZERO) - assigned,
                funds_received_gbp=(
                    sum(received.values(), ZERO) if name == "total" else received.get(name, ZERO)
                ),
                funds_received_on=", ".join(d.isoformat() for d in days),
                spend_in_month_gbp=sum((x.spend_in_month_gbp for x in mine), ZERO),
                spend_to_date_gbp=sum((x.spend_to_date_gbp for x in mine), ZERO),
                forecast_outturn_gbp=sum((x.forecast_outturn_gbp for x in mine), ZERO),
                variance_gbp=sum((x.variance_gbp for x in mine), ZERO),
            )
        )
    return out


def _kpis(
    p: ProgrammeFacts, months: dict[str, tuple[SchemeFacts, SchemeMonth]], window: list[date]
) -> list[KpiLine]:
    rows: list[KpiLine] = []
    for s, m in months.values():
        values = m.kpis
        for k in s.kpis:
            code, kind = str(k["code"]), kpi_type(k)
            reports = sum(1 for d in window if d in s.daily and code in s.daily[d].kpis)
            rows.append(
                KpiLine(
                    scheme_code=s.code,
                    kpi_code=code,
                    kpi_name=str(k["name"]),
                    type=kind,
                    unit=str(k.get("unit") or kind),
                    aggregation=str(k.get("aggregation") or "latest"),
                    target=kpi_target(k.get("target"), kind),
                    reports=reports,
                    value=kpi_value(values.get(code), kind),
                )
            )
    return rows


def build_document(p: ProgrammeFacts, month: YearMonth, today: date) -> ReturnDocument:
    as_of = min(today, month.last_day)
    through = min(as_of, full_days_through(today))  # a month in progress: full days only
    order = grouped(list(p.schemes.values()))
    months = {s.code: (s, scheme_month(p, s, month, as_of, through=through)) for s in order}
    lines = [_scheme_line(s, m, month, as_of) for s, m in months.values()]
    window = window_days(month, p.period_start, p.period_end, through)
    cover = Cover(
        icb_name=p.icb_name,
        icb_code=p.icb_code,
        region_code=p.region_code,
        programme=p.code,
        winter=p.winter,
        financial_year=financial_year(month),
        financial_month=financial_month_label(month),
        return_period=f"{financial_month_label(month)} {financial_year(month)}",
        month=str(month),
        month_name=f"{month.first_day:%B %Y}",
        period_start=window[0] if window else None,
        period_end=window[-1] if window else None,
        bed_target=p.bed_target,
        known_at=p.known_at,
        as_at=p.as_at[:19].replace("T", " "),
        synthetic=p.synthetic,
        status="preview",
        revision=None,
        restatement_reason="",
        submitted_by="",
        submitted_at="",
        signed_off_by="",
        signed_off_at="",
        layout=LAYOUT,
    )
    doc = ReturnDocument(
        cover=cover,
        streams=_streams(p, lines, month),
        beds=beds_lines(p, months),
        schemes=lines,
        kpis=_kpis(p, months, window),
        flow=flow_lines(p, window),
        trajectory=extra.trajectory(p, month, through),
        forecast=extra.spend_forecast(p, lines, month),
        discharges=extra.discharges(p, window),
        ga_beds=extra.ga_beds(p, window),
        virtual_wards=extra.virtual_wards(months),
        risks=extra.risks(lines),
    )
    notes = rounding_notes(doc)
    if not doc.virtual_wards:
        notes.append(NoteLine("Virtual wards", "No scheme is funded from the virtual-ward stream."))
    if p.synthetic:
        notes.insert(0, NoteLine("Synthetic figures", SYNTHETIC))
    return replace(doc, notes=notes)


def section_rows(section: Section, lines: list[Any]) -> list[dict[str, Any]]:
    return [
        {c.key: json_cell(c.kind, getattr(line, c.key)) for c in section.columns} for line in lines
    ]


def to_json(doc: ReturnDocument, generated_at: str = "") -> dict[str, Any]:
    """The return as JSON: the cover and every section (the form the CSV, XLSX and HTML are
    written from), and the figures earlier versions of the API gave at the top level."""
    cover = {c.key: json_cell(c.kind, getattr(doc.cover, c.key)) for c in COVER}
    sections = {s.key: section_rows(s, getattr(doc, s.key)) for s in SECTIONS}
    streams = {r["funding_stream"]: r for r in sections["streams"]}
    counted = next(r for r in sections["beds"] if r["group"] == "counted_total")
    total = streams["total"]
    return {
        "programme": cover["programme"],
        "icb_code": cover["icb_code"],
        "icb_name": cover["icb_name"],
        "region_code": cover["region_code"],
        "month": cover["month"],
        "financial_month": cover["financial_month"],
        "financial_year": cover["financial_year"],
        "known_at": cover["known_at"],
        "generated_at": generated_at,
        "layout": LAYOUT,
        "cover": cover,
        "summary": {
            "bed_target": doc.cover.bed_target,
            "planned_beds_equivalent": counted["planned_beds_equivalent"],
            "delivered_beds_equivalent": counted["delivered_beds_equivalent"],
            "allocation_gbp": total["assigned_to_schemes_gbp"],
            "spend_in_month_gbp": total["spend_in_month_gbp"],
            "spend_to_date_gbp": total["spend_to_date_gbp"],
            # By funding stream, as earlier versions gave it (the region reads it too).
            "by_stream": {
                name: {
                    "programme_allocation_gbp": row.get("nhse_allocation_gbp", "0.00"),
                    "allocation_gbp": row.get("assigned_to_schemes_gbp", "0.00"),
                    "spend_in_month_gbp": row.get("spend_in_month_gbp", "0.00"),
                    "spend_to_date_gbp": row.get("spend_to_date_gbp", "0.00"),
                }
                for name in STREAMS
                for row in [streams.get(name, {})]
            },
        },
        **sections,
        # The beds, percentage and average cells to 10 decimals, rows adding exactly to their
        # totals: what the workbook holds under its display formats (docs/rules.md §15).
        "exact": exact_cells(doc),
    }


def with_submission(
    report: dict[str, Any],
    revision: int,
    by: str,
    at: str,
    reason: str,
    signed_off: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    """The return as submitted: the cover names the revision, who submitted it and when,
    whether it is the primary return or a restatement (with its reason), and who signed off
    its figures and when."""
    cover = {
        **report["cover"],
        "status": "primary" if revision == 1 else "restatement",
        "revision": revision,
        "restatement_reason": "" if revision == 1 else reason or "restated after corrections",
        "submitted_by": by,
        "submitted_at": at,
        "signed_off_by": signed_off[0],
        "signed_off_at": signed_off[1],
    }
    return {**report, "cover": cover, "generated_at": at}
