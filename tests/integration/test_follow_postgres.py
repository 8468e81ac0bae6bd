"""On PostgreSQL the views follow live through the library's subscription."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from capacity.application import WinterApplication
from capacity.commands import OpenProgramme, RegisterScheme, ReportDaily
from projections.db import ViewDatabase
from projections.projector import Projector
from tests.scenarios.ledger import ADMIN, PROGRAMME, P, scheme_spec
from wintertrack.config import event_store_env


@pytest.mark.postgres
def test_views_follow_writes_live(postgres_url: str) -> None:
    application = WinterApplication(
        env=event_store_env(postgres_url), today=lambda: date(2022, 12, 1)
    )
    projector = Projector(application, ViewDatabase(postgres_url))
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop,), daemon=True)
    follower.start()
    try:
        application.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
        application.run_command(
            RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("bridging"))
        )
        receipt = application.run_command(
            ReportDaily(
                actor=ADMIN,
                programme=P,
                scheme="bridging",
                figures={"date": "2022-11-02", "beds_equivalent": 4},
            )
        )
        assert projector.wait_until(receipt.position, timeout=20)
        rows = projector.views.query("SELECT scheme, day FROM v_daily")
        assert rows == [("bridging", "2022-11-02")]
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()
