"""The return's beds section: counted schemes by place against the target, schemes not
counted, and all schemes (docs/rules.md §12)."""

from __future__ import annotations

from decimal import Decimal

from projections.arithmetic import ZERO, SchemeMonth
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.return_lines import BedsLine

PLACE_ORDER = ("ENH", "SW", "WE", "HERTS", "HWE")


def rank(order: tuple[str, ...], value: str) -> tuple[int, str]:
    return (order.index(value) if value in order else len(order), value)


def beds_lines(
    p: ProgrammeFacts, months: dict[str, tuple[SchemeFacts, SchemeMonth]]
) -> list[BedsLine]:
    """Counted schemes by place (a scheme split between places shares by its split), their
    total against the target, schemes not counted, and all schemes: both totals reconcile."""
    parts: dict[tuple[bool, str], list[Decimal]] = {}
    members: dict[tuple[bool, str], set[str]] = {}
    for s, m in months.values():
        if s.measure == "none":
            continue
        planned_total = s.planned_beds_equivalent or ZERO
        split = s.place_split if s.place_split and planned_total else {s.place: planned_total}
        for place, share in split.items():
            ratio = share / planned_total if planned_total else Decimal(1)
            key = (s.counts_toward_target, place)
            acc = parts.setdefault(key, [ZERO, ZERO])
            acc[0] += m.planned * ratio
            acc[1] += (m.delivered or ZERO) * ratio
            members.setdefault(key, set()).add(s.code)
    target = Decimal(p.bed_target)

    def line(group: str, place: str, keys: list[tuple[bool, str]], with_target: bool) -> BedsLine:
        planned = sum((parts[k][0] for k in keys), ZERO)
        delivered = sum((parts[k][1] for k in keys), ZERO)
        counted = group.startswith("counted")
        return BedsLine(
            group=group,
            place=place,
            schemes=len(set().union(*(members[k] for k in keys))) if keys else 0,
            target=p.bed_target if with_target else None,
            planned_beds_equivalent=planned,
            delivered_beds_equivalent=delivered,
            delivered_pct_of_planned=delivered / planned * 100 if planned else None,
            delivered_pct_of_target=delivered / target * 100 if counted and target else None,
        )

    rows: list[BedsLine] = []
    for counted, group in ((True, "counted"), (False, "not_counted")):
        keys = sorted((k for k in parts if k[0] is counted), key=lambda k: rank(PLACE_ORDER, k[1]))
        rows += [line(group, k[1], [k], False) for k in keys]
        rows.append(line(f"{group}_total", "all", keys, counted))
    rows.append(line("all_schemes", "all", list(parts), False))
    return rows
