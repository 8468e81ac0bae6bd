"""The ledger scenarios on the in-memory store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from capacity.application import WinterApplication
from tests.scenarios.ledger import TODAY, LedgerScenarios
from tests.scenarios.refusals import RefusalScenarios


class InMemory:
    @pytest.fixture
    def app(self) -> Iterator[WinterApplication]:
        application = WinterApplication(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY
        )
        yield application
        application.close()


class TestLedgerInMemory(InMemory, LedgerScenarios):
    pass


class TestRefusalsInMemory(InMemory, RefusalScenarios):
    pass
