"""The region tracker tells the truth: a month before its deadline is not yet due (not
missing), an ICB has one allocation figure equal to the sum of its funding streams, and its
RAG is against its own bed target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from projections.region import icb_row, totals
from schemes.months import YearMonth
from schemes.regions import load_region

Y61 = load_region("Y61")
NOVEMBER = YearMonth.parse("2022-11")
DUE = Y61.due(NOVEMBER)


def revision(bed_target: int, delivered: str, planned: str) -> dict[str, Any]:
    streams = {
        "capital": ("1000000.00", "600000.00"),
        "revenue": ("6000000.00", "5000000.00"),
        "virtual_ward": ("250000.00", "0.00"),
    }
    return {
        "programme": "QM7-2022-23",
        "revision": 1,
        "kind": "original",
        "reason": "",
        "submitted_by": "fin",
        "submitted_at": "2022-12-07T10:00:00+00:00",
        "sha256": "0" * 64,
        "artefacts": {},
        "summary": {
            "bed_target": bed_target,
            "delivered_beds_equivalent": delivered,
            "planned_beds_equivalent": planned,
            "allocation_gbp": "11725000.00",  # assigned to schemes: not the ICB's allocation
            "spend_in_month_gbp": "100.00",
            "spend_to_date_gbp": "200.00",
            "by_stream": {
                name: {
                    "programme_allocation_gbp": allocation,
                    "allocation_gbp": assigned,
                    "spend_in_month_gbp": "0.00",
                    "spend_to_date_gbp": "0.00",
                }
                for name, (allocation, assigned) in streams.items()
            },
        },
    }


def test_a_month_before_its_deadline_is_not_yet_due_not_missing() -> None:
    before = icb_row(Y61, "QUE", [], DUE, DUE)
    after = icb_row(Y61, "QUE", [], DUE, date.fromordinal(DUE.toordinal() + 1))
    assert (before["status"], after["status"]) == ("not_due", "missing")
    counted = totals([before, icb_row(Y61, "QM7", [revision(120, "120", "141")], DUE, DUE)])
    assert (counted["missing"], counted["not_due"], counted["submitted"]) == (0, 1, 1)


def test_one_allocation_figure_the_sum_of_the_streams() -> None:
    row = icb_row(Y61, "QM7", [revision(120, "100", "141")], DUE, DUE)
    streams = sum(Decimal(s["programme_allocation_gbp"]) for s in row["by_stream"].values())
    assert Decimal(row["allocation_gbp"]) == streams == Decimal("7250000.00")
    assert totals([row])["allocation_gbp"] == "7250000.00"


def test_rag_is_against_the_icbs_own_bed_target_not_the_planned_figure() -> None:
    # 100 delivered of a target of 100 is green, though 141 beds-equivalent were planned.
    on_target = icb_row(Y61, "QM7", [revision(100, "100", "141")], DUE, DUE)
    # 100 delivered of a target of 200 is red, though only 100 were planned.
    short = icb_row(Y61, "QH8", [revision(200, "100", "100")], DUE, DUE)
    assert (on_target["rag"], short["rag"]) == ("green", "red")
    assert totals([on_target, short])["rag"] == "red"  # 200 of 300: below amber
