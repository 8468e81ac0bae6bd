"""docs/rules.md §13: refused input names the field and the reason, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from capacity.application import WinterApplication
from capacity.commands import (
    ChangeBeds,
    DivertFunding,
    RecordSpend,
    RegisterScheme,
    RegisterSite,
    ReportDaily,
    ReportFlow,
)
from capacity.errors import DomainError, NotFound
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN, P, StoreScenarios, report

FLOW = {
    "date": "2022-11-02",
    "core_beds_open": 400,
    "escalation_beds_open": 20,
    "beds_occupied": 405,
    "nctr": 60,
    "nctr_discharged": 20,
    "nctr_discharged_by_5pm": 12,
}

DAILY_REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("negative count", report("2022-11-02", beds_occupied=-1), "beds_occupied"),
    ("negative beds-equivalent", report("2022-11-02", beds_equivalent=-0.5), "beds_equivalent"),
    ("beds over 2,000", report("2022-11-02", beds_occupied=2001), "beds_occupied"),
    ("beds-equivalent over 2,000", report("2022-11-02", beds_equivalent=2000.5), "beds_equivalent"),
    ("discharges over 10,000", report("2022-11-02", discharges={"p1": 10001}), "discharges.p1"),
    ("negative discharges", report("2022-11-02", discharges={"p0": -3}), "discharges.p0"),
    ("date before the period", report("2022-09-30"), "date"),
    ("date after the period", report("2023-04-01"), "date"),
    ("date in the future", report("2023-01-16"), "date"),
    ("date that is not a date", report("2022-13-45"), "date"),
    ("unknown KPI code", report("2022-11-02", kpis={"nope": 1}), "kpis.nope"),
    ("non-numeric", report("2022-11-02", beds_equivalent="eight"), "beds_equivalent"),
    ("NaN", report("2022-11-02", beds_equivalent="NaN"), "beds_equivalent"),
    ("NaN float", report("2022-11-02", beds_equivalent=float("nan")), "beds_equivalent"),
    ("infinity", report("2022-11-02", beds_equivalent="Infinity"), "beds_equivalent"),
    ("infinite KPI", report("2022-11-02", kpis={"hours": float("inf")}), "kpis.hours"),
    ("text over 2,000 characters", report("2022-11-02", narrative="x" * 2001), "narrative"),
    (
        "an NHS number in free text",
        report("2022-11-02", narrative="Discharged pt 943 476 5919 to P1"),
        "narrative",
    ),
    (
        "an NHS number without spaces",
        report("2022-11-02", narrative="ref 9434765919"),
        "narrative",
    ),
]


class RefusalScenarios(StoreScenarios):
    @pytest.mark.parametrize(("case", "body", "field"), DAILY_REFUSALS)
    def test_daily_report_refused(
        self, ready: WinterApplication, case: str, body: dict[str, Any], field: str
    ) -> None:
        error = self.refused(
            ready,
            field,
            lambda: ready.run_command(
                ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=body)
            ),
        )
        assert field.split(".")[0] in str(error), case

    @pytest.mark.parametrize(
        ("case", "month", "amount", "field"),
        [
            ("month before the period", "2022-09", "100.00", "month"),
            ("month after the period", "2023-04", "100.00", "month"),
            ("month that is not a month", "2022-13", "100.00", "month"),
            ("amount over £100m", "2022-11", "100000000.01", "amount_gbp"),
            ("amount not a number", "2022-11", "lots", "amount_gbp"),
            ("amount NaN", "2022-11", "NaN", "amount_gbp"),
            ("amount infinite", "2022-11", "inf", "amount_gbp"),
            ("negative amount", "2022-11", "-5.00", "amount_gbp"),
            ("fractions of a penny", "2022-11", "10.001", "amount_gbp"),
        ],
    )
    def test_spend_refused(
        self, ready: WinterApplication, case: str, month: str, amount: str, field: str
    ) -> None:
        self.refused(
            ready,
            field,
            lambda: ready.run_command(
                RecordSpend(
                    actor=ADMIN,
                    programme=P,
                    scheme="bridging",
                    month=month,
                    amount_gbp=amount,
                    basis="actual",
                )
            ),
        )

    def test_allocation_over_100m_refused(self, ready: WinterApplication) -> None:
        from tests.scenarios.ledger import scheme_spec

        spec = scheme_spec("huge", allocation_gbp="100000000.01")
        self.refused(
            ready,
            "allocation_gbp",
            lambda: ready.run_command(RegisterScheme(actor=ADMIN, programme=P, spec=spec)),
        )

    @pytest.mark.parametrize(
        ("case", "call", "field"),
        [
            (
                "unknown scheme",
                lambda app: app.run_command(
                    ReportDaily(
                        actor=ADMIN,
                        programme=P,
                        scheme="no-such-scheme",
                        figures=report("2022-11-02"),
                    )
                ),
                "scheme_code",
            ),
            (
                "unknown site",
                lambda app: app.run_command(
                    ReportFlow(actor=ADMIN, programme=P, ods_code="RZZ", figures=FLOW)
                ),
                "ods_code",
            ),
        ],
    )
    def test_unknown_codes_refused(
        self,
        ready: WinterApplication,
        case: str,
        call: Callable[[WinterApplication], Any],
        field: str,
    ) -> None:
        before = ready.max_position()
        with pytest.raises(NotFound) as caught:
            call(ready)
        assert caught.value.field == field, case
        assert ready.max_position() == before

    @pytest.mark.parametrize(
        ("change", "field"), [("-1", "change"), (2.5, "change"), (3001, "change"), ("x", "change")]
    )
    def test_bad_bed_changes_refused(
        self, ready: WinterApplication, change: Any, field: str
    ) -> None:
        before = ready.max_position()
        with pytest.raises((InputRefused, DomainError)) as caught:
            ready.run_command(
                ChangeBeds(
                    actor=ADMIN,
                    programme=P,
                    scheme="ward",
                    on="2022-11-02",
                    change=change,
                    bed_type="core",
                    reason="r",
                )
            )
        assert getattr(caught.value, "field", None) == field
        assert ready.max_position() == before

    def test_unknown_scheme_in_the_body_refused(self, ready: WinterApplication) -> None:
        self.refused(
            ready,
            "to_scheme",
            lambda: ready.run_command(
                DivertFunding(
                    actor=ADMIN,
                    programme=P,
                    from_scheme="runners",
                    to_scheme="no-such",
                    amount_gbp="10",
                    decision_ref="UEC-1",
                    decided_on="2022-12-01",
                )
            ),
        )

    def test_flow_with_negative_count_refused(self, ready: WinterApplication) -> None:
        ready.run_command(
            RegisterSite(
                actor=ADMIN,
                programme=P,
                ods_code="RWG",
                name="Watford General Hospital",
                place="SW",
            )
        )
        self.refused(
            ready,
            "nctr",
            lambda: ready.run_command(
                ReportFlow(actor=ADMIN, programme=P, ods_code="RWG", figures={**FLOW, "nctr": -2})
            ),
        )
