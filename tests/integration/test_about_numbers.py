"""The 141, explained: the catalogue's readings travel with the ledger to the API, the pages and
the command line, and a catalogue that does not add up to the target is flagged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from capacity.commands import AddUser, LoadCatalogue
from capacity.values import Actor
from schemes.catalogue import ANNOTATION, load_catalogue, parse_catalogue
from schemes.rules import InputRefused
from tests.support.world import make_world

ADMIN = Actor("ada", "admin", "cli")
P = "QM7-2022-23"
LIST_FORMAT = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue-list-format.json"


def client() -> tuple[TestClient, dict[str, str]]:
    from datetime import date

    world = make_world(date(2022, 11, 20), store="memory://")
    world.app.run_command(
        LoadCatalogue(actor=ADMIN, catalogue=load_catalogue("hwe-2022-23"), programme=P)
    )
    _, token = world.app.run_command(AddUser(actor=ADMIN, name="board", role="board"))
    world.catch_up()
    app = create_app(world.app, world.read, "test-secret", follow=False)
    return TestClient(app), {"Authorization": f"Bearer {token}"}


def test_about_the_numbers_shows_how_141_is_built() -> None:
    api, auth = client()
    about = api.get(f"/api/v1/programmes/{P}/about", headers=auth).json()
    assert about["bed_target"] == 141
    assert about["counted_planned_beds_equivalent"] == 141
    assert about["matches_target"] is True
    not_counted = {s["scheme_code"]: s for s in about["not_counted"]}
    assert not_counted["mh-beds-herts"]["planned_beds_equivalent"] == 10
    assert "Resolved:" in not_counted["mh-beds-herts"]["notes"]
    departed = {d["scheme_code"] for d in about["departures"]}
    assert {"whzan-care-homes-we", "increased-bridging-we", "pts-vehicles"} <= departed


def test_a_scheme_carries_its_notes_and_source_references() -> None:
    api, auth = client()
    scheme = api.get(f"/api/v1/programmes/{P}/schemes/whzan-care-homes-we", headers=auth).json()
    assert "Resolved:" in scheme["notes"]
    assert scheme["source_refs"] and all(":" in ref for ref in scheme["source_refs"])


def test_loading_a_catalogue_that_misses_the_target_warns(tmp_path: Path) -> None:
    env = {**os.environ, "WINTERTRACK_STORE": f"sqlite:///{tmp_path}/w.db"}
    wintertrack = [sys.executable, "-m", "wintertrack"]
    opened = subprocess.run(
        [*wintertrack, "catalogue", "load", "hwe-2022-23", "--programme", P],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "counted toward the target: 141 against a bed target of 141" in opened.stdout
    assert "revenue: schemes hold £7,564,000.00 of £7,500,000.00" in opened.stderr
    assert "over-committed by" in opened.stderr
    more = subprocess.run(
        [*wintertrack, "catalogue", "load", str(LIST_FORMAT), "--programme", P],
        env=env,
        capture_output=True,
        text=True,
    )
    assert more.returncode == 0, more.stderr
    assert "warning" in more.stderr
    assert "146 against a bed target of 141" in more.stderr.replace("\n", " ")


def test_every_reading_of_the_source_is_listed_with_its_source_lines() -> None:
    api, auth = client()
    about = api.get(f"/api/v1/programmes/{P}/about", headers=auth).json()
    topics = {r["topic"]: r for r in about["readings"]}
    assert {
        "Categories",
        "Funding streams",
        "Virtual ward money",
        "Mental-health beds",
        "Start dates",
        "Places",
    } <= set(topics)
    assert all(r["source"].startswith("003:") for r in about["readings"])
    assert (
        "previously allocated outside of winter resilience"
        in topics["Virtual ward money"]["reading"]
    )
    assert all(d["source"] for d in about["departures"])


def test_no_scheme_name_carries_an_annotation() -> None:
    catalogue = load_catalogue("hwe-2022-23")
    assert not [s.name for s in catalogue.schemes if ANNOTATION.search(s.name) or "'" in s.name]
    data = catalogue.model_dump(mode="json")
    data["schemes"][0]["name"] = "Ward (Appendix: 'Old name')"
    with pytest.raises(InputRefused) as refused:
        parse_catalogue(data)
    assert "annotation" in refused.value.reason
