"""Commands are data, and their idempotency fingerprints are derived from their fields through
explicit aliases. Keys stored before commands were data must still replay: the fingerprints
below were written by the application as it stood before (one method per command, with
hand-built request dicts), for exactly these inputs, and are stored here as that code left
them beside the log; the commands built today must find them and answer with the first
receipt, storing nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from capacity.app.core import HANDLERS
from capacity.application import WinterApplication
from capacity.board_papers import Cover
from capacity.commands import (
    COMMANDS,
    AddUser,
    ApproveScheme,
    ChangeBeds,
    ChangePlannedStart,
    ChangeStatus,
    Command,
    CorrectDaily,
    CorrectFlow,
    CorrectSpend,
    DivertFunding,
    EndSessions,
    IssueToken,
    MobiliseScheme,
    OpenProgramme,
    PrepareBoardPaper,
    ReceiveFunds,
    RecordManagementForecast,
    RecordSpend,
    RegisterScheme,
    RegisterSite,
    ReportDaily,
    ReportFlow,
    ReviseAllocation,
    ReviseBedTarget,
    RevokeToken,
    SetKpiTarget,
    SignOffBoardPaper,
    SignOffReturn,
    SubmitReturn,
    UpdateNarrative,
)
from capacity.commands_base import unfingerprinted
from capacity.errors import IdempotencyKeyReused
from capacity.idempotency import KeyRecord
from capacity.policy import POLICY, is_read
from tests.scenarios.ledger import ADMIN, PROGRAMME, P, scheme_spec
from tests.support.world import make_world

FLOW: dict[str, Any] = {
    "date": "2022-11-02",
    "core_beds_open": 400,
    "escalation_beds_open": 10,
    "beds_occupied": 390,
    "nctr": 50,
    "nctr_discharged": 20,
    "nctr_discharged_by_5pm": 12,
    "discharges_p0": 30,
    "discharges_p1": 5,
    "discharges_p2": 2,
    "discharges_p3": 1,
}
COVER = Cover("Winter delivery", "12", "A. Author", "B. Director")
NEXT_WINTER = {
    **PROGRAMME,
    "code": "QM7-2023-24",
    "period_start": date(2023, 10, 1),
    "period_end": date(2024, 3, 31),
}
GENERATED = "2023-01-15T09:00:00+00:00"


def commands(app: WinterApplication) -> list[tuple[Command[Any], str]]:
    """Each command, in an order that can be stored, with the fingerprint stored for it."""
    at = app.max_position
    return [
        (
            ReportDaily(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                figures={"date": "2022-11-02", "beds_equivalent": 4},
            ),
            "e806239f16f89eb83734459123b3c785c7677cc9a4d3a6e6928177ffc08911c1",
        ),
        (
            CorrectDaily(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                figures={"date": "2022-11-02", "beds_equivalent": 5},
                reason="miscounted",
            ),
            "20d375b68ea4753979a87accb83ccffbe2a351e7d4e8c7c57c453fdf74825837",
        ),
        (
            RecordSpend(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                month="2022-11",
                amount_gbp="31250.00",
                basis="actual",
            ),
            "0fb8313ddd2172210d9177ed85907026f79871a9ac89699dc72428a7adc4ab7c",
        ),
        (
            CorrectSpend(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                month="2022-11",
                amount_gbp="31500.00",
                basis="accrual",
                reason="invoice late",
            ),
            "666d6fa2bd6da23d4b675be6920db48185a8505763005c7f4b7f7dbba14753bb",
        ),
        (
            ReceiveFunds(
                actor=ADMIN,
                programme=P,
                funding_stream="revenue",
                amount_gbp="1000.00",
                received_on="2022-10-03",
                confirm_repeat=True,
            ),
            "8c70a8a3e515856c76b2872290d564315b31fbaa62538da7e310ef88116986a0",
        ),
        (
            ReviseAllocation(
                actor=ADMIN,
                programme=P,
                funding_stream="revenue",
                amount_gbp="7600000.00",
                reason="top-up",
                effective_on="2022-12-01",
            ),
            "d1de79adcfe40812fd7902f97e46385093ce24830765c533232bedef85d86296",
        ),
        (
            ReviseBedTarget(actor=ADMIN, programme=P, bed_target=150, reason="NHSE ask"),
            "2f131e9fc6e609a538dfd0b6400f4c69cfc194da31c0817e3971592d3d095bd3",
        ),
        (
            DivertFunding(
                actor=ADMIN,
                programme=P,
                from_scheme="other",
                to_scheme="keyed",
                amount_gbp="10.00",
                decision_ref="UEC-1",
                decided_on="2022-12-01",
            ),
            "5be1ce72df0f9225728a1716ccf583cd6a2b6a12bbfc345a6a1b566d38f6b9a5",
        ),
        (
            ChangeBeds(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                on="2022-11-01",
                change=2,
                bed_type="core",
                reason="opened",
            ),
            "1ee43fc05015659d2ceb1a758c6ec382d702cf3a1a103189e78d561edfd6ccb5",
        ),
        (
            SetKpiTarget(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                kpi_code="hours",
                target=Decimal("95"),
                reason="agreed",
            ),
            "cdc1237633487aaa1782ea06f3ab71ce756b70ad7f5f359d21cc3723c219c19a",
        ),
        (
            RegisterSite(actor=ADMIN, programme=P, ods_code="RWH", name="Lister", place="ENH"),
            "1cfb43777c3c625cdc256198e5b0efa0b8a54fdfa52d2dcc292329df9b46c8d0",
        ),
        (
            ReportFlow(actor=ADMIN, programme=P, ods_code="RWH", figures=FLOW),
            "c8da94e6997cddf90c2006f95aad8f0a68a039215e3cd3ad6b3c2588459a5bb3",
        ),
        (
            AddUser(
                actor=ADMIN,
                name="new.lead",
                role="lead",
                programme=P,
                schemes=["keyed"],
                email="new.lead@nhs.net",
            ),
            "63d85b8b03902c4e273d59e39100c6284802f13d248cc62989b75f00d4a32500",
        ),
        (
            SubmitReturn(
                actor=ADMIN,
                programme=P,
                month="2022-10",
                position=at(),
                csv_text="csv",
                generated_at=GENERATED,
                reason="first",
            ),
            "d9ed99e6e52dbdd6b80ef21d9d855146e31b425e10c0b794c5c754c784abac56",
        ),
        (
            OpenProgramme(actor=ADMIN, spec=NEXT_WINTER),
            "6895cecd11b3ff9303def067b5aceb138108ec1dd7436a2e22f80e99133b82f7",
        ),
        (
            RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("fresh")),
            "2008e133a24785b5b753da9306c025b6fb2aaec1cc9caabc47b022601a835916",
        ),
        (
            ApproveScheme(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                approved_on="2022-10-01",
                decision_ref="UEC-2",
            ),
            "469d23a8c2027db041a63eb06d7a54c2cab47f83558d672d033b5cd124c6abbc",
        ),
        (
            ChangePlannedStart(
                actor=ADMIN,
                programme=P,
                scheme="keyed",
                planned_start=date(2022, 11, 7),
                reason="late start",
            ),
            "6b21eda08b65b05b9d0a813b5810236487a46a15825422290be41bf9a6c41529",
        ),
        (
            MobiliseScheme(actor=ADMIN, programme=P, scheme="keyed", went_live_on="2022-11-01"),
            "245827a9d4f5e7f928ad3bc45658e9a36b98035219c8d7c927ea8b7378d9003b",
        ),
        (
            ChangeStatus(
                actor=ADMIN,
                programme=P,
                scheme="other",
                action="pause",
                on="2022-12-01",
                reason="review",
            ),
            "e280d0b5247e91a6874c0333998b613a3b6fc0a65d142953ed17ace08b404490",
        ),
        (
            UpdateNarrative(actor=ADMIN, programme=P, scheme="keyed", narrative="Fourth bed open"),
            "e35c498e99df05e182a9eb876d8ffa3cefe8ceac61f93c23775a499c7becdab9",
        ),
        (
            RecordManagementForecast(
                actor=ADMIN,
                programme=P,
                funding_stream="revenue",
                month="2022-12",
                amount_gbp="7000000.00",
                note="two schemes will not recruit",
            ),
            "281460b118a97b0909a75f8032d5df69a87059bf4a9bc751285334f8d27e029f",
        ),
        (
            CorrectFlow(
                actor=ADMIN,
                programme=P,
                ods_code="RWH",
                figures={**FLOW, "beds_occupied": 398},
                reason="late",
            ),
            "48668f11b50128e5f8a8496f8cd977971b729d0263b0961dd7d43a6db6d80e39",
        ),
        (
            IssueToken(actor=ADMIN, name="new.lead", label="ledger robot"),
            "1eecfee4d26eb36f1af63dac9cbe48741ddddcd40e9e7b08d008483fd9b7eed6",
        ),
        (
            SignOffReturn(
                actor=ADMIN, programme=P, month="2022-11", position=at(), sha256="0" * 64
            ),
            "0085f5fc6dd46ae8b180f89e573c08b8b41d7b9282571439c2d615a16b103cff",
        ),
        (
            PrepareBoardPaper(
                actor=ADMIN,
                programme=P,
                month="2022-10",
                cover=COVER,
                figures=(at(), "2022-10-31"),
                contents="{}",
                pdf=b"%PDF-1.7",
            ),
            "b036f0d2683241d26dee359db2dd1f7bad79ecddc08fee0cebcecf7dc2375f90",
        ),
        (
            SignOffBoardPaper(actor=ADMIN, programme=P, month="2022-10", revision=1),
            "9b8d913aa135a684e26e3ba875b31d9c0a913eee86907c0c7e0e93213c59033b",
        ),
        (
            SubmitReturn(
                actor=ADMIN,
                programme=P,
                month="2022-10",
                position=at(),
                csv_text="csv",
                generated_at=GENERATED,
                reason="same figures again",
                changed=False,
                unchanged=True,
            ),
            "26e8bcb5733419914e2de79f244b2de4b853898e37b9e77da77dcd43139fa036",
        ),
    ]


def _app(store: str) -> WinterApplication:
    world = make_world(date(2023, 1, 15), store)
    world.scheme("keyed")
    world.scheme("other")
    return world.app


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> WinterApplication:
    return _app("memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/w.db")


def test_each_command_derives_the_fingerprint_stored_before_commands_were_data() -> None:
    derived = {}
    for command, stored in commands(_app("memory://")):
        assert command.fingerprint is not None
        derived[type(command).__name__] = (command.fingerprint.sha256(command), stored)
    assert {name: pair[0] for name, pair in derived.items()} == {
        name: pair[1] for name, pair in derived.items()
    }
    by_id = RevokeToken(
        actor=ADMIN, token="419a35ba-5d81-5117-a92c-cb54209f2c58", reason="left", by_id=True
    )
    assert by_id.fingerprint is not None
    assert by_id.fingerprint.sha256(by_id) == (
        "293ebaf3d75fbc930423a5b4331525004df8738642705bf591dc9200664db7fc"
    )


def test_a_confirming_comment_and_ended_sessions_keep_their_stored_fingerprints() -> None:
    at = datetime(2023, 1, 15, 9, 0, tzinfo=UTC)  # not part of the fingerprint
    found = [
        RecordSpend(
            actor=ADMIN,
            programme=P,
            scheme="keyed",
            month="2022-11",
            amount_gbp="60000.00",
            basis="actual",
            confirm_comment="agency invoices",
        ),
        CorrectSpend(
            actor=ADMIN,
            programme=P,
            scheme="keyed",
            month="2022-11",
            amount_gbp="61000.00",
            basis="actual",
            reason="invoice in",
            confirm_comment="two months paid together",
        ),
        EndSessions(actor=ADMIN, name="jo.board", reason="left the trust", at=at),
    ]
    assert [c.fingerprint.sha256(c) for c in found if c.fingerprint] == [
        "6533133abb01c1f6feca0e1e3a0d15768d0a0ca11f70d85dc35c63a35331dbbf",
        "09057d65c97570cdcf23964b0011ac3d07362b8fcf49a3e09c2be1ec398210af",
        "93a1ceaf66188200db8a9874be084dec6154788901632d874607ccf54d2f2cd0",
    ]


def test_keys_stored_with_earlier_fingerprints_replay_their_first_receipt(
    app: WinterApplication,
) -> None:
    replayed = 0
    for n, (command, stored) in enumerate(commands(app)):
        key = f"stored-{n}"
        # What the earlier code left: the command's events and, beside them, the key with
        # its fingerprint and result.
        change = HANDLERS[type(command)](app, command)
        app.save(*change.aggregates, idempotency=KeyRecord(ADMIN.user_id, key, stored, change.ids))
        head = app.max_position()
        answer = app.run_command(command, idempotency_key=key)
        receipt = answer[0] if isinstance(answer, tuple) else answer
        assert receipt.replayed, type(command).__name__
        assert (receipt.position, receipt.ids) == (head, change.ids)
        assert app.max_position() == head  # nothing stored twice
        replayed += 1
    print(f"\n[fingerprints] keys stored before commands were data, replayed: {replayed}")
    assert replayed == 28


def test_a_stored_key_sent_with_other_values_is_refused(app: WinterApplication) -> None:
    command, stored = commands(app)[2]  # the month's spend
    assert isinstance(command, RecordSpend)
    change = HANDLERS[RecordSpend](app, command)
    app.save(*change.aggregates, idempotency=KeyRecord(ADMIN.user_id, "spend", stored, change.ids))
    head = app.max_position()
    other = dataclasses.replace(command, amount_gbp="31250.01")
    with pytest.raises(IdempotencyKeyReused):
        app.run_command(other, idempotency_key="spend")
    assert app.max_position() == head


def test_every_field_of_a_keyed_command_is_aliased_or_left_out_on_purpose() -> None:
    assert {c.__name__: unfingerprinted(c) for c in COMMANDS} == {
        c.__name__: set() for c in COMMANDS
    }


def test_every_write_in_the_policy_table_is_one_command_with_one_handler() -> None:
    writes = sorted(name for name in POLICY if not is_read(name))
    assert sorted(c.policy for c in COMMANDS) == writes
    assert set(HANDLERS) == set(COMMANDS)
    assert all(dataclasses.is_dataclass(c) and c.__dataclass_params__.frozen for c in COMMANDS)  # type: ignore[attr-defined]
