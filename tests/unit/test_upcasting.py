"""A stored event of an older schema is read through its upcaster (``class_version``)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from eventsourcing.persistence import StoredEvent

from api.web.user_directory import list_tokens
from capacity.application import WinterApplication
from capacity.commands import (
    AddUser,
    OpenProgramme,
    ReceiveFunds,
    RegisterScheme,
    ReportDaily,
    RevokeToken,
)
from capacity.errors import RepeatSuspected
from capacity.programme import Programme, programme_id
from capacity.reports import DailyReport, daily_report_id
from capacity.users import token_id, user_id
from tests.scenarios.ledger import ADMIN, PROGRAMME, TODAY, P, report, scheme_spec


def test_version_1_daily_report_with_flat_discharges_is_upcast_on_read() -> None:
    app = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)
    app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    app.run_command(RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("bridging")))
    # Write a current (v3) event, then rewrite its stored state as version 1 stored it.
    app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="bridging",
            figures=report("2022-11-02", discharges={"p1": 3, "p2": 1}),
        )
    )
    stored = app.recorder.select_events(daily_report_id(P, "bridging", date(2022, 11, 2)))[0]
    state = json.loads(stored.state)
    assert state.pop("class_version") == 3
    state.pop("source_ref")
    state.pop("confirm_comment")
    state.pop("discharges")
    state.update(
        {"discharges_p0": None, "discharges_p1": 3, "discharges_p2": 1, "discharges_p3": None}
    )

    legacy = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY
    )
    v1_id = daily_report_id(P, "legacy", date(2022, 11, 2))
    legacy.recorder.insert_events([StoredEvent(v1_id, 1, stored.topic, json.dumps(state).encode())])

    upcast = legacy.repository.get(v1_id)
    assert isinstance(upcast, DailyReport)
    assert upcast.figures["discharges"] == {"p1": 3, "p2": 1}
    assert upcast.figures["beds_equivalent"] == Decimal("8")
    assert upcast.source_ref is None


def test_a_token_issued_before_tokens_had_labels_still_signs_in_and_is_listed_by_id() -> None:
    app = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)
    app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    _, token = app.run_command(
        AddUser(actor=ADMIN, name="jo", role="board", programme=None, schemes=[])
    )
    stored = app.recorder.select_events(token_id(token))[0]
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    state.pop("label")  # as version 1 stored it

    legacy = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY
    )
    for event in app.recorder.select_events(user_id("jo")):
        legacy.recorder.insert_events([event])
    legacy.recorder.insert_events(
        [StoredEvent(token_id(token), 1, stored.topic, json.dumps(state).encode())]
    )
    assert legacy.authenticate(token).name == "jo"
    [listed] = list_tokens(legacy)
    assert (listed.id, listed.user, listed.label, listed.revoked) == (
        str(token_id(token)),
        "jo",
        "",
        False,
    )
    legacy.run_command(RevokeToken(actor=ADMIN, token=listed.id, reason="laptop lost", by_id=True))
    assert list_tokens(legacy)[0].revoked


def test_funds_received_stored_before_repeats_were_confirmed_reads_as_unconfirmed() -> None:
    app = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)
    app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    app.run_command(
        ReceiveFunds(
            actor=ADMIN,
            programme=P,
            funding_stream="capital",
            amount_gbp="100000.00",
            received_on="2022-11-01",
        )
    )
    stored = app.recorder.select_events(programme_id(P))[-1]
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    assert state.pop("repeat_confirmed") is False

    legacy = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY
    )
    events = app.recorder.select_events(programme_id(P))
    rows = [
        *events[:-1],
        StoredEvent(
            stored.originator_id,
            stored.originator_version,
            stored.topic,
            json.dumps(state).encode(),
        ),
    ]
    legacy.recorder.insert_events(rows)
    programme = legacy.repository.get(programme_id(P))
    assert isinstance(programme, Programme)
    assert programme.received["capital"] == Decimal("100000.00")
    old = legacy.repository.event_store.get(programme_id(P))
    assert [e.repeat_confirmed for e in old if type(e).__name__ == "FundsReceived"] == [False]
    with pytest.raises(RepeatSuspected):  # the upcast receipt is remembered like a new one
        legacy.run_command(
            ReceiveFunds(
                actor=ADMIN,
                programme=P,
                funding_stream="capital",
                amount_gbp="100000.00",
                received_on="2022-11-01",
            )
        )
