"""The log's running digest follows its definition; a submission records it, and a submission
stored before it was recorded (class version 1) still reads."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from eventsourcing.persistence import StoredEvent

from capacity.app.submission import sign_off, submit
from capacity.application import WinterApplication
from capacity.returns import MonthlyReturn, return_id
from projections.digest import GENESIS, LogDigest, log_digest
from projections.submission import ViewFigures
from tests.scenarios.ledger import ADMIN, P, scheme_spec
from tests.support.world import make_world

TODAY_ARGS = (2023, 1, 15)  # the scenarios ledger's winter


def test_digest_is_the_chain_of_sha256_over_canonical_json() -> None:

    world = make_world(date(*TODAY_ARGS))
    world.scheme("bridging")
    expected = GENESIS
    for n in world.app.recorder.select_notifications(1, 100):
        record = {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "position": n.id,
            "state": json.loads(n.state),
            "topic": n.topic,
        }
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        expected = hashlib.sha256(expected + canonical.encode()).digest()
    done = log_digest(world.app.recorder)
    assert done.digest == expected and done.events == world.app.max_position() > 1
    half = log_digest(world.app.recorder, upto=1)
    assert log_digest(world.app.recorder, start=half).digest == expected  # resumable
    assert LogDigest().hex == "0" * 64


def test_submission_records_the_digest_and_a_version_1_submission_still_reads() -> None:

    world = make_world(date(*TODAY_ARGS))
    world.app.register_scheme(ADMIN, P, scheme_spec("own", planned_start=None))
    world.catch_up()
    sign_off(world.app, ViewFigures(world.read), ADMIN, P, "2022-10")
    submit(world.app, ViewFigures(world.read), ADMIN, P, "2022-10")
    found = world.app.get_return(P, "2022-10")
    assert found is not None
    recorded = found.submissions[0]
    head = log_digest(world.app.recorder, recorded["log_position"])
    assert recorded["log_digest"] == head.hex and recorded["as_of"] == "2023-01-15"

    stored = world.app.recorder.select_events(return_id(P, "2022-10"))
    legacy = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    rows = []
    for event in stored:
        state = json.loads(event.state)
        if event.topic.endswith("ReturnSubmitted"):
            assert state.pop("class_version") == 3
            for name in ("as_of", "log_position", "log_digest"):
                state.pop(name)
            for name in ("figures_sha256", "signed_off_by", "signed_off_at"):
                state.pop(name)
        rows.append(
            StoredEvent(
                event.originator_id,
                event.originator_version,
                event.topic,
                json.dumps(state).encode(),
            )
        )
    legacy.recorder.insert_events(rows)
    old = legacy.repository.get(return_id(P, "2022-10"))
    assert isinstance(old, MonthlyReturn)
    assert old.submissions[0]["log_digest"] is None
    assert (old.submissions[0]["figures_sha256"], old.submissions[0]["signed_off_by"]) == ("", "")
    assert old.submissions[0]["sha256"] == recorded["sha256"]
