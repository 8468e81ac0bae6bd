"""On PostgreSQL, too, the key and the command's events are stored together or not at all."""

from __future__ import annotations

import pytest

from capacity.application import WinterApplication
from tests.unit import test_idempotency_keys as keys

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(postgres_url: str) -> WinterApplication:
    return keys._world(postgres_url)


def test_retry_on_postgres(app: WinterApplication) -> None:
    keys.test_a_retried_key_returns_the_first_result_and_stores_nothing(app)


def test_refused_events_keep_no_key_on_postgres(app: WinterApplication) -> None:
    keys.test_a_key_is_not_kept_when_its_events_are_refused(app)


def test_no_events_without_their_key_on_postgres(
    app: WinterApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys.test_events_are_not_kept_when_their_key_cannot_be_written(app, monkeypatch)


def test_metrics_before_a_relay_or_ingest_has_run_leave_the_views_usable(
    postgres_url: str,
) -> None:
    """The relay's and ingest's tables do not exist yet: reading them fails, and the views'
    connection must still answer the next query."""
    from api.metrics import Metrics
    from projections.db import ViewDatabase
    from projections.projector import Projector

    application = keys._world(postgres_url)
    projector = Projector(application, ViewDatabase(postgres_url))
    metrics = Metrics(projector)
    for _ in range(2):
        text = metrics.exposition()[0].decode()
        assert "wintertrack_projector_lag_events" in text
        assert "wintertrack_relay" not in text and "wintertrack_ingest" not in text
    projector.run_once()
    assert projector.position() == application.max_position()
