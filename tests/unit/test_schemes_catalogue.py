"""The built-in HWE 2022/23 catalogue and the catalogue format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from schemes.catalogue import load_catalogue
from schemes.rules import InputRefused

# The list format scheme catalogues are exchanged in (``id``, ``funding``, ``other_kpis`` ...).
LIST_FORMAT = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue-list-format.json"


def test_built_in_catalogue_matches_the_board_paper() -> None:
    catalogue = load_catalogue("hwe-2022-23")
    assert len(catalogue.schemes) == 28
    totals = catalogue.allocation_by_stream()
    assert totals["capital"] == Decimal("4161000.00")
    assert totals["revenue"] == Decimal("7564000.00")
    assert catalogue.planned_toward_target() == 141
    assert sum(s.planned_beds_equivalent or 0 for s in catalogue.schemes) == 151
    assert catalogue.programme is not None
    assert catalogue.programme.bed_target == 141
    mh_beds = next(s for s in catalogue.schemes if s.code == "mh-beds-herts")
    assert not mh_beds.counts_toward_target
    assert mh_beds.place_split == {"SW": 5, "ENH": 5}
    assert all(s.source_lines for s in catalogue.schemes)


def test_every_contradiction_resolved_is_noted() -> None:
    notes = {s.code: s.notes for s in load_catalogue("hwe-2022-23").schemes}
    for code in ("whzan-care-homes-we", "increased-bridging-we", "pts-vehicles", "mh-beds-herts"):
        assert "Resolved:" in notes[code]


def test_list_format_is_read_too() -> None:
    catalogue = load_catalogue(str(LIST_FORMAT))
    assert [s.code for s in catalogue.schemes] == [
        "ward-refit-sw",
        "discharge-runners-enh",
        "crisis-house-herts",
    ]
    runners = catalogue.schemes[1]
    assert runners.funding_stream == "revenue"
    assert runners.planned_beds_equivalent == 3
    assert runners.allocation_gbp == Decimal("48333.00")
    assert catalogue.schemes[0].planned_beds_equivalent is None


def test_bad_catalogue_names_the_field(tmp_path: Path) -> None:
    data = json.loads(json.dumps({"schemes": [{"code": "x", "name": "X"}]}))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputRefused) as caught:
        load_catalogue(str(path))
    assert caught.value.field.startswith("schemes.0.")
