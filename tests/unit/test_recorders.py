"""The batch recorder gives every event of a save the same position the library's would."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from capacity.application import WinterApplication
from wintertrack.config import event_store_env
from wintertrack.recorders import BatchSQLiteApplicationRecorder


def stored(n: int, originator: object = None) -> list[StoredEvent]:
    origin = originator or uuid4()
    return [StoredEvent(origin, v, "t:E", b"{}") for v in range(1, n + 1)]  # type: ignore[arg-type]


def test_positions_of_a_batch_are_those_of_its_rows(tmp_path: Path) -> None:
    app = WinterApplication(env=event_store_env(f"sqlite:///{tmp_path}/w.db"))
    recorder = app.recorder
    assert isinstance(recorder, BatchSQLiteApplicationRecorder)
    first = recorder.insert_events(stored(1))
    batch = recorder.insert_events(stored(500))
    again = recorder.insert_events(stored(3))
    assert list(first or []) == [1]
    assert list(batch or []) == list(range(2, 502))
    assert list(again or []) == [502, 503, 504]
    notified = recorder.select_notifications(2, 1000)
    assert [n.id for n in notified] == list(range(2, 505))
    assert [n.originator_version for n in notified[:500]] == list(range(1, 501))


def test_a_batch_with_a_clash_stores_nothing(tmp_path: Path) -> None:
    app = WinterApplication(env=event_store_env(f"sqlite:///{tmp_path}/w.db"))
    origin = uuid4()
    app.recorder.insert_events(stored(2, origin))
    with pytest.raises(IntegrityError):
        app.recorder.insert_events([*stored(5), *stored(2, origin)])
    assert app.recorder.max_notification_id() == 2
