"""On every store (in memory, a SQLite file, a real PostgreSQL), a key and its command's events
are stored together or not at all: a retried key replays the first result and stores nothing,
refused events keep no key, and a key the database refuses to write keeps no events."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest

from capacity.application import WinterApplication
from capacity.commands import ReportDaily
from capacity.errors import DuplicateDailyReport
from capacity.idempotency import KEY_TABLE
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import make_world

DAY = {"date": "2022-11-02", "beds_equivalent": 4}
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


def keyed_world(store: str) -> WinterApplication:
    world = make_world(date(2023, 1, 15), store)
    world.scheme("keyed")
    return world.app


def store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/w.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> WinterApplication:
    return keyed_world(store_url(request.param, request, tmp_path))


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store in a real database, where the key's row can be refused by the database itself
    (the in-memory store has no database to refuse it)."""
    return store_url(request.param, request, tmp_path)


@contextmanager
def keys_refused(url: str) -> Iterator[None]:
    """The database refuses every new key row (a trigger raises), as a failing disk or a lost
    connection would at that point of the transaction."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(
                f"CREATE TRIGGER refuse_keys BEFORE INSERT ON {KEY_TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'the key row could not be written'); END"
            )
        try:
            yield
        finally:
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                conn.execute("DROP TRIGGER refuse_keys")
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION refuse_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'the key row could not be written' USING ERRCODE = "
            "'unique_violation'; END $$"
        )
        conn.execute(
            f"CREATE TRIGGER refuse_keys BEFORE INSERT ON {KEY_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_keys()"
        )
    try:
        yield
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP TRIGGER refuse_keys ON {KEY_TABLE}")


def test_a_retried_key_returns_the_first_result_and_stores_nothing(
    app: WinterApplication,
) -> None:
    first = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k1"
    )
    head = app.max_position()
    assert first.position == head
    again = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k1"
    )
    assert again.replayed and (again.position, again.ids) == (first.position, first.ids)
    assert app.max_position() == head


def test_a_key_is_not_kept_when_its_events_are_refused(app: WinterApplication) -> None:
    app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY))
    head = app.max_position()
    with pytest.raises(DuplicateDailyReport):
        app.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k2"
        )
    assert app.max_position() == head
    assert app.recorder.select_key(ADMIN.user_id, "k2") is None  # type: ignore[attr-defined]


def test_events_are_not_kept_when_their_key_cannot_be_written(database: str) -> None:
    app = keyed_world(database)
    head = app.max_position()
    with keys_refused(database), pytest.raises(DuplicateDailyReport):
        app.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k3"
        )  # no key to replay
    assert app.max_position() == head
    assert app.recorder.select_key(ADMIN.user_id, "k3") is None  # type: ignore[attr-defined]
    stored = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k3"
    )
    assert not stored.replayed and stored.position > head  # PostgreSQL skips a rolled-back id
    assert len(app.recorder.select_notifications(head, 10, inclusive_of_start=False)) == 1


@pytest.mark.postgres
def test_metrics_before_a_relay_or_ingest_has_run_leave_the_views_usable(
    postgres_url: str,
) -> None:
    """The relay's and ingest's tables do not exist yet: reading them fails, and the views'
    connection must still answer the next query."""
    from api.metrics import Metrics
    from projections.db import ViewDatabase
    from projections.projector import Projector

    application = keyed_world(postgres_url)
    projector = Projector(application, ViewDatabase(postgres_url))
    metrics = Metrics(projector)
    for _ in range(2):
        text = metrics.exposition()[0].decode()
        assert "wintertrack_projector_lag_events" in text
        assert "wintertrack_relay" not in text and "wintertrack_ingest" not in text
    projector.run_once()
    assert projector.position() == application.max_position()
