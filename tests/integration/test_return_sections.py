"""The return's further sections (docs/rules.md §16) agree cell for cell in JSON, CSV, XLSX and
the HTML page; the trajectory's cumulative delivered bed-days are the sum of its months."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.web.common import RAG_LABELS
from capacity.commands import AddUser, RecordManagementForecast
from capacity.values import Actor
from projections.exports import parse_csv, to_csv, to_xlsx
from projections.return_lines import SECTIONS
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN
from tests.support.world import World, make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"
NEW = ("trajectory", "forecast", "discharges", "ga_beds", "virtual_wards", "risks", "notes")


@pytest.fixture(scope="module")
def winter() -> World:
    world = make_world(date(2023, 4, 20))
    generate_winter(world.app, P, date(2023, 3, 31))
    world.catch_up()
    return world


class Tables(HTMLParser):
    """Each table's body cells as text, by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.table = ""
        self.in_body = self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.table = dict(attrs).get("id") or ""
            self.tables[self.table] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.tables[self.table].append([])
        elif tag == "td" and self.in_body:
            self.in_cell = True
            self.tables[self.table][-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td":
            self.in_cell = False

    def handle_data(self, data: str) -> None:
        if self.in_cell:
            self.tables[self.table][-1][-1] += data


def shown(kind: str, value: Any) -> str:
    """What the page shows for a JSON cell, written independently of the template."""
    if value is None:
        return ""
    if kind == "money":
        amount = Decimal(value)
        return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"
    if kind == "beds":
        return f"{Decimal(str(value)):.2f}"
    if kind in ("pct", "avg"):
        return f"{Decimal(str(value)):.1f}"
    return str(value)


def page(world: World, month: str) -> dict[str, list[list[str]]]:
    _, token = world.app.run_command(
        AddUser(actor=ADMIN, name=f"reader-{month}", role="finance", programme=P, schemes=[])
    )
    client = TestClient(create_app(world.app, world.read, "test-secret-key", follow=False))
    client.post("/login", data={"token": token})
    answer = client.get(f"/returns/{month}", params={"programme": P})
    assert answer.status_code == 200, answer.text[:300]
    assert "Synthetic figures." in answer.text
    parser = Tables()
    parser.feed(answer.text)
    return parser.tables


@pytest.mark.parametrize("month", ["2022-10", "2023-03"])
def test_new_sections_agree_cell_for_cell_in_four_formats(winter: World, month: str) -> None:
    report = winter.read.monthly_return(P, month)
    csv_rows = parse_csv(to_csv(report))
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    html = page(winter, month)
    # The demo's figures are marked synthetic on the page, the cover and in the notes, and no
    # catalogue annotation reaches a scheme's name.
    assert report["cover"]["synthetic"] is True
    assert report["notes"][0]["about"] == "Synthetic figures"
    assert not [
        r
        for r in report["schemes"]
        if "(sic)" in r["scheme_name"] or "Appendix" in r["scheme_name"]
    ]
    checked = 0
    for section in (s for s in SECTIONS if s.key in NEW):
        rows = report[section.key]
        sheet = list(book[section.title].iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(csv_rows[section.key]) == len(sheet), section.key
        cells = html[f"return-{section.key}"]
        if not rows:
            assert cells == [["None this month."]], section.key
            continue
        assert len(cells) == len(rows), section.key
        for row, line, xlsx, on_page in zip(rows, csv_rows[section.key], sheet, cells, strict=True):
            for n, column in enumerate(section.columns):
                value, kind = row[column.key], column.kind
                expected = RAG_LABELS[value] if column.key == "delivery_rag" else shown(kind, value)
                assert on_page[n].strip() == expected, (section.key, column.key)
                if value is None:
                    assert line[column.key] == "" and xlsx[n] is None, (section.key, column.key)
                elif kind in ("money", "int"):
                    assert Decimal(line[column.key]) == Decimal(str(value)) == Decimal(str(xlsx[n]))
                elif kind in ("beds", "pct", "avg"):
                    step = Decimal("0.01") if kind == "beds" else Decimal("0.1")
                    assert Decimal(line[column.key]) == Decimal(str(value)).quantize(step)
                    assert Decimal(str(xlsx[n])).quantize(step) == Decimal(str(value)).quantize(
                        step
                    )
                else:
                    assert line[column.key] == str(value) == str(xlsx[n]), (section.key, column.key)
                checked += 1
    assert checked > 150


@pytest.mark.parametrize("month", ["2022-10", "2022-12", "2023-03"])
def test_the_trajectorys_cumulative_delivered_is_the_sum_of_its_months(
    winter: World, month: str
) -> None:
    report = winter.read.monthly_return(P, month)
    rows = report["trajectory"]
    assert [r["financial_month"] for r in rows] == ["M7", "M8", "M9", "M10", "M11", "M12"]
    delivered = [r for r in rows if r["delivered_bed_days"] is not None]
    assert delivered[-1]["month"] == month
    running = Decimal(0)
    for r in delivered:
        running += Decimal(str(r["delivered_bed_days"]))
        assert Decimal(str(r["cumulative_delivered_bed_days"])) == running, r["month"]
    forecast = [r for r in rows if r["delivered_bed_days"] is None]
    assert all(r["forecast_beds_equivalent"] is not None for r in forecast)
    assert all(r["basis"].startswith("forecast") for r in forecast)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["Trajectory"]
    values = list(book.iter_rows(min_row=2, values_only=True))
    cells = [(Decimal(str(v[8])), Decimal(str(v[10]))) for v in values if v[8] is not None]
    assert sum(c[0] for c in cells) == cells[-1][1]  # the workbook's own sum, exactly


def test_a_management_forecast_stands_in_place_of_the_straight_line(winter: World) -> None:
    finance = Actor("fin", "admin", "api")
    winter.app.run_command(
        RecordManagementForecast(
            actor=finance,
            programme=P,
            funding_stream="revenue",
            month="2022-12",
            amount_gbp="7000000.00",
            note="two schemes will not recruit",
        )
    )
    winter.catch_up()
    before = {r["funding_stream"]: r for r in winter.read.monthly_return(P, "2022-11")["forecast"]}
    after = {r["funding_stream"]: r for r in winter.read.monthly_return(P, "2023-03")["forecast"]}
    assert before["revenue"]["management_forecast_gbp"] is None
    assert before["revenue"]["method"].startswith("straight line")
    revenue = after["revenue"]
    assert revenue["management_forecast_gbp"] == revenue["forecast_outturn_gbp"] == "7000000.00"
    assert revenue["method"] == (
        "management forecast entered for M9 by fin: two schemes will not recruit"
    )
    total = Decimal(after["capital"]["forecast_outturn_gbp"]) + Decimal("7000000.00")
    assert Decimal(after["total"]["forecast_outturn_gbp"]) == total
    with pytest.raises(InputRefused) as refused:
        winter.app.run_command(
            RecordManagementForecast(
                actor=finance,
                programme=P,
                funding_stream="revenue",
                month="2023-05",
                amount_gbp="1.00",
                note="x",
            )
        )
    assert refused.value.field == "month"
