"""Which rows of the return add to which total, the workbook's exact cells, and the rounding
notes (docs/rules.md §15).

The JSON, CSV and HTML show beds-equivalent to two decimals and averages and percentages to
one, each rounded from its exact figure, so shown rows need not add to a shown total; where
they do not, a note in the ``notes`` section says so. The workbook holds the exact figures
(to 10 decimals, apportioned so that rows add to their total exactly) under display formats:
a spreadsheet's own SUM of the rows equals the total cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projections.return_cells import HUNDREDTH, TENTH
from projections.return_lines import SECTIONS, NoteLine
from projections.rounding import EXACT, adds_up, apportion

EXACT_KINDS = ("beds", "pct", "avg")
STEP = {"beds": HUNDREDTH, "pct": TENTH, "avg": TENTH}
BEDS = ("planned_beds_equivalent", "delivered_beds_equivalent")
FLOW = ("avg_beds_open", "avg_beds_occupied", "avg_nctr", "avg_nctr_not_discharged_by_5pm")


@dataclass(frozen=True)
class Total:
    """Rows of ``section`` chosen by ``part`` add, column by column, to the row of
    ``total_section`` chosen by ``total``."""

    name: str
    section: str
    part: Callable[[Any], bool]
    total_section: str
    total: Callable[[Any], bool]
    columns: tuple[str, ...]


def _group(name: str) -> Callable[[Any], bool]:
    return lambda row: bool(row.group == name)


# Top-down: a total's parts may be the totals of a later group (all schemes = counted + not).
TOTALS: tuple[Total, ...] = (
    Total(
        "counted and not counted",
        "beds",
        lambda r: r.group in ("counted_total", "not_counted_total"),
        "beds",
        _group("all_schemes"),
        BEDS,
    ),
    Total(
        "counted places",
        "beds",
        _group("counted"),
        "beds",
        _group("counted_total"),
        (*BEDS, "delivered_pct_of_target"),
    ),
    Total(
        "places not counted",
        "beds",
        _group("not_counted"),
        "beds",
        _group("not_counted_total"),
        BEDS,
    ),
    Total(
        "counted schemes",
        "schemes",
        lambda r: r.counts_toward_target and r.planned_beds_equivalent is not None,
        "beds",
        _group("counted_total"),
        BEDS,
    ),
    Total(
        "schemes not counted",
        "schemes",
        lambda r: not r.counts_toward_target and r.planned_beds_equivalent is not None,
        "beds",
        _group("not_counted_total"),
        BEDS,
    ),
    Total(
        "acute sites",
        "flow",
        lambda r: r.ods_code != "all",
        "flow",
        lambda r: r.ods_code == "all",
        FLOW,
    ),
)
KINDS = {(s.key, c.key): c.kind for s in SECTIONS for c in s.columns}
LABELS = {(s.key, c.key): (s.title, c.label) for s in SECTIONS for c in s.columns}


def _rows(doc: Any, section: str, pick: Callable[[Any], bool]) -> list[int]:
    return [n for n, line in enumerate(getattr(doc, section)) if pick(line)]


def exact_cells(doc: Any) -> dict[str, list[dict[str, str]]]:
    """Every beds, percentage and average cell to 10 decimals, rows apportioned to add to
    their total exactly (as text, so JSON keeps every digit)."""
    cells: dict[str, list[dict[str, Decimal]]] = {}
    for section in SECTIONS:
        cells[section.key] = [
            {
                c.key: Decimal(getattr(line, c.key)).quantize(EXACT)
                for c in section.columns
                if c.kind in EXACT_KINDS and getattr(line, c.key) is not None
            }
            for line in getattr(doc, section.key)
        ]
    for t in TOTALS:
        parts, wholes = _rows(doc, t.section, t.part), _rows(doc, t.total_section, t.total)
        if len(wholes) != 1:
            continue
        whole = cells[t.total_section][wholes[0]]
        for column in t.columns:
            present = [n for n in parts if column in cells[t.section][n]]
            if column not in whole or not present:
                continue
            exact = [Decimal(getattr(getattr(doc, t.section)[n], column)) for n in present]
            for n, value in zip(present, apportion(exact, EXACT, whole[column]), strict=True):
                cells[t.section][n][column] = value
    return {
        key: [{k: f"{v:f}" for k, v in row.items()} for row in rows] for key, rows in cells.items()
    }


def rounding_notes(doc: Any) -> list[NoteLine]:
    """A note for each total whose rows, as shown, do not add to it as shown."""
    notes: list[NoteLine] = []
    for t in TOTALS:
        parts, wholes = _rows(doc, t.section, t.part), _rows(doc, t.total_section, t.total)
        if len(wholes) != 1 or not parts:
            continue
        total_line = getattr(doc, t.total_section)[wholes[0]]
        for column in t.columns:
            whole = getattr(total_line, column)
            values = [getattr(getattr(doc, t.section)[n], column) for n in parts]
            values = [Decimal(v) for v in values if v is not None]
            if whole is None or not values:
                continue
            step = STEP[KINDS[(t.section, column)]]
            if adds_up(values, Decimal(whole), step):
                continue
            shown = sum((v.quantize(step) for v in values), Decimal(0))
            title, label = LABELS[(t.total_section, column)]
            notes.append(
                NoteLine(
                    about=f"{title}: {label}",
                    note=(
                        f"Rounding: the {t.name} as shown add to {shown:f}, the total shows "
                        f"{Decimal(whole).quantize(step):f}. Each figure is rounded on its own "
                        "from exact figures; the XLSX holds them exact."
                    ),
                )
            )
    return notes
