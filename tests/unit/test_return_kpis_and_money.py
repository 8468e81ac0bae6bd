"""KPIs in the return (aggregation and type), money written exactly, beds occupied beside beds
open, and the dashboard's flag when the counted plan differs from the bed target."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from projections.exports import to_xlsx
from projections.return_cells import gbp_text, json_cell, kpi_value
from schemes.catalogue import load_catalogue
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import World, make_world

KPIS = [
    {"code": "hours_pw", "name": "Reablement hours per week", "unit": "hours per week",
     "type": "hours", "target": Decimal("91"), "aggregation": "mean"},
    {"code": "patients", "name": "Patients supported", "unit": "patients", "type": "count",
     "target": None, "aggregation": "sum"},
    {"code": "pct_48h", "name": "% contacted within 48 hours", "unit": "%", "type": "percent",
     "target": Decimal("100"), "aggregation": "latest"},
    {"code": "overtime", "name": "Overtime funding utilised", "unit": "£", "type": "money",
     "target": "TBC", "aggregation": "sum"},
    {"code": "ward_done", "name": "Ward build complete", "unit": "date", "type": "date",
     "target": "2022-12-31", "aggregation": "latest"},
]  # fmt: skip
DAYS = (
    (date(2022, 10, 3), {"hours_pw": 10, "patients": 3, "pct_48h": 80, "overtime": "4300.00"}),
    (date(2022, 10, 4), {"hours_pw": 11, "patients": 4, "pct_48h": 90, "overtime": "4300.00"}),
    (date(2022, 10, 5), {"hours_pw": 12, "patients": 5, "pct_48h": 95, "ward_done": "2022-10-05"}),
)


def test_kpis_aggregate_by_their_own_rule_and_keep_their_type() -> None:
    world = make_world(date(2022, 11, 2))
    world.scheme("k", measure="none", planned_start=date(2022, 10, 1), kpis=KPIS)
    for day, kpis in DAYS:
        world.app.report_daily(ADMIN, P, "k", {"date": day.isoformat(), "kpis": kpis})
    world.catch_up()
    report = world.read.monthly_return(P, "2022-10")
    rows = {r["kpi_code"]: r for r in report["kpis"]}
    assert rows["hours_pw"]["value"] == "11"  # mean of 10, 11, 12: not their sum, 33
    assert rows["patients"]["value"] == "12"  # sum
    assert rows["pct_48h"]["value"] == "95"  # latest
    assert rows["overtime"]["value"] == "8600.00"  # money: exact pence, not a count
    assert rows["ward_done"]["value"] == "2022-10-05"  # a milestone date is reportable
    assert [rows[c]["target"] for c in rows] == ["91", "TBC", "100", "TBC", "2022-12-31"]
    assert rows["hours_pw"]["aggregation"] == "mean" and rows["hours_pw"]["reports"] == 3
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["KPIs"]
    values = {r[1].value: r[8] for r in sheet.iter_rows(min_row=2)}
    assert values["overtime"].value == 8600 and "£" in values["overtime"].number_format
    assert values["ward_done"].value.date() == date(2022, 10, 5)
    # A date KPI takes a date, a number KPI a number.
    with pytest.raises(InputRefused, match=r"kpis\.ward_done"):
        world.app.report_daily(ADMIN, P, "k", {"date": "2022-10-06", "kpis": {"ward_done": 3}})
    with pytest.raises(InputRefused, match=r"kpis\.patients"):
        world.app.report_daily(
            ADMIN, P, "k", {"date": "2022-10-06", "kpis": {"patients": "2022-10-06"}}
        )


def test_the_catalogue_kpis_have_the_right_type_and_aggregation() -> None:
    kpis = {k.code: k for s in load_catalogue("hwe-2022-23").schemes for k in s.kpis}
    assert kpis["number_of_patients_referred_contacted_wi"].type == "count"  # not hours
    assert kpis["avg_length_of_journey"].aggregation == "mean"
    assert kpis["number_of_additional_reablement_hours_pr"].aggregation == "mean"
    assert kpis["funding_utilised_for_existing_staff_over"].type == "money"
    assert kpis["money_advice_unit_additional_financial_s"].type == "money"
    assert kpis["completion_of_enabling_works"].type == "date"
    assert all(k.aggregation != "sum" for k in kpis.values() if k.name.lower().startswith("avg"))


def test_money_is_exact_pounds_and_pence_and_negatives_are_marked() -> None:
    assert gbp_text(Decimal("-1234.56")) == "-£1,234.56"
    assert gbp_text("1234.5") == "£1,234.50"
    assert gbp_text(Decimal("16600000")) == "£16,600,000.00"
    assert json_cell("money", Decimal("5525000")) == "5525000.00"
    assert kpi_value(Decimal("5525000"), "count") == "5525000"  # never 5.525e+06
    assert kpi_value(Decimal("5525000"), "money") == "5525000.00"
    world = make_world(date(2022, 12, 2))
    world.scheme("a", planned_start=date(2022, 10, 1))  # £120,000: profile £20,000 a month
    world.app.record_spend(ADMIN, P, "a", "2022-10", "7654.32", "accrual")
    world.catch_up()
    report = world.read.monthly_return(P, "2022-10")
    row = report["schemes"][0]
    assert (row["variance_gbp"], row["spend_basis"]) == ("-12345.68", "accrual")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["Schemes"]
    header = [c.value for c in sheet[1]]
    label = "Variance to profile £ (spend minus profile: negative is behind)"  # its sign named
    cell = sheet.cell(2, header.index(label) + 1)
    assert cell.value == pytest.approx(-12345.68, abs=1e-9)
    assert "\\(" in cell.number_format or "(" in cell.number_format.split(";")[1]


def _client(world: World) -> TestClient:
    return TestClient(create_app(world.app, world.read, "test-secret-key", follow=False))


def test_beds_occupied_show_beside_beds_open_and_the_target_mismatch_is_flagged() -> None:
    world = make_world(date(2022, 11, 10))
    world.scheme("ward", measure="beds_open", planned_start=date(2022, 11, 1))
    app = world.app
    app.change_beds(ADMIN, P, "ward", date(2022, 11, 1), 4, "core", "opened")
    app.report_daily(ADMIN, P, "ward", {"date": "2022-11-08", "beds_occupied": 0})
    _, token = app.add_user(ADMIN, "board", "board", P, [])
    world.catch_up()
    beds = world.read.scheme_beds(P, "ward")
    assert beds is not None
    assert (beds.beds_open, beds.beds_occupied) == (4, 0)
    client = _client(world)
    headers = {"Authorization": f"Bearer {token}"}
    api = client.get(f"/api/v1/programmes/{P}/schemes/ward", headers=headers).json()
    assert (api["beds_open"], api["beds_occupied"], api["beds_occupied_on"]) == (
        4,
        0,
        "2022-11-08",
    )
    client.post("/login", data={"token": token})
    page = client.get(f"/schemes/ward?programme={P}").text
    assert "Beds open today: <strong>4</strong>" in page and "open but empty" in page
    # The counted scheme plans 10 a day against the programme's target: flagged.
    board = world.read.dashboard(P)
    assert board.target_check.differs is True
    assert board.target_check.counted_planned_beds_equivalent == 10.0
    assert 'id="target-mismatch"' in client.get(f"/?programme={P}").text
    app.revise_bed_target(ADMIN, P, 10, "matches the plan")
    world.catch_up()
    assert world.read.dashboard(P).target_check.differs is False
    assert 'id="target-mismatch"' not in client.get(f"/?programme={P}").text
