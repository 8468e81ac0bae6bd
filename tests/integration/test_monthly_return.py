"""The NHSE monthly return: formats agree cell for cell, submissions are reproducible."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl

from capacity.app.submission import sign_off, submit
from capacity.values import Actor
from projections.exports import parse_csv, to_csv, to_xlsx
from projections.return_document import with_submission
from projections.return_lines import SECTIONS
from projections.submission import ViewFigures, diff_since_latest
from tests.support.world import make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"
FINANCE = Actor("fin", "admin", "api")


def winter_world(tmp_path: Path):  # type: ignore[no-untyped-def]
    world = make_world(date(2022, 11, 20), store=f"sqlite:///{tmp_path}/wt.db")
    generate_winter(world.app, P, date(2022, 11, 19))
    world.catch_up()
    return world


def test_formula_injection_is_neutralised(tmp_path: Path) -> None:
    world = winter_world(tmp_path)
    world.app.update_narrative(FINANCE, P, "imc-beds-enh", '=HYPERLINK("http://x")')
    world.catch_up()
    report = world.read.monthly_return(P, "2022-11")  # the narrative is dated 20 November
    rows = parse_csv(to_csv(report))["schemes"]
    row = next(r for r in rows if r["scheme_code"] == "imc-beds-enh")
    assert row["narrative"].startswith("'=")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["Schemes"]
    cells = [c.value for r in sheet.iter_rows() for c in r]
    assert '\'=HYPERLINK("http://x")' in cells


def test_submit_correct_refetch_diff_and_restate(tmp_path: Path) -> None:
    world = winter_world(tmp_path)
    sign_off(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    _, revision, position, sha = submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    assert revision == 1
    first = world.read.submission(P, "2022-10", 1)
    assert hashlib.sha256(first["csv"].encode()).hexdigest() == sha
    # Correct an October figure of one scheme.
    code = "smart-ed-specialist-review-whth"
    before = world.app.get_daily_report(P, code, date(2022, 10, 20)).figures
    changed = {**before, "date": "2022-10-20", "beds_equivalent": 25}
    changed["discharges"] = before["discharges"]
    world.app.correct_daily(FINANCE, P, code, changed, "sitrep double counted")
    world.catch_up()
    again = world.read.submission(P, "2022-10", 1)
    assert again["csv"] == first["csv"]  # byte for byte, whatever changed since
    at = world.read.monthly_return(P, "2022-10", known_at=position)
    signed = (first["signed_off_by"], first["signed_off_at"])
    regenerated = to_csv(with_submission(at, 1, FINANCE.user_id, first["generated_at"], "", signed))
    assert hashlib.sha256(regenerated.encode()).hexdigest() == sha
    changes = diff_since_latest(world.read, P, "2022-10")["changes"]
    assert {c["row"] for c in changes if c["section"] == "schemes"} == {code}
    assert {c["field"] for c in changes if c["section"] == "schemes"} in (
        {"delivered_beds_equivalent", "delivered_pct_of_planned", "delivery_rag"},
        {"delivered_beds_equivalent", "delivered_pct_of_planned"},
    )
    # A rounding note may come or go with the new figures.
    changed = {c["section"] for c in changes} - {"notes"}
    assert (
        {"schemes", "beds", "trajectory"} <= changed <= {"schemes", "beds", "trajectory", "risks"}
    )
    sign_off(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    _, second, _, second_sha = submit(
        world.app, ViewFigures(world.read), FINANCE, P, "2022-10", "restated"
    )
    assert second == 2 and second_sha != sha
    assert [s["revision"] for s in world.read.submissions(P, "2022-10")] == [1, 2]


def test_known_at_reproduces_an_earlier_return(tmp_path: Path) -> None:
    world = winter_world(tmp_path)
    then = world.read.monthly_return(P, "2022-11", generated_at="t")
    position = then["known_at"]
    world.today[0] = date(2022, 11, 25)
    world.app.record_spend(FINANCE, P, "imc-beds-enh", "2022-11", "1234.56", "actual")
    world.app.update_narrative(FINANCE, P, "imc-beds-enh", "fourth bed open")
    world.today[0] = date(2022, 11, 20)
    world.catch_up()
    now = world.read.monthly_return(P, "2022-11", generated_at="t")
    assert now != then
    assert world.read.monthly_return(P, "2022-11", known_at=position, generated_at="t") == then


def test_cli_writes_the_m7_workbook(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/wt.db"
    world = make_world(date(2022, 11, 20), store=store)
    generate_winter(world.app, P, date(2022, 10, 31))
    out = tmp_path / "m7.xlsx"
    env = {"WINTERTRACK_STORE": store, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wintertrack",
            "return",
            "2022-10",
            "--programme",
            P,
            "--format",
            "xlsx",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "M7 2022-10 return" in result.stdout
    assert openpyxl.load_workbook(out).sheetnames[:6] == [
        "Cover",
        "Summary",
        "Beds",
        "Schemes",
        "KPIs",
        "Acute flow",
    ]
    assert openpyxl.load_workbook(out).sheetnames[6:] == [s.title for s in SECTIONS[5:]]
    json_out = tmp_path / "m7.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "wintertrack",
            "return",
            "2022-10",
            "--programme",
            P,
            "--format",
            "json",
            "--out",
            str(json_out),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert json.loads(json_out.read_text())["cover"]["return_period"] == "M7 2022/23"
