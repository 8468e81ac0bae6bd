"""Given-events / when-command / then-events scenarios for the ledger.

The same class runs on the in-memory store (tests/unit), a SQLite file and a real PostgreSQL
server (tests/integration): subclasses only say how to build the application.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from capacity.application import WinterApplication
from capacity.commands import (
    AddUser,
    ChangeBeds,
    ChangeStatus,
    CorrectDaily,
    CorrectFlow,
    CorrectSpend,
    DivertFunding,
    MobiliseScheme,
    OpenProgramme,
    ReceiveFunds,
    RecordSpend,
    RegisterScheme,
    RegisterSite,
    ReportDaily,
    ReportFlow,
    ReviseAllocation,
    ReviseBedTarget,
    RevokeToken,
)
from capacity.errors import (
    AlreadyExists,
    Conflict,
    DuplicateDailyReport,
    DuplicateSpend,
    IdempotencyKeyReused,
    InvalidTransition,
    NotYourScheme,
    ReportNotFound,
    SchemeNotFound,
    Unauthenticated,
)
from capacity.values import Actor
from schemes.rules import InputRefused

P = "QM7-2022-23"
ADMIN = Actor("ada", "admin", "api")
TODAY = date(2023, 1, 15)

PROGRAMME: dict[str, Any] = {
    "code": P,
    "icb_code": "QM7",
    "icb_name": "NHS Hertfordshire and West Essex ICB",
    "region_code": "Y61",
    "winter": "2022/23",
    "period_start": date(2022, 10, 1),
    "period_end": date(2023, 3, 31),
    "bed_target": 141,
    "allocations": {
        "capital": Decimal("4700000"),
        "revenue": Decimal("7500000"),
        "virtual_ward": Decimal("4400000"),
    },
}


def scheme_spec(code: str, measure: str = "reported", **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "code": code,
        "name": f"Scheme {code}",
        "category": "community",
        "place": "WE",
        "provider": "PAH",
        "funding_stream": "revenue",
        "allocation_gbp": Decimal("120000.00"),
        "measure": measure,
        "planned_beds_equivalent": Decimal("10") if measure != "none" else None,
        "place_split": None,
        "counts_toward_target": measure != "none",
        "planned_start": date(2022, 11, 1),
        "kpis": [
            {
                "code": "hours",
                "name": "Hours",
                "unit": "hours",
                "target": Decimal("91"),
                "aggregation": "sum",
            }
        ],
        "lead": None,
    }
    spec.update(overrides)
    return spec


def report(day: str, **figures: Any) -> dict[str, Any]:
    return {"date": day, "beds_equivalent": 8, **figures}


class StoreScenarios:
    """What every scenario class needs. Subclasses provide the ``app`` fixture (memory, SQLite
    or PostgreSQL); every scenario starts from a fresh store."""

    @pytest.fixture
    def app(self) -> Iterator[WinterApplication]:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def ready(self, app: WinterApplication) -> WinterApplication:
        app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
        app.run_command(RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("bridging")))
        app.run_command(
            RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("ward", "beds_open"))
        )
        app.run_command(RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("runners")))
        return app

    def events(self, app: WinterApplication, after: int = 0) -> list[tuple[str, dict[str, Any]]]:
        notifications = app.recorder.select_notifications(after + 1, 10_000)
        return [(n.topic.split(":")[1], json.loads(n.state)) for n in notifications]

    def refused(self, app: WinterApplication, field: str, call: Any) -> InputRefused:
        before = app.max_position()
        with pytest.raises(InputRefused) as caught:
            call()
        assert caught.value.field == field
        assert caught.value.reason
        assert app.max_position() == before, "a refused command must store nothing"
        return caught.value

    def domain_events(self, app: WinterApplication, after: int = 0) -> list[Any]:
        return [
            app.mapper.to_domain_event(n)
            for n in app.recorder.select_notifications(after + 1, 10_000)
        ]


class LedgerScenarios(StoreScenarios):
    """The ledger's scenarios: given events, when a command, then the events recorded."""

    # --- programme and schemes ------------------------------------------------------------

    def test_opening_a_programme_records_who_and_how(self, app: WinterApplication) -> None:
        receipt = app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
        [(topic, _)] = self.events(app)
        assert topic == "Programme.ProgrammeOpened"
        [opened] = self.domain_events(app)
        assert opened.actor == Actor("ada", "admin", "api")
        assert receipt.position == 1
        programme = app.get_programme(P)
        assert programme.bed_target == 141
        assert programme.allocations["capital"] == Decimal("4700000")

    def test_opening_the_same_programme_twice_is_a_conflict(self, app: WinterApplication) -> None:
        app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
        with pytest.raises(AlreadyExists):
            app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
        assert app.max_position() == 1

    def test_registering_a_scheme_twice_is_a_conflict(self, ready: WinterApplication) -> None:
        before = ready.max_position()
        with pytest.raises(AlreadyExists):
            ready.run_command(
                RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("bridging"))
            )
        assert ready.max_position() == before

    def test_bed_target_and_allocations_are_revised_with_a_reason(
        self, ready: WinterApplication
    ) -> None:
        ready.run_command(
            ReviseBedTarget(actor=ADMIN, programme=P, bed_target=150, reason="NHSE raised the ask")
        )
        ready.run_command(
            ReviseAllocation(
                actor=ADMIN,
                programme=P,
                funding_stream="revenue",
                amount_gbp="7564000.00",
                reason="over-commitment funded",
            )
        )
        ready.run_command(
            ReceiveFunds(
                actor=ADMIN,
                programme=P,
                funding_stream="revenue",
                amount_gbp="7500000.00",
                received_on="2022-09-30",
            )
        )
        programme = ready.get_programme(P)
        assert programme.bed_target == 150
        assert programme.allocations["revenue"] == Decimal("7564000.00")
        assert programme.received == {"revenue": Decimal("7500000.00")}
        topics = [t for t, _ in self.events(ready)][-3:]
        assert topics == [
            "Programme.BedTargetRevised",
            "Programme.AllocationRevised",
            "Programme.FundsReceived",
        ]
        self.refused(
            ready,
            "reason",
            lambda: ready.run_command(
                ReviseBedTarget(actor=ADMIN, programme=P, bed_target=160, reason="")
            ),
        )
        self.refused(
            ready,
            "funding_stream",
            lambda: ready.run_command(
                ReviseAllocation(
                    actor=ADMIN, programme=P, funding_stream="misc", amount_gbp="1.00", reason="why"
                )
            ),
        )

    def test_unknown_scheme_is_not_found(self, ready: WinterApplication) -> None:
        with pytest.raises(SchemeNotFound):
            ready.run_command(
                ReportDaily(actor=ADMIN, programme=P, scheme="nope", figures=report("2022-11-02"))
            )

    def test_mobilising_twice_is_refused(self, ready: WinterApplication) -> None:
        ready.run_command(
            MobiliseScheme(actor=ADMIN, programme=P, scheme="bridging", went_live_on="2022-11-01")
        )
        assert ready.get_scheme(P, "bridging").status == "active"
        with pytest.raises(InvalidTransition):
            ready.run_command(
                MobiliseScheme(
                    actor=ADMIN, programme=P, scheme="bridging", went_live_on="2022-11-03"
                )
            )

    # --- beds -----------------------------------------------------------------------------

    def test_beds_opened_then_closed_for_infection(self, ready: WinterApplication) -> None:
        ready.run_command(
            ChangeBeds(
                actor=ADMIN,
                programme=P,
                scheme="ward",
                on="2022-11-01",
                change=10,
                bed_type="core",
                reason="ward opens",
            )
        )
        ready.run_command(
            ChangeBeds(
                actor=ADMIN,
                programme=P,
                scheme="ward",
                on="2022-11-10",
                change=-4,
                bed_type="core",
                reason="norovirus closure",
            )
        )
        ward = ready.get_scheme(P, "ward")
        assert ward.beds_open_on(date(2022, 10, 31)) == 0
        assert ward.beds_open_on(date(2022, 11, 9)) == 10
        assert ward.beds_open_on(date(2022, 11, 10)) == 6
        topics = [t for t, _ in self.events(ready)][-2:]
        assert topics == ["Scheme.BedsOpened", "Scheme.BedsClosed"]

    def test_closing_more_beds_than_are_open_is_refused(self, ready: WinterApplication) -> None:
        ready.run_command(
            ChangeBeds(
                actor=ADMIN,
                programme=P,
                scheme="ward",
                on="2022-11-05",
                change=3,
                bed_type="core",
                reason="open",
            )
        )
        before = ready.max_position()
        with pytest.raises(Conflict) as caught:
            ready.run_command(
                ChangeBeds(
                    actor=ADMIN,
                    programme=P,
                    scheme="ward",
                    on="2022-11-04",
                    change=-2,
                    bed_type="core",
                    reason="too early",
                )
            )
        assert caught.value.field == "change"
        assert ready.max_position() == before

    # --- daily figures --------------------------------------------------------------------

    def test_daily_report_is_stored_with_its_figures(self, ready: WinterApplication) -> None:
        body = report(
            "2022-11-02", beds_occupied=7, discharges={"p0": 2, "p1": 1}, kpis={"hours": "12.5"}
        )
        ready.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=body))
        stored = ready.get_daily_report(P, "bridging", date(2022, 11, 2))
        assert stored.figures["beds_equivalent"] == Decimal("8")
        assert stored.figures["discharges"] == {"p0": 2, "p1": 1}
        assert stored.figures["kpis"] == {"hours": Decimal("12.5")}

    def test_reported_scheme_must_give_beds_equivalent(self, ready: WinterApplication) -> None:
        self.refused(
            ready,
            "beds_equivalent",
            lambda: ready.run_command(
                ReportDaily(
                    actor=ADMIN, programme=P, scheme="bridging", figures={"date": "2022-11-02"}
                )
            ),
        )

    def test_beds_open_scheme_may_report_without_beds_equivalent(
        self, ready: WinterApplication
    ) -> None:
        ready.run_command(
            ReportDaily(
                actor=ADMIN,
                programme=P,
                scheme="ward",
                figures={"date": "2022-11-02", "beds_occupied": 9},
            )
        )
        assert ready.get_daily_report(P, "ward", date(2022, 11, 2)).figures["beds_occupied"] == 9

    def test_second_report_for_the_same_day_is_a_duplicate(self, ready: WinterApplication) -> None:
        ready.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02"))
        )
        before = ready.max_position()
        with pytest.raises(DuplicateDailyReport):
            ready.run_command(
                ReportDaily(
                    actor=ADMIN,
                    programme=P,
                    scheme="bridging",
                    figures=report("2022-11-02", beds_equivalent=9),
                )
            )
        assert ready.max_position() == before

    def test_correction_supersedes_earlier_report(self, ready: WinterApplication) -> None:
        ready.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02"))
        )
        ready.run_command(
            CorrectDaily(
                actor=ADMIN,
                programme=P,
                scheme="bridging",
                figures=report("2022-11-02", beds_equivalent=6),
                reason="typo in sitrep",
            )
        )
        stored = ready.get_daily_report(P, "bridging", date(2022, 11, 2))
        assert stored.figures["beds_equivalent"] == Decimal("6")
        topic, state = self.events(ready)[-1]
        assert topic == "DailyReport.DailyFiguresCorrected"
        assert state["reason"] == "typo in sitrep"

    def test_correction_needs_a_reason_and_an_earlier_report(
        self, ready: WinterApplication
    ) -> None:
        with pytest.raises(ReportNotFound):
            ready.run_command(
                CorrectDaily(
                    actor=ADMIN,
                    programme=P,
                    scheme="bridging",
                    figures=report("2022-11-02"),
                    reason="why",
                )
            )
        ready.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02"))
        )
        self.refused(
            ready,
            "reason",
            lambda: ready.run_command(
                CorrectDaily(
                    actor=ADMIN,
                    programme=P,
                    scheme="bridging",
                    figures=report("2022-11-02"),
                    reason=" ",
                )
            ),
        )

    # --- spend and diversions -------------------------------------------------------------

    def test_spend_is_recorded_then_corrected(self, ready: WinterApplication) -> None:
        ready.run_command(
            RecordSpend(
                actor=ADMIN,
                programme=P,
                scheme="bridging",
                month="2022-10",
                amount_gbp="20000.00",
                basis="accrual",
            )
        )
        with pytest.raises(DuplicateSpend):
            ready.run_command(
                RecordSpend(
                    actor=ADMIN,
                    programme=P,
                    scheme="bridging",
                    month="2022-10",
                    amount_gbp="1.00",
                    basis="actual",
                )
            )
        ready.run_command(
            CorrectSpend(
                actor=ADMIN,
                programme=P,
                scheme="bridging",
                month="2022-10",
                amount_gbp="19500.50",
                basis="actual",
                reason="invoice in",
            )
        )
        topics = [t for t, _ in self.events(ready)][-2:]
        assert topics == ["MonthlySpend.SpendRecorded", "MonthlySpend.SpendCorrected"]

    def test_diversion_moves_money_between_both_schemes_atomically(
        self, ready: WinterApplication
    ) -> None:
        before = ready.max_position()
        receipt = ready.run_command(
            DivertFunding(
                actor=ADMIN,
                programme=P,
                from_scheme="runners",
                to_scheme="bridging",
                amount_gbp="50000",
                decision_ref="UEC-2022-12-07",
                decided_on="2022-12-07",
            )
        )
        assert ready.get_scheme(P, "runners").current_allocation_gbp == Decimal("70000.00")
        assert ready.get_scheme(P, "bridging").current_allocation_gbp == Decimal("170000.00")
        assert receipt.position == before + 2
        assert [t for t, _ in self.events(ready, before)] == [
            "Scheme.FundingDivertedOut",
            "Scheme.FundingDivertedIn",
        ]

    def test_diverting_more_than_allocated_changes_neither(self, ready: WinterApplication) -> None:
        self.refused(
            ready,
            "amount_gbp",
            lambda: ready.run_command(
                DivertFunding(
                    actor=ADMIN,
                    programme=P,
                    from_scheme="runners",
                    to_scheme="bridging",
                    amount_gbp="120000.01",
                    decision_ref="UEC-1",
                    decided_on="2022-12-07",
                )
            ),
        )

    # --- status ---------------------------------------------------------------------------

    def test_pause_resume_close(self, ready: WinterApplication) -> None:
        ready.run_command(
            MobiliseScheme(actor=ADMIN, programme=P, scheme="runners", went_live_on="2022-11-01")
        )
        ready.run_command(
            ChangeStatus(
                actor=ADMIN,
                programme=P,
                scheme="runners",
                action="pause",
                on="2022-12-01",
                reason="staff sickness",
            )
        )
        runners = ready.get_scheme(P, "runners")
        assert runners.status_on(date(2022, 11, 30)) == "active"
        assert runners.status_on(date(2022, 12, 1)) == "paused"
        with pytest.raises(InvalidTransition):
            ready.run_command(
                ChangeStatus(
                    actor=ADMIN,
                    programme=P,
                    scheme="runners",
                    action="pause",
                    on="2022-12-02",
                    reason="again",
                )
            )
        ready.run_command(
            ChangeStatus(
                actor=ADMIN,
                programme=P,
                scheme="runners",
                action="resume",
                on="2022-12-05",
                reason="staff back",
            )
        )
        ready.run_command(
            ChangeStatus(
                actor=ADMIN,
                programme=P,
                scheme="runners",
                action="close",
                on="2023-01-10",
                reason="funding diverted",
            )
        )
        assert ready.get_scheme(P, "runners").status == "closed"
        with pytest.raises(InvalidTransition):
            ready.run_command(
                ChangeStatus(
                    actor=ADMIN,
                    programme=P,
                    scheme="runners",
                    action="resume",
                    on="2023-01-11",
                    reason="no",
                )
            )

    # --- who may write --------------------------------------------------------------------

    def test_lead_may_write_only_their_own_scheme(self, ready: WinterApplication) -> None:
        _, token = ready.run_command(
            AddUser(actor=ADMIN, name="lee", role="lead", programme=P, schemes=["bridging"])
        )
        user = ready.authenticate(token)
        lead = Actor(user.name, user.role, "api")
        ready.run_command(
            ReportDaily(actor=lead, programme=P, scheme="bridging", figures=report("2022-11-02"))
        )
        before = ready.max_position()
        with pytest.raises(NotYourScheme):
            ready.run_command(
                ReportDaily(actor=lead, programme=P, scheme="runners", figures=report("2022-11-02"))
            )
        assert ready.max_position() == before

    def test_tokens_are_stored_only_as_hashes_and_can_be_revoked(
        self, ready: WinterApplication
    ) -> None:
        _, token = ready.run_command(AddUser(actor=ADMIN, name="fin", role="finance", programme=P))
        stored = b"".join(n.state for n in ready.recorder.select_notifications(1, 1000))
        assert token.encode() not in stored
        assert ready.authenticate(token).role == "finance"
        ready.run_command(RevokeToken(actor=ADMIN, token=token, reason="left the team"))
        with pytest.raises(Unauthenticated):
            ready.authenticate(token)
        with pytest.raises(Unauthenticated):
            ready.authenticate("wt_not-a-token")

    # --- idempotency ----------------------------------------------------------------------

    def test_retry_with_same_key_returns_first_result(self, ready: WinterApplication) -> None:
        first = ready.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02")),
            idempotency_key="k1",
        )
        after_first = ready.max_position()
        again = ready.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02")),
            idempotency_key="k1",
        )
        assert again.replayed and again.position == first.position and again.ids == first.ids
        assert ready.max_position() == after_first

    def test_same_key_for_a_different_request_is_refused(self, ready: WinterApplication) -> None:
        ready.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02")),
            idempotency_key="k2",
        )
        with pytest.raises(IdempotencyKeyReused):
            ready.run_command(
                ReportDaily(
                    actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-03")
                ),
                idempotency_key="k2",
            )

    # --- sites and flow -------------------------------------------------------------------

    def test_site_flow_is_reported_and_corrected(self, ready: WinterApplication) -> None:
        ready.run_command(
            RegisterSite(
                actor=ADMIN,
                programme=P,
                ods_code="RQW",
                name="Princess Alexandra Hospital",
                place="WE",
            )
        )
        flow = {
            "date": "2022-11-02",
            "core_beds_open": 400,
            "escalation_beds_open": 20,
            "beds_occupied": 405,
            "nctr": 60,
            "nctr_discharged": 20,
            "nctr_discharged_by_5pm": 12,
            "discharges": {"p0": 50, "p1": 10, "p2": 3, "p3": 1},
        }
        ready.run_command(ReportFlow(actor=ADMIN, programme=P, ods_code="RQW", figures=flow))
        ready.run_command(
            CorrectFlow(
                actor=ADMIN,
                programme=P,
                ods_code="RQW",
                figures={**flow, "beds_occupied": 410},
                reason="late return",
            )
        )
        topics = [t for t, _ in self.events(ready)][-2:]
        assert topics == ["SiteDay.FlowReported", "SiteDay.FlowCorrected"]
        self.refused(
            ready,
            "nctr_discharged_by_5pm",
            lambda: ready.run_command(
                ReportFlow(
                    actor=ADMIN,
                    programme=P,
                    ods_code="RQW",
                    figures={**flow, "date": "2022-11-03", "nctr_discharged_by_5pm": 21},
                )
            ),
        )

    # --- optimistic concurrency -----------------------------------------------------------

    def test_stale_write_is_refused_by_the_store(self, ready: WinterApplication) -> None:
        from eventsourcing.persistence import IntegrityError

        from capacity.scheme import scheme_id

        first = ready.repository.get(scheme_id(P, "ward"))
        second = ready.repository.get(scheme_id(P, "ward"))
        first.open_beds(ADMIN, date(2022, 11, 1), 2, "core", "a")
        second.open_beds(ADMIN, date(2022, 11, 1), 3, "core", "b")
        ready.save(first)
        with pytest.raises(IntegrityError):
            ready.save(second)
        assert ready.get_scheme(P, "ward").beds_open_on(date(2022, 11, 1)) == 2
