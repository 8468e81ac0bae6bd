"""The return's acute flow section: each site's daily averages and the system's total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.arithmetic import ZERO, flow_for
from projections.facts import ProgrammeFacts
from projections.return_lines import FlowLine


def _per_day(total: int, days: int) -> Decimal | None:
    return Decimal(total) / days if days else None


def flow_lines(p: ProgrammeFacts, window: list[date]) -> list[FlowLine]:
    """Each acute site's daily averages over the days it reported, and the system's: the sum
    of the sites' averages (a day's beds across the system), occupancy over all reports."""
    rows: list[FlowLine] = []
    for ods, (name, place) in sorted(p.sites.items()):
        f = flow_for(p, window, ods)
        rows.append(
            FlowLine(
                ods_code=ods,
                site_name=name,
                place=place,
                days_reported=f.days,
                avg_beds_open=_per_day(f.beds_open, f.days),
                avg_beds_occupied=_per_day(f.occupied, f.days),
                occupancy_pct=None if f.occupancy is None else f.occupancy * 100,
                avg_nctr=_per_day(f.nctr, f.days),
                avg_nctr_not_discharged_by_5pm=_per_day(f.nctr_not_discharged_by_5pm, f.days),
            )
        )
    system = flow_for(p, window)

    def total(key: str) -> Decimal | None:
        found = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        return sum(found, ZERO) if found else None

    rows.append(
        FlowLine(
            ods_code="all",
            site_name="All acute sites (system total)",
            place="HWE",
            days_reported=max((r.days_reported for r in rows), default=0),
            avg_beds_open=total("avg_beds_open"),
            avg_beds_occupied=total("avg_beds_occupied"),
            occupancy_pct=None if system.occupancy is None else system.occupancy * 100,
            avg_nctr=total("avg_nctr"),
            avg_nctr_not_discharged_by_5pm=total("avg_nctr_not_discharged_by_5pm"),
        )
    )
    return rows
