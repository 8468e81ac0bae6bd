"""The monthly return document (docs/rules.md §12): one model, the same cells in JSON, CSV and
XLSX; submitted files kept byte for byte; grouped schemes; the narrative of the month."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from capacity.app.submission import sign_off, submit
from capacity.commands import CorrectDaily, UpdateNarrative
from capacity.values import Actor
from projections.exports import to_csv, to_xlsx
from projections.return_lines import COVER, SECTIONS
from projections.submission import ViewFigures
from tests.support.world import World, make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"
FINANCE = Actor("fin", "admin", "api")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def demo_world(clock: Callable[[], datetime | None] = lambda: None) -> World:
    world = make_world(date(2023, 1, 16), clock=clock)
    generate_winter(world.app, P, date(2023, 1, 15))
    world.catch_up()
    return world


@pytest.fixture(scope="module")
def winter() -> World:
    return demo_world()


def saved_at(xlsx: bytes) -> set[object]:
    """Every time a workbook's package records: its properties' and each zip entry's."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:
        core = package.read("docProps/core.xml").decode()
        stamps: set[object] = set(re.findall(r"<dcterms:\w+ [^>]*>([^<]*)<", core))
        return stamps | {info.date_time for info in package.infolist()}


def text_of(kind: str, value: Any) -> str:
    """What the CSV must hold for a JSON cell, written out independently of the exporter."""
    if value is None:
        return ""
    if kind == "bool":
        return {True: "yes", False: "no"}[value]
    if kind == "beds":
        return f"{Decimal(str(value)):.2f}"
    if kind in ("pct", "avg"):
        return f"{Decimal(str(value)):.1f}"
    if kind in ("text", "kpitarget") and isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return str(value)


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def check_xlsx_cell(kind: str, value: Any, cell: Any, kpi_type: str = "") -> None:
    where = f"{cell.coordinate} {kind} {value!r} {cell.value!r}"
    if value is None:
        assert cell.value is None, where
    elif kind == "money" or (kind == "kpi" and kpi_type == "money"):
        assert isinstance(cell.value, int | float), where
        assert Decimal(str(cell.value)).quantize(Decimal("0.01")) == Decimal(value), where
        assert "(" in cell.number_format and "£" in cell.number_format, where
    elif kind == "date" or (kind == "kpi" and kpi_type == "date"):
        assert isinstance(cell.value, datetime), where
        assert cell.value.date().isoformat() == value, where
    elif kind == "kpi":
        assert Decimal(str(cell.value)) == Decimal(value), where
    elif kind in ("beds", "pct", "avg"):
        # The workbook holds the exact figure; its display format shows the JSON's rounding.
        step = Decimal("0.01") if kind == "beds" else Decimal("0.1")
        assert Decimal(str(cell.value)).quantize(step) == Decimal(str(value)), where
        assert cell.number_format == ("0.00" if kind == "beds" else "0.0"), where
    elif kind == "kpitarget" and kpi_type == "date" and value != "TBC":
        assert isinstance(cell.value, datetime), where  # a date, as the go-live dates are
        assert cell.value.date().isoformat() == value, where
    elif kind == "kpitarget" and is_number(value):
        assert isinstance(cell.value, int | float), where
        assert Decimal(str(cell.value)) == Decimal(value), where
    elif kind == "bool":
        assert cell.value == ("yes" if value else "no"), where
    else:
        expected = text_of(kind, value) if kind == "text" else value
        assert (cell.value if cell.value is not None else "") == expected, where


@pytest.mark.parametrize("month", ["2022-10", "2022-12"])
def test_csv_and_xlsx_agree_cell_for_cell_with_json(winter: World, month: str) -> None:
    report = winter.read.monthly_return(P, month)
    lines = list(csv.reader(io.StringIO(to_csv(report))))
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    assert workbook.sheetnames == ["Cover", *(s.title for s in SECTIONS)]
    # The cover: one CSV line and one sheet row per field, in the model's order.
    assert lines[0] == ["cover", "columns", "field", "value"]
    cover_lines = [line for line in lines if line[:2] == ["cover", "row"]]
    cover_sheet = list(workbook["Cover"].iter_rows(min_row=2))
    assert [line[2] for line in cover_lines] == [c.key for c in COVER] == list(report["cover"])
    for column, line, (label, cell) in zip(COVER, cover_lines, cover_sheet, strict=True):
        value = report["cover"][column.key]
        assert line[3] == text_of(column.kind, value)
        assert label.value == column.label
        check_xlsx_cell(column.kind, value, cell)
    assert (
        report["cover"]["return_period"]
        == {"2022-10": "M7 2022/23", "2022-12": "M9 2022/23"}[month]
    )
    assert (report["cover"]["icb_code"], report["cover"]["region_code"]) == ("QM7", "Y61")
    # Every section: its columns line, then one line per JSON row, cell for cell.
    for section in SECTIONS:
        keys = [c.key for c in section.columns]
        assert [section.key, "columns", *keys] in lines
        rows = [line[2:] for line in lines if line[:2] == [section.key, "row"]]
        sheet = workbook[section.title]
        assert [c.value for c in sheet[1]] == [c.label for c in section.columns]
        assert sheet.freeze_panes == "A2"
        json_rows = report[section.key]
        assert len(rows) == len(json_rows) == sheet.max_row - 1, section.key
        # The demo funds no scheme from the virtual-ward stream; every other section has rows.
        assert json_rows or section.key == "virtual_wards", section.key
        for n, (row, line) in enumerate(zip(json_rows, rows, strict=True), start=2):
            assert list(row) == keys
            for i, column in enumerate(section.columns):
                value = row[column.key]
                assert line[i] == text_of(column.kind, value), (section.key, column.key)
                check_xlsx_cell(column.kind, value, sheet.cell(n, i + 1), row.get("type", ""))
    assert report["kpis"] and all("e" not in (r["value"] or "") for r in report["kpis"])


def test_a_submitted_revision_is_kept_byte_for_byte_with_its_sha256() -> None:
    now = [datetime(2023, 1, 16, 10, 42, 7)]
    world = demo_world(clock=lambda: now[0])
    sign_off(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    _, revision, position, sha = submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    first = world.read.submission(P, "2022-10", revision)
    assert hashlib.sha256(first["csv"].encode()).hexdigest() == sha
    assert hashlib.sha256(first["xlsx"]).hexdigest() == first["xlsx_sha256"]
    submitted = openpyxl.load_workbook(io.BytesIO(first["xlsx"]))
    cover = {r[0].value: r[1].value for r in submitted["Cover"].iter_rows(min_row=2)}
    assert cover["Status (preview, primary or restatement)"] == "primary"
    assert (cover["Revision"], cover["Submitted by"]) == (1, "fin")
    assert cover["As at event-log position"] == position
    assert cover["Submitted at"] == "2023-01-16T10:42:07"
    # Figures change and time passes; the revision is served again byte for byte.
    now[0] += timedelta(hours=1, seconds=1)
    code = "smart-ed-specialist-review-whth"
    before = world.app.get_daily_report(P, code, date(2022, 10, 20)).figures
    world.app.run_command(
        CorrectDaily(
            actor=FINANCE,
            programme=P,
            scheme=code,
            figures={**before, "date": "2022-10-20", "beds_equivalent": 25},
            reason="double count",
        )
    )
    world.catch_up()
    again = world.read.submission(P, "2022-10", revision)
    assert again["csv"] == first["csv"] and again["xlsx"] == first["xlsx"]
    # Rendering itself is deterministic: no save time in the workbook or its zip entries,
    # only the return's own stamp (the end of its period, for a return not yet submitted) and
    # the zip format's earliest date on every entry.
    earlier = world.read.monthly_return(P, "2022-10", known_at=position)
    one = to_xlsx(earlier)
    assert to_xlsx(world.read.monthly_return(P, "2022-10", known_at=position)) == one
    assert saved_at(one) == {"2022-10-31T00:00:00Z", (1980, 1, 1, 0, 0, 0)}
    # A restatement is the next revision, with its reason on the cover.
    sign_off(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    _, second, _, _ = submit(
        world.app, ViewFigures(world.read), FINANCE, P, "2022-10", "sitrep corrected"
    )
    restated = world.read.submission(P, "2022-10", second)
    cover_lines = {r[2]: r[3] for r in csv.reader(io.StringIO(restated["csv"])) if r[0] == "cover"}
    assert cover_lines["status"] == "restatement" and cover_lines["revision"] == "2"
    assert cover_lines["restatement_reason"] == "sitrep corrected"


def test_schemes_are_grouped_by_section_then_place(winter: World) -> None:
    rows = winter.read.monthly_return(P, "2022-10")["schemes"]
    sections = [r["section"] for r in rows]
    assert sections == sorted(
        sections, key=["acute", "community", "mental_health", "voluntary"].index
    )
    assert sections[0] == "acute" and sections[-1] == "voluntary"
    places = ["ENH", "SW", "WE", "HERTS", "HWE"]
    for section in set(sections):
        mine = [r["place"] for r in rows if r["section"] == section]
        assert mine == sorted(mine, key=places.index), section
    assert [r["scheme_code"] for r in rows] != sorted(r["scheme_code"] for r in rows)


def test_summary_beds_and_flow_reconcile(winter: World) -> None:
    report = winter.read.monthly_return(P, "2022-12")
    streams = {r["funding_stream"]: r for r in report["streams"]}
    assert streams["revenue"]["unassigned_gbp"] == "-64000.00"  # over-committed
    assert streams["capital"]["unassigned_gbp"] == "539000.00"
    total = sum(Decimal(r["spend_to_date_gbp"]) for r in report["schemes"])
    assert Decimal(streams["total"]["spend_to_date_gbp"]) == total
    beds = {r["group"]: r for r in report["beds"] if r["place"] == "all"}
    assert beds["counted_total"]["target"] == 141
    assert beds["counted_total"]["planned_beds_equivalent"] == 141.0  # all schemes started
    assert beds["not_counted_total"]["planned_beds_equivalent"] == 10.0
    assert beds["all_schemes"]["planned_beds_equivalent"] == 151.0
    assert report["summary"]["planned_beds_equivalent"] == 141.0
    flow = {r["ods_code"]: r for r in report["flow"]}
    assert set(flow) == {"RWH", "RWG", "RQW", "all"} and flow["all"]["days_reported"] == 31
    assert 0 < flow["RWG"]["occupancy_pct"] <= 100
    # The system row is the system's beds a day, not the average site's.
    sites = sum(Decimal(str(flow[s]["avg_beds_open"])) for s in ("RWH", "RWG", "RQW"))
    assert abs(Decimal(str(flow["all"]["avg_beds_open"])) - sites) <= Decimal("0.15")


def test_the_narrative_is_the_one_standing_at_the_end_of_the_month() -> None:
    world = make_world(date(2022, 10, 20))
    world.scheme("a", planned_start=date(2022, 10, 1))
    world.app.run_command(
        UpdateNarrative(actor=FINANCE, programme=P, scheme="a", narrative="October: two beds open")
    )
    world.today[0] = date(2022, 11, 5)
    world.app.run_command(
        UpdateNarrative(actor=FINANCE, programme=P, scheme="a", narrative="November: all ten open")
    )
    world.catch_up()
    october = world.read.monthly_return(P, "2022-10")["schemes"][0]
    november = world.read.monthly_return(P, "2022-11")["schemes"][0]
    assert october["narrative"] == "October: two beds open"
    assert october["narrative_on"] == "2022-10-20"
    assert november["narrative"] == "November: all ten open"
    assert november["narrative_on"] == "2022-11-05"
