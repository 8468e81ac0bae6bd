"""The same ledger scenarios on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from capacity.application import WinterApplication
from tests.scenarios.ledger import TODAY, LedgerScenarios
from tests.scenarios.refusals import RefusalScenarios
from wintertrack.config import event_store_env


class OnSQLite:
    @pytest.fixture
    def app(self, sqlite_url: str) -> Iterator[WinterApplication]:
        application = WinterApplication(env=event_store_env(sqlite_url), today=lambda: TODAY)
        yield application
        application.close()


class OnPostgres:
    @pytest.fixture
    def app(self, postgres_url: str) -> Iterator[WinterApplication]:
        application = WinterApplication(env=event_store_env(postgres_url), today=lambda: TODAY)
        yield application
        application.close()


class TestLedgerOnSQLite(OnSQLite, LedgerScenarios):
    pass


class TestRefusalsOnSQLite(OnSQLite, RefusalScenarios):
    pass


@pytest.mark.postgres
class TestLedgerOnPostgres(OnPostgres, LedgerScenarios):
    pass


@pytest.mark.postgres
class TestRefusalsOnPostgres(OnPostgres, RefusalScenarios):
    pass
