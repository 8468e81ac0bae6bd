"""The demo winter's returns for M7, M9 and M12 add up where they are shown (docs/rules.md
§15): shown rows add to their shown total or a rounding note says why not; the workbook's own
sums equal its total cells exactly; no percentage contradicts its RAG; every spend profile
adds to its allocation to the penny."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from projections.arithmetic import DEFAULT_RAG, profile_by_month
from projections.exports import to_xlsx
from projections.return_lines import SECTIONS
from projections.return_totals import STEP, TOTALS
from projections.rounding import band
from tests.support.world import World, make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"
MONTHS = ["2022-10", "2022-12", "2023-03"]  # M7, M9, M12


@pytest.fixture(scope="module")
def winter() -> World:
    world = make_world(date(2023, 4, 20))
    generate_winter(world.app, P, date(2023, 3, 31))
    world.catch_up()
    return world


def picked(report: dict[str, Any], section: str, rows: Any) -> list[int]:
    """Row numbers of a section chosen by a Total's test (which reads attributes)."""

    class Row:
        def __init__(self, cells: dict[str, Any]) -> None:
            self.__dict__.update(cells)

    return [n for n, cells in enumerate(report[section]) if rows(Row(cells))]


@pytest.mark.parametrize("month", MONTHS)
def test_shown_rows_add_to_the_shown_total_or_a_note_says_why(winter: World, month: str) -> None:
    report = winter.read.monthly_return(P, month)
    kinds = {(s.key, c.key): c.kind for s in SECTIONS for c in s.columns}
    notes = " ".join(n["about"] + " " + n["note"] for n in report["notes"])
    checked = 0
    for total in TOTALS:
        parts = picked(report, total.section, total.part)
        (whole,) = picked(report, total.total_section, total.total)
        for column in total.columns:
            step = STEP[kinds[(total.section, column)]]
            shown = [report[total.section][n][column] for n in parts]
            shown_total = report[total.total_section][whole][column]
            if shown_total is None or not [v for v in shown if v is not None]:
                continue
            checked += 1
            rows_sum = sum(
                (Decimal(str(v)).quantize(step) for v in shown if v is not None), Decimal(0)
            )
            if rows_sum != Decimal(str(shown_total)).quantize(step):
                assert f"add to {rows_sum:f}" in notes, (total.name, column, rows_sum)
    assert checked >= 10


@pytest.mark.parametrize("month", MONTHS)
def test_the_workbooks_sums_equal_its_total_cells_exactly(winter: World, month: str) -> None:
    report = winter.read.monthly_return(P, month)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    titles = {s.key: s.title for s in SECTIONS}
    checked = 0
    for total in TOTALS:
        parts = picked(report, total.section, total.part)
        (whole,) = picked(report, total.total_section, total.total)
        part_sheet, total_sheet = book[titles[total.section]], book[titles[total.total_section]]
        for column in total.columns:
            labels = [c.value for c in part_sheet[1]]
            section = next(s for s in SECTIONS if s.key == total.section)
            label = next(c.label for c in section.columns if c.key == column)
            col = labels.index(label) + 1
            total_labels = [c.value for c in total_sheet[1]]
            total_cell = total_sheet.cell(whole + 2, total_labels.index(label) + 1).value
            values = [part_sheet.cell(n + 2, col).value for n in parts]
            if total_cell is None:
                continue
            checked += 1
            exact_sum = sum((Decimal(str(v)) for v in values if v is not None), Decimal(0))
            assert exact_sum == Decimal(str(total_cell)), (month, total.name, column)
    money = book["Summary"]
    rows = list(money.iter_rows(min_row=2, values_only=True))
    for col in range(1, len(rows[0])):
        if isinstance(rows[-1][col], int | float):
            parts_sum = sum((Decimal(str(r[col])) for r in rows[:-1]), Decimal(0))
            assert parts_sum == Decimal(str(rows[-1][col])), (month, "Summary", col)
    assert checked >= 10


@pytest.mark.parametrize("month", MONTHS)
def test_no_percentage_shown_contradicts_its_rag(winter: World, month: str) -> None:
    report = winter.read.monthly_return(P, month)
    shown = [r for r in report["schemes"] if r["delivered_pct_of_planned"] is not None]
    assert len(shown) >= 10
    for row in shown:
        pct = Decimal(str(row["delivered_pct_of_planned"]))
        assert band(pct, DEFAULT_RAG.green, DEFAULT_RAG.amber) == row["delivery_rag"], row


def test_every_spend_profile_adds_to_its_allocation_to_the_penny(winter: World) -> None:
    facts = winter.read.facts(P)
    for scheme in facts.schemes.values():
        profile = profile_by_month(facts, scheme, facts.period_end)
        assert all(v == v.quantize(Decimal("0.01")) for v in profile.values()), scheme.code
        allocation = scheme.allocation_gbp + sum((a for _, a in scheme.diversions), Decimal(0))
        assert sum(profile.values(), Decimal(0)) == allocation, scheme.code
