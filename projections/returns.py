"""The monthly NHSE return (docs/rules.md §12) as one JSON-ready structure, from the facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from projections.arithmetic import ZERO, money, scheme_month
from projections.facts import ProgrammeFacts
from schemes.months import YearMonth, financial_month_label, financial_year

STREAMS = ("capital", "revenue", "virtual_ward")
SCHEME_COLUMNS: tuple[str, ...] = (
    "scheme_code",
    "scheme_name",
    "category",
    "place",
    "provider",
    "funding_stream",
    "allocation_gbp",
    "spend_in_month_gbp",
    "spend_to_date_gbp",
    "forecast_outturn_gbp",
    "variance_gbp",
    "planned_beds_equivalent",
    "delivered_beds_equivalent",
    "delivery_rag",
    "completeness_pct",
    "kpis",
    "narrative",
)
MONEY_COLUMNS = frozenset(c for c in SCHEME_COLUMNS if c.endswith("_gbp"))


def beds(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def gbp(value: Decimal) -> str:
    return f"{money(value):.2f}"


def build_return(
    p: ProgrammeFacts, month: YearMonth, today: date, generated_at: str
) -> dict[str, Any]:
    as_of = min(today, month.last_day)
    in_force = p.allocations_on(min(month.last_day, p.period_end))
    rows: list[dict[str, Any]] = []
    by_stream = {s: {"allocation": ZERO, "in_month": ZERO, "to_date": ZERO} for s in STREAMS}
    planned_total = delivered_total = ZERO
    for scheme in sorted(p.schemes.values(), key=lambda s: s.code):
        m = scheme_month(p, scheme, month, as_of)
        stream = by_stream[scheme.funding_stream]
        stream["allocation"] += m.allocation
        stream["in_month"] += m.spend_in_month
        stream["to_date"] += m.spend_to_date
        if scheme.counts_toward_target:
            planned_total += m.planned
            delivered_total += m.delivered or ZERO
        rows.append(
            {
                "scheme_code": scheme.code,
                "scheme_name": scheme.name,
                "category": scheme.category,
                "place": scheme.place,
                "provider": scheme.provider or "",
                "funding_stream": scheme.funding_stream,
                "allocation_gbp": gbp(m.allocation),
                "spend_in_month_gbp": gbp(m.spend_in_month),
                "spend_to_date_gbp": gbp(m.spend_to_date),
                "forecast_outturn_gbp": gbp(m.forecast_outturn),
                "variance_gbp": gbp(m.variance),
                "planned_beds_equivalent": beds(m.planned) if scheme.measure != "none" else None,
                "delivered_beds_equivalent": beds(m.delivered),
                "delivery_rag": m.rag,
                "completeness_pct": (
                    None
                    if m.completeness is None
                    else float((m.completeness * 100).quantize(Decimal("0.1")))
                ),
                "kpis": {k: float(v.quantize(Decimal("0.01"))) for k, v in sorted(m.kpis.items())},
                "narrative": scheme.narrative,
            }
        )
    return {
        "programme": p.code,
        "icb_code": p.icb_code,
        "region_code": p.region_code,
        "month": str(month),
        "financial_month": financial_month_label(month),
        "financial_year": financial_year(month),
        "known_at": p.known_at,
        "generated_at": generated_at,
        "summary": {
            "bed_target": p.bed_target,
            "planned_beds_equivalent": beds(planned_total),
            "delivered_beds_equivalent": beds(delivered_total),
            "allocation_gbp": gbp(sum((s["allocation"] for s in by_stream.values()), ZERO)),
            "spend_in_month_gbp": gbp(sum((s["in_month"] for s in by_stream.values()), ZERO)),
            "spend_to_date_gbp": gbp(sum((s["to_date"] for s in by_stream.values()), ZERO)),
            "by_stream": {
                name: {
                    "programme_allocation_gbp": gbp(in_force.get(name, ZERO)),
                    "allocation_gbp": gbp(s["allocation"]),
                    "spend_in_month_gbp": gbp(s["in_month"]),
                    "spend_to_date_gbp": gbp(s["to_date"]),
                }
                for name, s in by_stream.items()
            },
        },
        "schemes": rows,
    }
